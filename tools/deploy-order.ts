/**
 * Does a deploy workflow work on a fresh account? Which stack creates and which looks up which
 * Vercel project comes from the program's own runs (registrations of `vercel:index/project:Project`,
 * and every Vercel invoke that names a project: `getProject`'s `name`, `getDomainConfig`'s
 * `projectIdOrName` when it is a name rather than an id), never from a hand-written list; the
 * workflow's jobs, their `needs` and the stack each one deploys come from the workflow file.
 *
 * The simulation: a job sees the projects that existed before plus those created by the jobs it
 * (transitively) needs — jobs that do not need each other may run in any order or in parallel. A
 * job whose stack fails when a looked-up project is missing ("strict") fails; a stack that tolerates
 * it ("tolerant") skips those apps and must get them in a later job of the same workflow run.
 */
import type { RunResult } from "./engine/harness";

/** The token of Vercel's project lookup and of the project resource. */
export const VERCEL_GET_PROJECT = "vercel:index/getProject:getProject";
export const VERCEL_PROJECT = "vercel:index/project:Project";
/** Vercel's per-domain DNS recommendation; it fails for a project (named or by id) that does not exist. */
export const VERCEL_GET_DOMAIN_CONFIG = "vercel:index/getDomainConfig:getDomainConfig";

/** Vercel project ids start with `prj_`; anything else a lookup passes is a project name. */
export function isVercelProjectId(value: string): boolean {
  return /^prj_/.test(value);
}

/** The project names a run's Vercel invokes look up by name (a lookup by id needs a project found or created before). */
export function projectsLookedUpByName(run: Pick<RunResult, "invokes">): Set<string> {
  const names = new Set<string>();
  for (const i of run.invokes) {
    const args = i.args as { name?: unknown; projectIdOrName?: unknown };
    if (i.token === VERCEL_GET_PROJECT && typeof args.name === "string") names.add(args.name);
    if (i.token === VERCEL_GET_DOMAIN_CONFIG && typeof args.projectIdOrName === "string" && !isVercelProjectId(args.projectIdOrName)) {
      names.add(args.projectIdOrName);
    }
  }
  return names;
}

/** One job of a deploy workflow: the stack it runs `pulumi up` on, and what it needs. */
export interface DeployJob {
  readonly id: string;
  readonly needs: readonly string[];
  /** The stack its `pulumi/actions` step runs `up` on; undefined for jobs that deploy nothing. */
  readonly stack?: string;
  /** The job's `if:` condition, when it has one. */
  readonly if?: string;
  /** The job's `outputs:` (name → expression). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** A job of a GitHub Actions workflow as YAML parses it (only the fields read here; any may be absent). */
interface WorkflowJob {
  readonly needs?: unknown;
  readonly if?: unknown;
  readonly outputs?: Record<string, unknown>;
  readonly steps?: ReadonlyArray<{ readonly uses?: unknown; readonly with?: Record<string, unknown> } | null>;
}

/** Reads the jobs of a parsed workflow document (`yaml.parse` of the file). */
export function deployJobs(doc: unknown): DeployJob[] {
  const jobs = (doc as { jobs?: Record<string, WorkflowJob> } | null)?.jobs ?? {};
  return Object.entries(jobs).map(([id, job]) => {
    const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(String) : [String(job.needs)];
    const up = (job.steps ?? []).find((s) => typeof s?.uses === "string" && s.uses.startsWith("pulumi/actions@") && s.with?.command === "up");
    return {
      id,
      needs,
      stack: up?.with?.["stack-name"] !== undefined ? String(up.with["stack-name"]) : undefined,
      if: job.if !== undefined ? String(job.if) : undefined,
      outputs: Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, String(v)])),
    };
  });
}

/** What one stack does with Vercel projects, from its runs. */
export interface StackProjectFacts {
  /** Projects the stack creates (`vercel.Project` names). */
  readonly creates: ReadonlySet<string>;
  /** Projects the stack looks up by name (`getProject`, or `getDomainConfig` with a name). */
  readonly looksUp: ReadonlySet<string>;
  /** Whether a run with none of the looked-up projects in the account still succeeds. */
  readonly tolerant: boolean;
}

/**
 * The facts of a stack from two runs of it: `withProjects`, where every lookup finds its project,
 * and `withoutProjects`, where every lookup fails as Vercel's does for a missing project.
 */
