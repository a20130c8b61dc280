/**
 * The Vercel log-drain aggregator's rendered configuration (components/logs/vercel-drain-routes.ts;
 * the stacks' wiring is tested by vercel-drains.test.ts). No Vector binary runs here (README "Logs"): the VRL is held to
 * its text and the route graph is walked from the source to the sinks for sample records of each
 * product's projects, a foreign project and an unsigned request.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { BackupBucketRef } from "../../components/data/backup-bucket";
import { logDestinationIn } from "../helpers/log-destinations";
import { type LogClass, classifyLogLine, logClass } from "../../components/logs/log-classes";
import { CLASS_RULES, classifyByRules, renderClassifyVrl } from "../../components/logs/log-routes";
import {
  DRAIN_SIGNATURE_HEADER,
  projectRouteCondition,
  renderAggregatorConfig,
  renderVerifyVrl,
  type DrainRoute,
} from "../../components/logs/vercel-drain-routes";

const bucket = (name: string): BackupBucketRef => ({
  kind: "s3",
  bucketName: name,
  endpoint: "https://s3.us-east-1.amazonaws.com",
  region: "us-east-1",
  retention: [],
});
const ROUTES: DrainRoute[] = [
  { product: "voyager", projectIds: ["prj_voyager"], destination: logDestinationIn("voyager", bucket("voyager-prod-backups")) },
  { product: "ara", projectIds: ["prj_ara_web", "prj_ara_admin"], destination: logDestinationIn("ara", bucket("ara-prod-backups")) },
];
const SECRET = "drainsecret0123456789";
const MESSAGES = ['{"level":"ERROR","message":"x"}', '{"level":"DEBUG","audit":true}', '{"level":"trace"}', "plain text line", '{"level":"INFO"}'];

type Config = { sources: Record<string, any>; transforms: Record<string, any>; sinks: Record<string, any> };

/** Sinks each record of one signed (or not) request reaches, following the rendered graph. */
function sinksReached(config: Config, body: string, signature: string): string[][] {
  const source = Object.entries(config.sources).find(([, s]) => s.type === "http_server")!;
  expect(source[1].headers).toContain(DRAIN_SIGNATURE_HEADER);
  expect(source[1].decoding).toEqual({ codec: "bytes" });
  const out: string[][] = [];
  const walk = (output: string, record: any, cls?: LogClass, reached: string[] = []): string[] => {
    for (const [id, t] of Object.entries(config.transforms)) {
      if (!(t.inputs as string[]).includes(output)) continue;
      if (t.type === "remap" && t.source === renderClassifyVrl(CLASS_RULES, ".message")) walk(id, record, classifyByRules(String(record.message)), reached);
      else if (t.type === "route") {
        for (const [route, cond] of Object.entries(t.route as Record<string, string>)) {
          const project = /^(\.projectId == "[A-Za-z0-9_]+")( \|\| \.projectId == "[A-Za-z0-9_]+")*$/.test(cond)
            ? [...cond.matchAll(/"([A-Za-z0-9_]+)"/g)].map((m) => m[1]).includes(record.projectId)
            : undefined;
          const klass = /^\.log_class == "([a-z]+)"$/.exec(cond);
          if (project === undefined && !klass) throw new Error(`condition not understood: ${cond}`);
          if (project ?? klass![1] === cls) walk(`${id}.${route}`, record, cls, reached);
        }
      } else throw new Error(`transform ${id} not understood`);
    }
    for (const [id, s] of Object.entries(config.sinks)) if ((s.inputs as string[]).includes(output)) reached.push(id);
    return reached;
  };
  // The verify transform: its program is the rendered one; a request passes only with the body's HMAC-SHA1.
  const verify = Object.entries(config.transforms).find(([, t]) => (t.inputs as string[]).includes(source[0]))!;
  expect(verify[1]).toMatchObject({ type: "remap", drop_on_abort: true, source: renderVerifyVrl() });
  const expected = createHmac("sha1", SECRET).update(body).digest("hex");
  if (signature !== expected) return out;
  for (const record of JSON.parse(body) as any[]) out.push(walk(verify[0], record));
  return out;
}

describe("the aggregator's rendered routes", () => {
  const config = renderAggregatorConfig(ROUTES) as Config;

  it("sends each signed record of a product's project to exactly the sink of its message's class, in that product's bucket", () => {
    for (const r of ROUTES) {
      for (const projectId of r.projectIds) {
        const body = JSON.stringify(MESSAGES.map((message, i) => ({ id: String(i), message, projectId, source: "lambda", level: "info" })));
        const reached = sinksReached(config, body, createHmac("sha1", SECRET).update(body).digest("hex"));
        expect(reached).toHaveLength(MESSAGES.length);
        reached.forEach((sinks, i) => {
          expect(sinks, `${projectId} ${MESSAGES[i]}`).toHaveLength(1);
          const sink = config.sinks[sinks[0]];
          expect(sink.bucket).toBe(`${r.product}-prod-backups`);
          expect(sink.key_prefix).toBe(`${logClass(classifyLogLine(MESSAGES[i])).prefix}%Y/%m/%d/`);
        });
      }
    }
  });

  it("sends a foreign project's records nowhere, and drops a request whose signature does not match", () => {
    const body = JSON.stringify([{ id: "1", message: '{"level":"ERROR"}', projectId: "prj_other" }]);
    expect(sinksReached(config, body, createHmac("sha1", SECRET).update(body).digest("hex"))).toEqual([[]]);
    expect(sinksReached(config, body, createHmac("sha1", "wrong").update(body).digest("hex"))).toEqual([]);
  });

  it("verifies the hex HMAC-SHA1 of the raw body with the secret from the environment, then splits the array", () => {
    expect(renderVerifyVrl()).toBe(
      [
        'signature = string(."x-vercel-signature") ?? ""',
        "body = string!(.message)",
        'expected = encode_base16(hmac(body, "${VERCEL_DRAIN_SECRET}", algorithm: "SHA1"))',
        "if signature != expected {",
        '  abort "x-vercel-signature does not match the body"',
        "}",
        ". = parse_json!(body)",
        "",
      ].join("\n"),
    );
  });

  it("refuses a project id that would break out of the condition", () => {
    expect(() => projectRouteCondition(['prj" || true || "'])).toThrow(/not letters, digits/);
    expect(projectRouteCondition(["prj_a", "prj_b"])).toBe('.projectId == "prj_a" || .projectId == "prj_b"');
  });

  it("routes nothing to a product whose projects do not exist yet (staging before prod), instead of an empty condition", () => {
    expect(projectRouteCondition([])).toBe("false");
    const config = renderAggregatorConfig([{ ...ROUTES[0], projectIds: [] }, ROUTES[1]]) as Config;
    expect(config.transforms.by_project.route).toEqual({ voyager: "false", ara: '.projectId == "prj_ara_web" || .projectId == "prj_ara_admin"' });
  });
});
