/**
 * Scheduled database maintenance in the seeds' maintenance window: one Kubernetes CronJob per
 * task, each running `scripts/db-maintenance.sh` with a real SQL file from `scripts/`:
 *
 * - `vacuum`: `VACUUM (ANALYZE)` monthly (seeds 000 "Monthly VACUUM ANALYZE", 001 §7.1 "Run
 *   database maintenance (VACUUM, REINDEX)", 004 "Monthly: Database maintenance (VACUUM,
 *   ANALYZE)") — `scripts/db-vacuum.sql`;
 * - `reindex`: the vector indexes rebuilt quarterly with `REINDEX INDEX CONCURRENTLY` and a
 *   `lock_timeout` (seed 000 "Quarterly reindex of vector indices") — `scripts/db-reindex.sql`.
 *
 * The window is seed 001 §7.1's, the only one the seeds give: "Monthly (first Saturday, 2-6 AM
 * UTC)". Cron cannot express "first Saturday" (`0 2 1-7 * 6` fires on days 1-7 *or* Saturdays),
 * so the CronJob fires at 02:00 UTC on days 1-7 and the script runs the SQL only on the Saturday
 * among them, refuses to start outside 02:00-06:00, and gives the SQL the rest of the window as
 * its `statement_timeout`.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BackupImage, BACKUP_LABEL, BACKUP_UID, MAX_CRONJOB_NAME, parseCron } from "./job-kernel";
import { PlatformContext, TYPE_PREFIX, type Transform, isDnsLabel, recommendedLabels, throwIfInvalid, transform } from "../context";
import { secretEnv, tcpEgress } from "../workloads/pod-spec";
import { SCRIPTS_DIR, jobSecret, jobServiceAccount, scriptCronJobSpec, scriptJobNetworkPolicySpec, scriptsConfigMap } from "./script-job";
import { Duration } from "../values";

const COMPONENT = "DatabaseMaintenance";

const SCRIPTS = path.join(__dirname, "scripts");
/** The shell wrapper (window guard, password handling) and the SQL files, shipped in one ConfigMap. */
export const DB_MAINTENANCE_FILES = {
  script: path.join(SCRIPTS, "db-maintenance.sh"),
  /** Sourced by the script (the DATABASE_URL password → PGPASSWORD); shared with pg-backup.sh. */
  pgUrl: path.join(SCRIPTS, "pg-url.sh"),
  vacuum: path.join(SCRIPTS, "db-vacuum.sql"),
  reindex: path.join(SCRIPTS, "db-reindex.sql"),
} as const;
/** Label on every maintenance object. */
export const DB_MAINTENANCE_LABEL = "app-platform/db-maintenance";

/** A maintenance task: which SQL file runs, and on which days of which months. */
export type MaintenanceTask = "vacuum" | "reindex";

/** The maintenance window: the first `weekday` of the month, `startHour`–`endHour` UTC. */
export interface MaintenanceWindow {
  /** ISO weekday (1 = Monday … 7 = Sunday). @default 6 (Saturday, seed 001 §7.1) */
  readonly weekday?: number;
  /** Hour the window opens (UTC). @default 2 (seed 001 §7.1) */
  readonly startHour?: number;
  /** Hour the window closes (UTC, exclusive). @default 6 (seed 001 §7.1) */
  readonly endHour?: number;
}

