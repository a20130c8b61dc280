/**
 * The checks of a product's spec against itself and the platform, run before any of its resources
 * is registered: every secret it names is declared, every required provided secret has a value,
 * restore checks verify a dump, health paths are paths, names are unique.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type Environment, throwIfInvalid } from "./context";
import type { ProductSpec, SecretRefs } from "./product-spec";
import type { PlatformSettings } from "./product-scope";
import { previousKey } from "./secrets/secret-set";
import { SENTRY_RELEASE } from "./workloads/product-workloads";
import { PRE_DEPLOY_PREFIX } from "./data/pre-deploy-backup";
import { isPort } from "./workloads/probe";

/** What `ApplicationStack` takes: one product's spec in one environment, its secrets' values and the platform. */
export interface ApplicationStackArgs {
  /** The environment this product is built for. */
  readonly environment: Environment;
  /** The owning team. @default "platform-team" */
  readonly owner?: string;
  /** What the product needs, from its definition in `stacks/`. */
  readonly spec: ProductSpec;
  /** Values of the product's provided secrets (encrypted config), by secret name. */
  readonly providedSecrets: Readonly<Record<string, pulumi.Input<string>>>;
  /** Shared cluster and account settings. */
  readonly platform: PlatformSettings;
}

/** Throws one error naming every problem of `args.spec` (component name `name`). */
export function validateApplicationStackArgs(name: string, args: ApplicationStackArgs): void {
  const { spec } = args;
  const problems: string[] = [];
  const declared = new Set([...spec.providedSecrets.map((s) => s.name), ...spec.generatedSecrets.map((s) => s.name)]);
  const optional = new Set(spec.providedSecrets.filter((s) => s.optional).map((s) => s.name));
  const keepsPrevious = new Set(spec.generatedSecrets.filter((s) => s.keepPrevious).map((s) => s.name));
  const check = (where: string, refs: SecretRefs, plainEnv: Readonly<Record<string, string>> = {}) => {
    for (const [env, secret] of Object.entries(refs)) {
      if (!declared.has(secret)) {
        problems.push(
          `\`${where}.secretEnv.${env}\` refers to secret \`${secret}\`, which the product neither provides nor generates; declare it in \`providedSecrets\` or \`generatedSecrets\``,
        );
      }
      const prev = previousKey(env);
      if (keepsPrevious.has(secret) && (prev in refs || prev in plainEnv)) {
        problems.push(
          `\`${where}.secretEnv.${env}\` reads \`${secret}\`, which keeps its previous value in \`${prev}\`, but \`${where}\` already sets \`${prev}\`; rename that variable`,
        );
      }
    }
  };
  spec.workloads.forEach((w) => check(`workloads.${w.name}`, w.secretEnv, w.env));
  for (const w of spec.workloads) {
    const where = `workloads.${w.name}`;
    for (const [variable, secret] of Object.entries(w.presenceEnv ?? {})) {
      if (!declared.has(secret)) {
        problems.push(
          `\`${where}.presenceEnv.${variable}\` follows secret \`${secret}\`, which the product does not declare; name one of its \`providedSecrets\``,
        );
      }
    }
    const computed = [SENTRY_RELEASE, ...(w.releaseEnv ?? []), ...Object.keys(w.presenceEnv ?? {})];
    for (const variable of computed) {
      if (variable in w.env || variable in w.secretEnv) {
        problems.push(
          `\`${where}.env\` or \`secretEnv\` sets \`${variable}\`, which the platform derives (the image's release, or a secret's presence); drop it from \`env\`/\`secretEnv\``,
        );
      }
    }
  }
  spec.webApps.forEach((a) => check(`webApps.${a.name}`, a.secretEnv, a.env));
  spec.backups?.jobs.forEach((j) => j.export && check(`backups.jobs.${j.name}.export`, j.export.secretEnv));
  const verify = spec.backups?.restoreVerification;
  if (verify) {
    const job = spec.backups!.jobs.find((j) => j.name === verify.job);
    if (!job) problems.push(`\`backups.restoreVerification.job\` is \`${verify.job}\`, which is not one of \`backups.jobs\``);
    else if (job.export) problems.push(`\`backups.restoreVerification.job\` \`${verify.job}\` is an export, not a pg_dump; verify a dump job`);
  }
  if (spec.databaseMaintenance && !declared.has(spec.databaseMaintenance.databaseSecret)) {
    problems.push(`\`databaseMaintenance.databaseSecret\` is \`${spec.databaseMaintenance.databaseSecret}\`, which the product does not declare`);
  }
  if (spec.backups && !declared.has(spec.backups.databaseSecret)) {
    problems.push(`\`backups.databaseSecret\` is \`${spec.backups.databaseSecret}\`, which the product does not declare`);
  }
  for (const s of spec.providedSecrets) {
    if (!optional.has(s.name) && args.providedSecrets[s.name] === undefined) {
      problems.push(`\`providedSecrets.${s.name}\` has no value; set it in encrypted stack config`);
    }
  }
  const dbPort = spec.database?.port;
  if (dbPort !== undefined && !isPort(dbPort)) {
    problems.push(
      `\`database.port\` is ${JSON.stringify(dbPort)}; set the database's TCP port, a whole number from 1 to 65535 (5432 for Postgres, 6543 for Supabase's transaction pooler)`,
    );
  }
  if (!spec.database && (spec.backups?.jobs.some((j) => !j.export) || spec.databaseMaintenance)) {
    problems.push(
      "the product dumps or maintains a database but declares no `database`; add `database: { secret, port }`, whose `port` opens the jobs' egress to it",
    );
  }
  if (spec.database && !declared.has(spec.database.secret)) {
    problems.push(`\`database.secret\` is \`${spec.database.secret}\`, which the product does not declare`);
  }
  if (spec.database && args.platform.postgresExporter.mode === "external" && !args.platform.postgresExporter.jobs[spec.id]) {
    problems.push(`\`postgresExporterJobs\` has no job for "${spec.id}"; with \`postgresExporter: external\` add "${spec.id}=<job of its exporter>"`);
  }
  for (const w of spec.workloads) {
    if (w.publicHost && !(w.healthPath ?? "").startsWith("/")) {
      problems.push(`\`workloads.${w.name}.healthPath\` must be the path of its public health endpoint (starting with "/"), which the uptime probe GETs`);
    }
  }
  // seed 001 §3.3: a migration runs after a backup, and reaches the database the workload reaches.
  for (const w of spec.workloads.filter((x) => x.migrationCommand !== undefined)) {
    const where = `\`workloads.${w.name}.migrationCommand\``;
    if (!spec.backups) {
      problems.push(
        `${where} needs a backup before each migration (seed 001 §3.3 "Backup production database before migration"), but the product has no \`backups\`; add them with a "${PRE_DEPLOY_PREFIX}" retention rule, or remove the command`,
      );
    } else if (!spec.backups.retention.some((r) => r.prefix === PRE_DEPLOY_PREFIX)) {
      problems.push(
        `${where} backs up into "${PRE_DEPLOY_PREFIX}", which \`backups.retention\` does not keep; add \`{ prefix: "${PRE_DEPLOY_PREFIX}", retention: Retention.days(90) }\` (seed 001 §4.1: manual backups kept 90 days)`,
      );
    }
    if (!spec.database || !Object.values(w.secretEnv).includes(spec.database.secret)) {
      problems.push(
        `${where} migrates the product's database, but the workload does not receive \`database.secret\`${spec.database ? ` (\`${spec.database.secret}\`)` : " (the product has no `database`)"}, so its migration could neither connect nor reach the database's port; add it to \`secretEnv\``,
      );
    }
  }
  for (const a of spec.webApps) {
    if (!a.healthPath.startsWith("/")) problems.push(`\`webApps.${a.name}.healthPath\` must start with "/"`);
    if (a.domains.length === 0) problems.push(`\`webApps.${a.name}.domains\` must list at least one host to probe`);
  }
  const names = [...spec.workloads.map((w) => w.name), ...spec.webApps.map((a) => a.name)];
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) problems.push(`\`workloads\`/\`webApps\` use the name \`${dup}\` twice; names must be unique within a product`);
  throwIfInvalid("ApplicationStack", name, problems);
}
