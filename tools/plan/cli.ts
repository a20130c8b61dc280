/**
 * `npm run plan` — the credential-free plan: what `pulumi preview --policy-pack policies` would
 * show, computed offline (see README "Offline plan").
 *
 *   npm run plan                                     # staging
 *   npm run plan -- --stack prod
 *   npm run plan -- --stack staging --stack prod --diff origin/main   # PR comment in plan/diff.md
 *   npm run plan -- --stack prod --diff plan/prod.json --config replicasCodebookApi=4
 *   npm run plan -- --json > plan.json
 *
 * Exit codes: 0 clean; 1 mandatory policy violations or secret-flow failures; 2 the program or
 * its config failed (or the command line / the base was unusable).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

const USAGE = `Usage: npm run plan -- [options]

Plans a stack offline — Pulumi's own Node.js runner against a recording engine, the policy pack
through its analyzer server, placeholders for secrets — and writes plan/<stack>.json.

Options:
  -s, --stack <name>        stack to plan (Pulumi.<name>.yaml); repeat for several   [staging]
      --diff <base>         compare with a plan file, a directory of them, or a git ref
                            (planned in a temporary worktree); writes the PR comment
  -c, --config <key=value>  override a config value of the planned (head) stack; repeatable
      --json                print one JSON document (plans, diffs, policy results) on stdout
      --out <dir>           where plan files and reports go                           [plan]
      --markdown <file>     the PR comment's path                                [<out>/diff.md]
      --max-comment <n>     comment size limit in characters                          [65536]
      --details             list every resource in the tree, not only components and changes
      --show-sames          with --diff: show unchanged resources and every violation too
                            (by default only changes, and new or resolved violations, are listed)
      --exceptions <file>   accepted advisories (reviewed, each with a reason and an expiry)
                                                               [policies/exceptions.yaml]
      --no-policy           skip the policy pack
      --policy-pack <dir>   the policy pack to run                              [policies/]
      --policy-config <f>   a --policy-pack-config JSON file
      --typecheck-pack      start the pack type-checked, exactly as the engine does (~5 s
                            slower; by default it is transpiled: \`npm run typecheck\` checks it)
      --project <dir>       the Pulumi project (directory of Pulumi.yaml)    [found from cwd]
      --timeout <seconds>   kill a program that runs longer                             [120]
      --color, --no-color   force colours on or off (default: only on a terminal)
  -q, --quiet               no progress line
      --timings             print program and policy times per stack on stderr
  -h, --help                this text

Exit codes: 0 clean, 1 mandatory violations or secret-flow failures, 2 program or config failed.`;

class UsageError extends Error {}

interface Args {
  stacks: string[];
  diff?: string;
  config: Record<string, string>;
  json: boolean;
  out: string;
  markdown?: string;
  maxComment: number;
  details: boolean;
  showSames: boolean;
  exceptions?: string;
  policy: boolean;
  policyPack?: string;
  typeCheckPack: boolean;
  policyConfig?: string;
  project: string;
  timeoutMs: number;
  color?: boolean;
  quiet: boolean;
  timings: boolean;
}

function findProject(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml"))) return dir;
    if (path.dirname(dir) === dir) throw new UsageError(`no Pulumi.yaml in ${from} or above; run from the project or pass --project <dir>`);
  }
}

function parse(argv: string[]): Args | "help" {
  let values: ReturnType<typeof parseArgs>["values"];
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string", short: "s", multiple: true },
        diff: { type: "string" },
        config: { type: "string", short: "c", multiple: true },
        json: { type: "boolean" },
        out: { type: "string" },
        markdown: { type: "string" },
        "max-comment": { type: "string" },
        details: { type: "boolean" },
        "show-sames": { type: "boolean" },
        exceptions: { type: "string" },
        "no-policy": { type: "boolean" },
        "policy-pack": { type: "string" },
        "policy-config": { type: "string" },
        "typecheck-pack": { type: "boolean" },
        project: { type: "string" },
        timeout: { type: "string" },
        color: { type: "boolean" },
        "no-color": { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        timings: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return "help";
  const config: Record<string, string> = {};
  for (const pair of (values.config as string[] | undefined) ?? []) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`--config expects key=value, got '${pair}'`);
    config[pair.slice(0, i)] = pair.slice(i + 1);
  }
  const number = (name: string, raw: unknown, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a positive number, got '${raw}'`);
    return n;
  };
  const project = values.project ? path.resolve(values.project as string) : findProject(process.cwd());
  const stacks = [...new Set(((values.stack as string[] | undefined) ?? ["staging"]).filter(Boolean))];
  return {
    stacks,
    diff: values.diff as string | undefined,
    config,
    json: values.json === true,
    out: path.resolve((values.out as string | undefined) ?? path.join(project, "plan")),
    markdown: values.markdown ? path.resolve(values.markdown as string) : undefined,
    maxComment: number("max-comment", values["max-comment"], 65_536),
    details: values.details === true,
    showSames: values["show-sames"] === true,
    exceptions: values.exceptions ? path.resolve(values.exceptions as string) : undefined,
    policy: values["no-policy"] !== true,
    policyPack: values["policy-pack"] ? path.resolve(values["policy-pack"] as string) : undefined,
    typeCheckPack: values["typecheck-pack"] === true,
    policyConfig: values["policy-config"] ? path.resolve(values["policy-config"] as string) : undefined,
    project,
    timeoutMs: number("timeout", values.timeout, 120) * 1000,
    color: values["no-color"] ? false : values.color ? true : undefined,
    quiet: values.quiet === true,
    timings: values.timings === true,
  };
}

function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

async function main(argv: string[]): Promise<number> {
  let args: Args | "help";
  try {
    args = parse(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const a = args;
  // Loaded after argument parsing so `--help` and usage errors answer at once.
  const { makeStyle, colourEnabled, Progress } = await import("./style");
  const { planStack } = await import("./run");
  const errStyle = makeStyle(colourEnabled(process.stderr, process.env, a.color));
  const outStyle = makeStyle(colourEnabled(process.stdout, process.env, a.color));
  const progress = new Progress(process.stderr, !a.quiet, errStyle);

  let policyConfig;
  if (a.policyConfig) {
    const { readPolicyConfig } = await import("./policy");
    try {
      policyConfig = readPolicyConfig(a.policyConfig);
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      return 2;
    }
  }
  // The reviewed exceptions (accepted advisories): read before any program runs, so a broken file
  // fails at once. The default file is optional (a project without one accepts nothing).
  let exceptions: import("./exceptions").Exceptions | undefined;
  if (a.policy) {
    const { readExceptions, DEFAULT_EXCEPTIONS_FILE } = await import("./exceptions");
    const file = a.exceptions ?? path.join(a.project, DEFAULT_EXCEPTIONS_FILE);
    try {
      if (a.exceptions !== undefined || fs.existsSync(file)) exceptions = readExceptions(file, relative(file));
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      return 2;
    }
  }
  // One pack process per stack, shared by its head and base plans.
  const { PolicyPool } = await import("./policy");
  const pool = a.policy ? new PolicyPool({ packDir: a.policyPack, config: policyConfig, typeCheckPack: a.typeCheckPack }) : undefined;
  const policy = a.policy ? { packDir: a.policyPack, config: policyConfig, pool, typeCheckPack: a.typeCheckPack } : (false as const);
  const plan = (projectDir: string, stack: string, task: string, configOverrides?: Record<string, string>) =>
    planStack({
      projectDir,
      stack,
      configOverrides,
      policy,
      timeoutMs: a.timeoutMs,
      onPhase: (phase, detail) => progress.update(task, phase, detail),
    });

  // The base: a plan file, a directory of plan files, or a git ref planned in a worktree.
  type Base = { kind: "files"; docs: Map<string, import("./json").PlanDocument>; label: string } | { kind: "git"; ref: string };
  let base: Base | undefined;
  if (a.diff !== undefined) {
    const { parsePlanFile } = await import("./json");
    const target = path.resolve(a.diff);
    try {
      if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        const docs = new Map<string, import("./json").PlanDocument>();
        for (const stack of a.stacks) {
          const file = path.join(target, `${stack}.json`);
          if (!fs.existsSync(file)) throw new Error(`--diff ${a.diff}: no ${stack}.json in that directory`);
          docs.set(stack, parsePlanFile(fs.readFileSync(file, "utf8"), file));
        }
        base = { kind: "files", docs, label: relative(target) };
      } else if (fs.existsSync(target)) {
        const doc = parsePlanFile(fs.readFileSync(target, "utf8"), target);
        if (a.stacks.length !== 1 || doc.stack !== a.stacks[0]) {
          throw new Error(`--diff ${a.diff} is the plan of stack '${doc.stack}'; plan that stack (--stack ${doc.stack}) or pass a directory of plan files`);
        }
        base = { kind: "files", docs: new Map([[doc.stack, doc]]), label: relative(target) };
      } else {
        const { resolveRef } = await import("./git");
        await resolveRef(a.project, a.diff); // fail fast on a typo, before any program runs
        base = { kind: "git", ref: a.diff };
      }
    } catch (err) {
      progress.done();
      process.stderr.write(`error: ${(err as Error).message}\n`);
      return 2;
    }
  }

  if (base?.kind === "files") {
    const { readProject } = await import("../engine/harness");
    let project: string;
    try {
      project = readProject(a.project).name;
    } catch (err) {
      progress.done();
      process.stderr.write(`error: ${(err as Error).message}\n`);
      return 2;
    }
    const other = [...base.docs.values()].find((d) => d.project !== project);
    if (other) {
      progress.done();
      process.stderr.write(`error: --diff ${a.diff} is a plan of project '${other.project}', not '${project}'\n`);
      return 2;
    }
  }
  const heads = Promise.all(a.stacks.map((stack) => plan(a.project, stack, stack, a.config)));
  let baseLabel = base?.kind === "files" ? base.label : "";
  let bases: Map<string, import("./run").StackPlan> | undefined;
  let baseError: string | undefined;
  if (base?.kind === "git") {
    const { withWorktree, removeWorktreesSync } = await import("./git");
    const onSignal = (signal: NodeJS.Signals) => {
      progress.done();
      removeWorktreesSync();
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const ref = base.ref;
    try {
      bases = await withWorktree(a.project, ref, async (tree) => {
        baseLabel = tree.label;
        const plans = await Promise.all(a.stacks.map((stack) => plan(tree.projectDir, stack, `${stack} (base)`)));
        return new Map(plans.map((p) => [p.stack, p]));
      });
    } catch (err) {
      baseError = (err as Error).message;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
  let results = await heads;
  await pool?.close();
  // Exceptions apply to the head plans only: the diff compares what the pack found, and the head's
  // file decides what is accepted now.
  let exceptionReport: import("./exceptions").ExceptionReport | undefined;
  if (exceptions) {
    const { applyExceptions, failsPlan } = await import("./exceptions");
    const applied = applyExceptions(
      results.flatMap((r) => (r.ok ? [r.doc] : [])),
      exceptions,
    );
    exceptionReport = applied.report;
    const byStack = new Map(applied.docs.map((d) => [d.stack, d]));
    const fail = failsPlan(exceptionReport);
    results = results.map((r) => (r.ok ? { ...r, doc: byStack.get(r.stack) ?? r.doc, exitCode: fail ? 1 : r.exitCode } : r));
  }
  progress.done();
  if (base?.kind === "git" && baseError && !bases) {
    // The ref itself was unusable: a command-line error, not a program failure.
    process.stderr.write(`error: ${baseError}\n`);
    return 2;
  }

  const { planFileText, canonicalJson } = await import("./json");
  const { diffPlans, isEmptyDiff } = await import("./diff");
  const { renderReport, renderFailure, renderExceptions } = await import("./report");
  const sections: Array<import("./markdown").StackSection> = [];
  const jsonStacks: unknown[] = [];
  let exitCode = 0;
  for (const result of results) {
    exitCode = Math.max(exitCode, result.exitCode);
    let diff: import("./diff").StackDiff | undefined;
    let baseDoc: import("./json").PlanDocument | undefined;
    let stackBaseError: string | undefined;
    if (base?.kind === "files") baseDoc = base.docs.get(result.stack);
    else if (bases) {
      const b = bases.get(result.stack)!;
      if (b.ok) {
        baseDoc = b.doc;
        writeFile(path.join(a.out, "base", `${result.stack}.json`), planFileText(b.doc));
      } else stackBaseError = b.error;
    }
    if (!result.ok) {
      process.stderr.write(renderFailure(result, { style: errStyle }));
      sections.push({ stack: result.stack, plan: result });
      jsonStacks.push({ stack: result.stack, ok: false, error: result.error });
      continue;
    }
    if (a.timings) {
      const t = result.timings;
      process.stderr.write(`${result.stack}: timings: program ${t.programMs} ms, policy ${t.policyMs} ms, total ${t.totalMs} ms\n`);
    }
    const planFile = path.join(a.out, `${result.stack}.json`);
    writeFile(planFile, planFileText(result.doc));
    if (baseDoc) diff = diffPlans(baseDoc, result.doc, baseLabel);
    if (!a.json) {
      process.stdout.write(renderReport(result, diff, baseDoc, { style: outStyle, details: a.details, showSames: a.showSames, planFile: relative(planFile) }));
      if (stackBaseError)
        process.stdout.write(
          `\n${renderFailure({ ok: false, stack: result.stack, error: stackBaseError, exitCode: 2 }, { style: outStyle, context: `base ${baseLabel}` })}`,
        );
      if (a.stacks.length > 1) process.stdout.write("\n");
    }
    sections.push({ stack: result.stack, plan: result, diff, ...(stackBaseError ? { baseError: stackBaseError } : {}) });
    jsonStacks.push({
      stack: result.stack,
      ok: true,
      exitCode: result.exitCode,
      plan: result.doc,
      ...(diff ? { diff } : {}),
      ...(stackBaseError ? { baseError: stackBaseError } : {}),
    });
  }

  if (exceptionReport && Object.keys(exceptionReport.accepted).length > 0 && !a.json)
    process.stdout.write(`${a.stacks.length > 1 ? "" : "\n"}${renderExceptions(exceptionReport, { style: outStyle })}`);
  if (a.diff !== undefined) {
    const { renderMarkdown } = await import("./markdown");
    const commentFile = a.markdown ?? path.join(a.out, "diff.md");
    const fullFile = commentFile.replace(/(\.md)?$/, ".full.md");
    const rendered = renderMarkdown(sections, {
      limit: a.maxComment,
      fullReport: `\`${relative(fullFile)}\` (workflow artifact \`plan\`)`,
      exceptions: exceptionReport,
    });
    writeFile(commentFile, rendered.comment);
    writeFile(fullFile, rendered.full);
    const changed = sections.some((s) => !s.plan.ok || !s.diff || !isEmptyDiff(s.diff));
    writeFile(
      path.join(path.dirname(commentFile), "diff.json"),
      canonicalJson(
        {
          changed,
          collapsed: rendered.collapsed,
          exceptions: exceptionReport ?? null,
          stacks: sections.map((s) => ({ stack: s.stack, ok: s.plan.ok, diff: s.diff ?? null })),
        },
        2,
      ),
    );
    if (!a.json) {
      process.stdout.write(
        `${outStyle("dim", `Wrote ${relative(commentFile)} (${rendered.comment.length} characters${rendered.collapsed.length ? `, collapsed: ${rendered.collapsed.join(", ")}` : ""}) and ${relative(fullFile)}`)}\n`,
      );
    }
  }
  if (a.json) {
    process.stdout.write(canonicalJson({ format: "app-platform-plan-run/1", exitCode, exceptions: exceptionReport ?? null, stacks: jsonStacks }, 2));
  }
  return exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}

export { main, parse as parseCliArgs, USAGE };