export interface DatabaseMaintenanceArgs {
  /** Environment, product and owner. */
  readonly context: PlatformContext;
  /** Namespace of the CronJobs and their Secret, ConfigMap, ServiceAccount and NetworkPolicy. */
  readonly namespace: pulumi.Input<string>;
  /** libpq URI of the database (kept a secret, delivered only through a Secret). */
  readonly databaseUrl: pulumi.Input<string>;
  /** Image with psql (the backup image, components/data/scripts/pg-backup.Dockerfile), running as uid 70. */
  readonly image: BackupImage;
  /**
   * The tasks and the months they run in (the window's first weekday of each of those months).
   * @example { vacuum: { months: "*" }, reindex: { months: "1,4,7,10" } }
   */
  readonly tasks: Partial<Readonly<Record<MaintenanceTask, { readonly months: string }>>>;
  /** The maintenance window. @default { weekday: 6, startHour: 2, endHour: 6 } (seed 001 §7.1) */
  readonly window?: MaintenanceWindow;
  /** How long a statement waits for a lock before it gives up (`lock_timeout`). @default Duration.seconds(10) */
  readonly lockTimeout?: Duration;
  /** Index access methods the reindex task rebuilds. @default ["ivfflat", "hnsw"] (pgvector) */
  readonly vectorAccessMethods?: readonly string[];
  /** TCP port of the database, opened for egress. @default 5432 */
  readonly databasePort?: number;
  /** Container resources. @default { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } } */
  readonly resources?: {
    readonly requests?: { readonly cpu?: string; readonly memory?: string };
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
  };
  /** Adjust a child's arguments without forking the component. */
  readonly transform?: {
    readonly cronJob?: Transform<k8s.batch.v1.CronJobArgs, [task: MaintenanceTask]>;
    readonly networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
  };
}

/** Defaults of the optional arguments (the same values as their `@default`s). */
export const DATABASE_MAINTENANCE_DEFAULTS = {
  window: { weekday: 6, startHour: 2, endHour: 6 } as Required<MaintenanceWindow>,
  lockTimeout: Duration.seconds(10),
  vectorAccessMethods: ["ivfflat", "hnsw"] as readonly string[],
  databasePort: 5432,
  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
  /** A run that could not start within this long is skipped (it would start late in the window). */
  startingDeadline: Duration.hours(1),
};

/** The first `weekday` of a month always falls on day 1–7. */
const FIRST_WEEKDAY_LAST_DAY = 7;

/** The CronJob schedule of a task: the window's opening hour on days 1–7 of `months`. */
export function maintenanceSchedule(window: Required<MaintenanceWindow>, months: string): string {
  return `0 ${window.startHour} 1-${FIRST_WEEKDAY_LAST_DAY} ${months} *`;
}

/** Whether the script would run on `date` (UTC) — the guard of db-maintenance.sh, for tests and docs. */
export function inMaintenanceWindow(window: Required<MaintenanceWindow>, date: Date): boolean {
  const isoWeekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  const h = date.getUTCHours();
  return isoWeekday === window.weekday && date.getUTCDate() <= FIRST_WEEKDAY_LAST_DAY && h >= window.startHour && h < window.endHour;
}

/** Labels that select one task's pods. */
export function maintenanceSelectorLabels(context: PlatformContext, name: string): Record<string, string> {
  const all = recommendedLabels(context, name, "db-maintenance");
  return { "app.kubernetes.io/name": all["app.kubernetes.io/name"], "app.kubernetes.io/instance": all["app.kubernetes.io/instance"] };
}