export function stackProjectFacts(withProjects: RunResult, withoutProjects: RunResult): StackProjectFacts {
  const creates = new Set(withProjects.resources.filter((r) => r.type === VERCEL_PROJECT).map((r) => String(r.inputs.name)));
  return { creates, looksUp: projectsLookedUpByName(withProjects), tolerant: withoutProjects.ok };
}

export interface DeploySimulation {
  /** Why the workflow run would fail or end incomplete; empty when it works. */
  readonly problems: string[];
  /** Per job: the looked-up projects it found missing (and skipped, when tolerant). */
  readonly missing: Readonly<Record<string, readonly string[]>>;
}

/** The jobs `id` transitively needs. */
function ancestors(jobs: ReadonlyMap<string, DeployJob>, id: string, seen = new Set<string>()): Set<string> {
  for (const need of jobs.get(id)?.needs ?? []) {
    if (seen.has(need)) continue;
    seen.add(need);
    ancestors(jobs, need, seen);
  }
  return seen;
}

/**
 * Simulates one run of the workflow on an account that already holds `existing` projects, every
 * job running (conditional jobs included: their condition is about skipped projects).
 */
export function simulateDeploy(
  jobList: readonly DeployJob[],
  facts: Readonly<Record<string, StackProjectFacts>>,
  existing: ReadonlySet<string>,
): DeploySimulation {
  const jobs = new Map(jobList.map((j) => [j.id, j]));
  const problems: string[] = [];
  const missing: Record<string, string[]> = {};
  const creators = (project: string) => jobList.filter((j) => j.stack && facts[j.stack]?.creates.has(project)).map((j) => j.id);

  for (const job of jobList) {
    for (const need of job.needs) if (!jobs.has(need)) problems.push(`job \`${job.id}\` needs \`${need}\`, which the workflow does not have`);
    if (!job.stack) continue;
    const f = facts[job.stack];
    if (!f) {
      problems.push(`job \`${job.id}\` deploys stack \`${job.stack}\`, which the program has no run of`);
      continue;
    }
    const before = ancestors(jobs, job.id);
    const available = new Set(existing);
    for (const a of before) {
      const s = jobs.get(a)?.stack;
      if (s) for (const p of facts[s]?.creates ?? []) available.add(p);
    }
    // A lookup runs at preview, before this job's own `up` creates anything: a project the stack
    // creates itself is not there for its own lookup on the first deploy.
    for (const p of [...f.looksUp].filter((p) => f.creates.has(p) && !available.has(p)).sort()) {
      problems.push(
        `job \`${job.id}\` (stack \`${job.stack}\`) looks up Vercel project "${p}" by name, which the same stack creates: on the first deploy the lookup runs before the project exists and fails; reference the created project's id instead`,
      );
    }
    for (const p of f.creates) available.add(p);
    const absent = [...f.looksUp].filter((p) => !available.has(p)).sort();
    missing[job.id] = absent;
    if (absent.length > 0 && !f.tolerant) {
      for (const p of absent) {
        const by = creators(p);
        problems.push(
          `job \`${job.id}\` (stack \`${job.stack}\`) looks up Vercel project "${p}", which ${
            by.length ? `only job ${by.map((b) => `\`${b}\``).join(", ")} creates, and it does not run before` : "no job creates"
          }; the lookup fails and every later job is skipped`,
        );
      }
    }
  }

  // Each stack must end the run complete: its last job (every other job of the stack runs before
  // it) found every project it looks up.
  const stacks = new Set(jobList.map((j) => j.stack).filter((s): s is string => s !== undefined));
  for (const stack of stacks) {
    const own = jobList.filter((j) => j.stack === stack);
    const last = own.filter((j) => own.every((o) => o === j || ancestors(jobs, j.id).has(o.id)));
    if (last.length !== 1) {
      problems.push(`stack \`${stack}\` is deployed by jobs ${own.map((j) => `\`${j.id}\``).join(", ")} that may run in parallel`);
      continue;
    }
    const left = missing[last[0].id] ?? [];
    if (left.length > 0 && facts[stack]?.tolerant) {
      problems.push(
        `stack \`${stack}\` ends the run without the variables and domains of Vercel project(s) ${left.map((p) => `"${p}"`).join(", ")}: no job deploys it again after they are created`,
      );
    }
  }
  return { problems, missing };
}
