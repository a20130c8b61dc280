/**
 * The blackbox_exporter modules the Probes name (components/monitoring/blackbox-modules.ts), run by the real
 * Debian `prometheus-blackbox-exporter` on 127.0.0.1 against a loopback server:
 * - the rendered `blackbox.yml` passes the exporter's own `--config.check`, and a broken one fails;
 * - the security-headers module (seed 004 headers) passes with every header and fails
 *   with `probe_failed_due_to_regex 1` when one is missing or wrong (which the alert reads);
 * - the health module passes on 2xx, fails on 5xx;
 * - the Statuspage component module passes while the named component is operational (in either
 *   key order) and fails when it is degraded, whatever the page's other components do;
 * - Vercel deployment protection: behind a stand-in for Vercel's protection (401 unless
 *   `x-vercel-protection-bypass` carries the project's secret), the bypass variants of the health
 *   and security-headers modules pass; the same modules without the header fail (the fixture that
 *   must fail), and so does a wrong secret.
 * `scripts/test.sh` installs the exporter; both servers stop in afterAll (and by a timer).
 */
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  VERCEL_PROTECTION_BYPASS_HEADER,
  appModuleName,
  exactHeaderPatterns,
  healthModule,
  redirectModule,
  redirectModuleName,
  renderBlackboxConfig,
  securityHeadersModule,
  securityHeadersModuleName,
  statuspageComponentModule,
  statuspageComponentModuleName,
  vercelBypassModuleName,
  withVercelProtectionBypass,
} from "../../components/monitoring/blackbox-modules";
import { ARA_RESPONSE_HEADERS } from "../../stacks/ara";

const EXPORTER = "/usr/bin/prometheus-blackbox-exporter";
const INSTALL = "apt-get install -y --no-install-recommends prometheus-blackbox-exporter";

/** seed 004 vercel.json "headers", verbatim. */
const SEED_004_HEADERS: Record<string, string> = {
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "X-XSS-Protection": "1; mode=block",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline' *.clerk.accounts.dev; style-src 'self' 'unsafe-inline'",
};

const HEADERS_MODULE = securityHeadersModuleName("ara-web");
/** The project's automation-bypass secret (Vercel generates 32 characters). */
const BYPASS = "0123456789abcdefghijklmnopqrstuv";
/** The modules the staging stack gives a protected app (ApplicationStack.createProbes). */
const BYPASS_HEALTH = vercelBypassModuleName(appModuleName("ara-web", "http_2xx"));
const BYPASS_HEADERS = vercelBypassModuleName(HEADERS_MODULE);
const WRONG_BYPASS = "wrong_bypass";
/** What ARA's stack sets on its project's route, as its headers probe checks it (exactly). */
const ARA_PATTERNS = exactHeaderPatterns(ARA_RESPONSE_HEADERS);
const REDIRECT = redirectModuleName(308);
/** The Statuspage component a product depends on (Pinecone names serverless regions `<Cloud> <region>`). */
const OUR_COMPONENT = "AWS us-east-1";
const COMPONENT_MODULE = statuspageComponentModuleName(OUR_COMPONENT);
const MODULES = {
  [REDIRECT]: redirectModule(308),
  http_2xx: healthModule(),
  [COMPONENT_MODULE]: statuspageComponentModule(OUR_COMPONENT),
  [HEADERS_MODULE]: securityHeadersModule(ARA_PATTERNS),
  [BYPASS_HEALTH]: withVercelProtectionBypass(healthModule(), BYPASS),
  [BYPASS_HEADERS]: withVercelProtectionBypass(securityHeadersModule(ARA_PATTERNS), BYPASS),
  [WRONG_BYPASS]: withVercelProtectionBypass(healthModule(), "not-the-project-secret-000000000"),
};

let work: string;
let app: Server;
let appBase: string;
let exporter: ChildProcess | undefined;
let exporterBase: string;
let killer: NodeJS.Timeout;

/**
 * The loopback app: `/headers?drop=X&set=X:value` answers with the seed's headers, adjusted.
 * Under `/protected/` it stands in for a Vercel preview behind Deployment Protection: 401 without
 * the app's headers unless `x-vercel-protection-bypass` is the project's secret, else the same app.
 */