/** Every problem with the arguments, checked synchronously; throws one `ValidationError`. */
export function validateDatabaseMaintenanceArgs(name: string, args: DatabaseMaintenanceArgs): void {
  const problems: string[] = [];
  const d = DATABASE_MAINTENANCE_DEFAULTS;
  const w = { ...d.window, ...args.window };
  const tasks = Object.keys(args.tasks) as MaintenanceTask[];
  if (tasks.length === 0) problems.push("`tasks` is empty; give `vacuum` and/or `reindex`");
  for (const task of tasks) {
    const cronName = `${name}-${task}`;
    if (!isDnsLabel(cronName, MAX_CRONJOB_NAME)) {
      problems.push(`the CronJob name "${cronName}" must be a DNS label of at most ${MAX_CRONJOB_NAME} characters; shorten the component name`);
    }
    const cron = parseCron(maintenanceSchedule(w, args.tasks[task]!.months));
    if ("problem" in cron)
      problems.push(`\`tasks.${task}.months\` "${args.tasks[task]!.months}" is not a cron month field: ${cron.problem}; e.g. "*" or "1,4,7,10"`);
  }
  if (!Number.isInteger(w.weekday) || w.weekday < 1 || w.weekday > 7) problems.push(`\`window.weekday\` is ${w.weekday}; use 1 (Monday) to 7 (Sunday)`);
  if (!Number.isInteger(w.startHour) || !Number.isInteger(w.endHour) || w.startHour < 0 || w.endHour > 24 || w.startHour >= w.endHour) {
    problems.push(`\`window\` ${w.startHour}:00-${w.endHour}:00 is not a window within one UTC day; e.g. { startHour: 2, endHour: 6 } (seed 001 §7.1)`);
  }
  const lock = args.lockTimeout ?? d.lockTimeout;
  if (lock.toSeconds() < 1 || !Number.isInteger(lock.toSeconds()))
    problems.push(`\`lockTimeout\` is ${lock}; use whole seconds of at least 1, e.g. \`Duration.seconds(10)\``);
  for (const m of args.vectorAccessMethods ?? d.vectorAccessMethods) {
    if (!/^[a-z_][a-z0-9_]*$/.test(m)) problems.push(`\`vectorAccessMethods\` entry "${m}" is not an index access method name`);
  }
  const image = args.image;
  if (!image || !image.repository || !image.tag || image.tag === "latest" || image.tag.startsWith("latest@")) {
    problems.push("`image` must be a repository and a pinned tag (never `latest`) (kubernetes-disallow-latest-image-tag)");
  }
  const port = args.databasePort ?? d.databasePort;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`\`databasePort\` is ${port}; use a TCP port from 1 to 65535`);
  throwIfInvalid(COMPONENT, name, problems);
}

/** Maintenance CronJobs (VACUUM, vector REINDEX) of one database, in the maintenance window. */
export class DatabaseMaintenance extends pulumi.ComponentResource {
  /** CronJob name per task. */
  readonly cronJobNames: Readonly<Partial<Record<MaintenanceTask, string>>>;
  /** Schedule per task (UTC). */
  readonly schedules: Readonly<Partial<Record<MaintenanceTask, string>>>;
  /** The effective window. */
  readonly window: Required<MaintenanceWindow>;

  private readonly baseName: string;
  private readonly args: DatabaseMaintenanceArgs;