function handle(req: IncomingMessage, res: ServerResponse): void {
  let url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname.startsWith("/protected/")) {
    if (req.headers[VERCEL_PROTECTION_BYPASS_HEADER] !== BYPASS) {
      res.writeHead(401, { "Content-Type": "text/html" });
      res.end("<html>Authentication Required</html>");
      return;
    }
    url = new URL(`${url.pathname.slice("/protected".length)}${url.search}`, url);
  }
  if (url.pathname === "/headers") {
    const headers = { ...SEED_004_HEADERS };
    for (const drop of url.searchParams.getAll("drop")) delete headers[drop];
    for (const set of url.searchParams.getAll("set")) {
      const i = set.indexOf(":");
      headers[set.slice(0, i)] = set.slice(i + 1);
    }
    res.writeHead(200, { "Content-Type": "text/html", ...headers });
    res.end("<html></html>");
  } else if (url.pathname === "/redirect") {
    // Vercel's domain redirect (`www` → `app.`): 308 to the same path on the canonical host.
    res.writeHead(308, { Location: `/health${url.search}` });
    res.end();
  } else if (url.pathname === "/health") {
    const status = Number(url.searchParams.get("status") ?? 200);
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ status: status < 300 ? "healthy" : "unhealthy" }));
  } else if (url.pathname === "/api/v2/components.json") {
    // Statuspage API v2 `components.json`, in the shape and key order Statuspage answers with
    // (https://www.mongodb.com/docs/api/doc/cloud-status/operation/operation-getcomponents; every
    // Statuspage page documents it at `/api`): `?ours=` and `?other=` set the two components'
    // status, `?order=status-first` writes `status` before `name` in every component.
    const ours = url.searchParams.get("ours") ?? "operational";
    const other = url.searchParams.get("other") ?? "operational";
    const component = (id: string, name: string, status: string, position: number) => {
      const rest = { created_at: "2024-02-01T10:00:00.000Z", updated_at: "2026-12-06T21:04:11.000Z", position, description: null, showcase: false };
      const tail = { start_date: null, group_id: "grp01serverless", page_id: "pg01pinecone", group: false, only_show_if_degraded: false };
      return url.searchParams.get("order") === "status-first" ? { status, id, ...rest, name, ...tail } : { id, name, status, ...rest, ...tail };
    };
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        page: { id: "pg01pinecone", name: "Pinecone", url: "https://status.pinecone.io", time_zone: "Etc/UTC", updated_at: "2026-12-06T21:04:11.000Z" },
        components: [
          {
            id: "grp01serverless",
            name: "Serverless Indexes",
            status: other === "operational" && ours === "operational" ? "operational" : "partial_outage",
            created_at: "2024-02-01T10:00:00.000Z",
            updated_at: "2026-12-06T21:04:11.000Z",
            position: 1,
            description: null,
            showcase: false,
            start_date: null,
            group_id: null,
            page_id: "pg01pinecone",
            group: true,
            only_show_if_degraded: false,
            components: ["cmp01useast1", "cmp02euwest4"],
          },
          component("cmp02euwest4", "GCP europe-west4", other, 2),
          component("cmp01useast1", OUR_COMPONENT, ours, 3),
          component("cmp03useast1b", `${OUR_COMPONENT} (legacy)`, "operational", 4),
        ],
      }),
    );
  } else {
    res.writeHead(404);
    res.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, deadline = Date.now() + 15_000): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`blackbox_exporter did not answer at ${url}`);
}

/** Runs one probe through the exporter and returns its metrics as name → value. */
async function probe(module: string, path: string): Promise<Record<string, number>> {
  const target = `${appBase}${path}`;
  const r = await fetch(`${exporterBase}/probe?module=${encodeURIComponent(module)}&target=${encodeURIComponent(target)}`);
  expect(r.status).toBe(200);
  const out: Record<string, number> = {};
  for (const line of (await r.text()).split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && !(m[1] in out)) out[m[1]] = Number(m[3]);
  }
  return out;
}