  constructor(name: string, args: DatabaseMaintenanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:kubernetes:${COMPONENT}`, name, {}, opts);
    validateDatabaseMaintenanceArgs(name, args);
    this.baseName = name;
    this.args = args;
    this.window = { ...DATABASE_MAINTENANCE_DEFAULTS.window, ...args.window };
    const tasks = Object.keys(args.tasks) as MaintenanceTask[];
    this.cronJobNames = Object.fromEntries(tasks.map((t) => [t, `${name}-${t}`]));
    this.schedules = Object.fromEntries(tasks.map((t) => [t, maintenanceSchedule(this.window, args.tasks[t]!.months)]));

    const serviceAccount = this.createServiceAccount();
    const secret = this.createSecret();
    const files = this.createFilesConfigMap();
    for (const task of tasks) this.createCronJob(task, serviceAccount, secret, files);
    this.createNetworkPolicy();

    this.registerOutputs({ cronJobNames: this.cronJobNames, schedules: this.schedules });
  }

  private labels(name: string): Record<string, string> {
    return { ...recommendedLabels(this.args.context, name, "db-maintenance"), [DB_MAINTENANCE_LABEL]: "true", [BACKUP_LABEL]: "false" };
  }

  private metadata(name: string): k8s.types.input.meta.v1.ObjectMeta {
    return { name, namespace: this.args.namespace, labels: this.labels(this.baseName) };
  }

  private createServiceAccount(): k8s.core.v1.ServiceAccount {
    return jobServiceAccount(this, `${this.baseName}-sa`, this.metadata(this.baseName));
  }

  private createSecret(): k8s.core.v1.Secret {
    return jobSecret(this, `${this.baseName}-credentials`, this.metadata(`${this.baseName}-credentials`), {
      DATABASE_URL: pulumi.secret(this.args.databaseUrl),
    });
  }

  private createFilesConfigMap(): k8s.core.v1.ConfigMap {
    const data = Object.fromEntries(Object.values(DB_MAINTENANCE_FILES).map((f) => [path.basename(f), readFileSync(f, "utf8")]));
    return scriptsConfigMap(this, `${this.baseName}-scripts`, this.metadata(`${this.baseName}-scripts`), data);
  }

  private createCronJob(
    task: MaintenanceTask,
    serviceAccount: k8s.core.v1.ServiceAccount,
    secret: k8s.core.v1.Secret,
    files: k8s.core.v1.ConfigMap,
  ): k8s.batch.v1.CronJob {
    const a = this.args;
    const d = DATABASE_MAINTENANCE_DEFAULTS;
    const w = this.window;
    const name = this.cronJobNames[task]!;
    // Pods of every task share the component's labels, so one NetworkPolicy selects them all.
    const labels = { ...this.labels(this.baseName), "app-platform/db-maintenance-task": task };
    const args: k8s.batch.v1.CronJobArgs = {
      metadata: { ...this.metadata(name), labels },
      spec: scriptCronJobSpec({
        context: a.context,
        schedule: this.schedules[task]!,
        startingDeadlineSeconds: d.startingDeadline.toSeconds(),
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        // Never past the window's end; the SQL's statement_timeout ends it on time as well.
        activeDeadlineSeconds: (w.endHour - w.startHour) * 3600,
        backoffLimit: 0,
        labels,
        serviceAccountName: serviceAccount.metadata.name,
        runAsUser: BACKUP_UID,
        container: {
          name: `db-${task}`,
          image: a.image,
          command: ["/bin/sh", `${SCRIPTS_DIR}/${path.basename(DB_MAINTENANCE_FILES.script)}`],
          env: [
            { name: "MAINTENANCE_SQL", value: `${SCRIPTS_DIR}/${path.basename(DB_MAINTENANCE_FILES[task])}` },
            { name: "LOCK_TIMEOUT", value: `${(a.lockTimeout ?? d.lockTimeout).toSeconds()}s` },
            { name: "ACCESS_METHODS", value: (a.vectorAccessMethods ?? d.vectorAccessMethods).join(",") },
            { name: "WINDOW_WEEKDAY", value: String(w.weekday) },
            { name: "WINDOW_START_HOUR", value: String(w.startHour) },
            { name: "WINDOW_END_HOUR", value: String(w.endHour) },
            { name: "HOME", value: "/tmp" },
            secretEnv(secret.metadata.name, "DATABASE_URL"),
          ],
          resources: a.resources ?? d.resources,
        },
        scriptsConfigMap: files.metadata.name,
        tmpSizeLimit: "64Mi",
      }),
    };
    return new k8s.batch.v1.CronJob(`${name}-cronjob`, transform(a.transform?.cronJob, args, task), { parent: this });
  }

  private createNetworkPolicy(): k8s.networking.v1.NetworkPolicy {
    const port = this.args.databasePort ?? DATABASE_MAINTENANCE_DEFAULTS.databasePort;
    const args: k8s.networking.v1.NetworkPolicyArgs = {
      metadata: this.metadata(this.baseName),
      spec: scriptJobNetworkPolicySpec(maintenanceSelectorLabels(this.args.context, this.baseName), [tcpEgress(port)]),
    };
    return new k8s.networking.v1.NetworkPolicy(`${this.baseName}-network-policy`, transform(this.args.transform?.networkPolicy, args), { parent: this });
  }
}