beforeAll(async () => {
  const check = spawnSync(EXPORTER, ["--version"], { encoding: "utf8" });
  if (check.error) throw new Error(`${EXPORTER} is missing; install it with \`${INSTALL}\` (scripts/test.sh does as root)`);
  work = mkdtempSync(join(tmpdir(), "blackbox-"));
  writeFileSync(join(work, "blackbox.yml"), renderBlackboxConfig(MODULES));
  app = createServer(handle);
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const port = await freePort();
  exporterBase = `http://127.0.0.1:${port}`;
  exporter = spawn(EXPORTER, [`--config.file=${join(work, "blackbox.yml")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
  // Never outlive the suite, even if afterAll does not run.
  killer = setTimeout(() => exporter?.kill("SIGKILL"), 120_000);
  killer.unref();
  await waitReady(`${exporterBase}/-/healthy`);
}, 60_000);

afterAll(async () => {
  clearTimeout(killer);
  exporter?.kill("SIGTERM");
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the rendered blackbox.yml", () => {
  it("passes the exporter's own --config.check; a module with a broken header pattern fails it", () => {
    const ok = spawnSync(EXPORTER, [`--config.file=${join(work, "blackbox.yml")}`, "--config.check"], { encoding: "utf8" });
    expect(ok.status, ok.stderr).toBe(0);
    const bad = join(work, "bad.yml");
    writeFileSync(bad, renderBlackboxConfig(MODULES).replace("^nosniff$", "^(nosniff$"));
    const r = spawnSync(EXPORTER, [`--config.file=${bad}`, "--config.check"], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
  });

  it("refuses to render an invalid module name or pattern before anything runs", () => {
    expect(() => renderBlackboxConfig({ "bad name": healthModule() })).toThrow(/module name "bad name"/);
    expect(() => renderBlackboxConfig({ x: securityHeadersModule({ "X-Frame-Options": "(" }) })).toThrow(/not a valid regular expression/);
  });
});

describe("security-headers module (seed 004 headers)", () => {
  it("passes when the app sends every header as seed 004's vercel.json sets it", async () => {
    const m = await probe(HEADERS_MODULE, "/headers");
    expect(m.probe_success).toBe(1);
    expect(m.probe_failed_due_to_regex).toBe(0);
  });

  it("the stack's list is seed 004's vercel.json, verbatim", () => expect(ARA_RESPONSE_HEADERS).toEqual(SEED_004_HEADERS));

  it.each([
    ["X-XSS-Protection missing", "drop=X-XSS-Protection"],
    ["CSP other than the one set", "set=Content-Security-Policy:default-src *"],
    ["HSTS missing", "drop=Strict-Transport-Security"],
    ["HSTS without preload", "set=Strict-Transport-Security:max-age=31536000; includeSubDomains"],
    ["HSTS shorter than a year", "set=Strict-Transport-Security:max-age=86400; includeSubDomains; preload"],
    ["X-Content-Type-Options missing", "drop=X-Content-Type-Options"],
    ["X-Frame-Options SAMEORIGIN", "set=X-Frame-Options:SAMEORIGIN"],
    ["X-Frame-Options missing", "drop=X-Frame-Options"],
    ["Referrer-Policy unsafe-url", "set=Referrer-Policy:unsafe-url"],
    ["CSP missing", "drop=Content-Security-Policy"],
    ["CSP without default-src", "set=Content-Security-Policy:script-src 'self'"],
  ])("fails with probe_failed_due_to_regex when %s", async (_case, query) => {
    const [key, value] = [query.slice(0, query.indexOf("=")), query.slice(query.indexOf("=") + 1)];
    const m = await probe(HEADERS_MODULE, `/headers?${new URLSearchParams({ [key]: value })}`);
    expect(m.probe_success).toBe(0);
    expect(m.probe_failed_due_to_regex).toBe(1);
  });
});

describe("protected Vercel previews (deployment protection)", () => {
  it("the health module with the bypass passes; without it the preview answers 401 and the probe fails", async () => {
    const ok = await probe(BYPASS_HEALTH, "/protected/health");
    expect(ok.probe_success).toBe(1);
    expect(ok.probe_http_status_code).toBe(200);
    const without = await probe("http_2xx", "/protected/health");
    expect(without.probe_success).toBe(0);
    expect(without.probe_http_status_code).toBe(401);
    const wrong = await probe(WRONG_BYPASS, "/protected/health");
    expect(wrong.probe_success).toBe(0);
    expect(wrong.probe_http_status_code).toBe(401);
    // Still a health probe: a failing app fails it.
    expect((await probe(BYPASS_HEALTH, "/protected/health?status=503")).probe_success).toBe(0);
  });

  it("the security-headers module with the bypass checks the app's headers; without it they are never checked", async () => {
    const ok = await probe(BYPASS_HEADERS, "/protected/headers");
    expect(ok.probe_success).toBe(1);
    expect(ok.probe_failed_due_to_regex).toBe(0);
    const missing = await probe(BYPASS_HEADERS, `/protected/headers?${new URLSearchParams({ drop: "X-Frame-Options" })}`);
    expect(missing.probe_success).toBe(0);
    expect(missing.probe_failed_due_to_regex).toBe(1);
    // Without the header: 401, and the exporter never reaches the header check, so the
    // SecurityHeadersMissing alert (probe_failed_due_to_regex) could not fire.
    const without = await probe(HEADERS_MODULE, "/protected/headers");
    expect(without.probe_success).toBe(0);
    expect(without.probe_http_status_code).toBe(401);
    expect(without.probe_failed_due_to_regex ?? 0).toBe(0);
  });
});

describe("redirecting hosts (apex, www)", () => {
  it("the redirect module passes on the 308 without following it, so the probe measured the redirecting host itself", async () => {
    const m = await probe(REDIRECT, "/redirect");
    expect(m.probe_success).toBe(1);
    // The last response the probe measured (status, TLS) is the redirecting host's own 308.
    expect(m.probe_http_status_code).toBe(308);
  });

  it("fails when the host serves instead of redirecting, or fails", async () => {
    expect((await probe(REDIRECT, "/health")).probe_success).toBe(0);
    expect((await probe(REDIRECT, "/missing")).probe_success).toBe(0);
  });

  it("the health module would follow the redirect and report the final host (why redirecting hosts get their own module)", async () => {
    const m = await probe("http_2xx", "/redirect");
    expect(m.probe_http_redirects).toBe(1);
    expect(m.probe_http_status_code).toBe(200);
  });
});

describe("health and status modules", () => {
  it("health: 2xx passes, 503 fails", async () => {
    expect((await probe("http_2xx", "/health")).probe_success).toBe(1);
    expect((await probe("http_2xx", "/health?status=503")).probe_success).toBe(0);
  });

  it("statuspage component: passes while our component is operational, in either key order, whatever the others do; fails when ours is not", async () => {
    // The module insists on TLS (status pages are https); over loopback http it must fail even when operational.
    expect((await probe(COMPONENT_MODULE, "/api/v2/components.json")).probe_success).toBe(0);
    const plain = { ...statuspageComponentModule(OUR_COMPONENT), http: { ...statuspageComponentModule(OUR_COMPONENT).http, fail_if_not_ssl: false } };
    writeFileSync(join(work, "status.yml"), renderBlackboxConfig({ status_plain: plain }));
    const port = await freePort();
    const p = spawn(EXPORTER, [`--config.file=${join(work, "status.yml")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
    const t = setTimeout(() => p.kill("SIGKILL"), 30_000);
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitReady(`${base}/-/healthy`);
      const run = async (query: string) => {
        const r = await fetch(`${base}/probe?module=status_plain&target=${encodeURIComponent(`${appBase}/api/v2/components.json?${query}`)}`);
        return /^probe_success (\d)/m.exec(await r.text())![1];
      };
      for (const order of ["name-first", "status-first"]) {
        expect(await run(`order=${order}`), order).toBe("1");
        // Another region's outage (the page-wide indicator would say major) does not fail ours.
        expect(await run(`order=${order}&other=major_outage`), order).toBe("1");
        // Ours degraded while every other component is fine: fails.
        for (const status of ["degraded_performance", "partial_outage", "major_outage", "under_maintenance"]) {
          expect(await run(`order=${order}&ours=${status}`), `${order} ${status}`).toBe("0");
        }
      }
    } finally {
      clearTimeout(t);
      p.kill("SIGTERM");
    }
  });
});
