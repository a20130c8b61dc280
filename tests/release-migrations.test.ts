/**
 * Migrations before the new code, and a backup before each release that migrates (issue 20; seed
 * 001 §3.3 "Backup production database before migration", "Run migrations before deploying new
 * code"; §4.1 "Backup Schedule: … Before each deployment"), on both committed stacks as Pulumi's
 * runner registers them (dependencies and custom timeouts included):
 *
 * - Codebook's api (seed 001 §3.3 `npx prisma migrate deploy`) gets the chain pre-deploy backup
 *   Job → migration Job → Deployment, each step `dependsOn` the one before;
 * - the migration runs the Deployment's exact image pin, with its ConfigMap by `envFrom` and its
 *   Secret by `secretKeyRef` only, its identity and security context, and a NetworkPolicy with
 *   its egress (DNS, the database's port, 443), selecting the Job's pods and not the Service's;
 * - the backup runs the scheduled dumps' container into `pre-deploy/` with its own prefix-scoped
 *   credentials, and the bucket keeps that prefix 90 days;
 * - the Jobs' names come from `releaseJobName` of the image: the same tag gives the same names, a
 *   new tag new ones (a second run of the program with another tag);
 * - workloads without a `migrationCommand` get no Job.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plain, secretPaths, type RegisteredResource, type RunResult } from "../tools/engine/harness";
import { PROJECT_ROOT, requireOk } from "../tools/engine/stack-run";
import { runOfflineStack } from "../tools/engine/offline-stack";
import { committedStackRun } from "./helpers/stack-runs";
import { MAX_JOB_NAME, releaseJobName } from "../components/workloads/release-jobs";
import { PRE_DEPLOY_PREFIX } from "../components/data/pre-deploy-backup";

const STACKS = ["staging", "prod"] as const;
const runs: Record<string, RunResult> = {};
let retagged: RunResult;
const NEW_TAG = "9.9.9-migrations";

beforeAll(async () => {
  for (const stack of STACKS) runs[stack] = requireOk(await committedStackRun(stack));
  retagged = requireOk((await runOfflineStack({ projectDir: PROJECT_ROOT, stack: "staging", configOverrides: { codebookApiImageTag: NEW_TAG } })).result);
}, 600_000);

const named = (r: RunResult, name: string): RegisteredResource => {
  const hit = r.resources.find((x) => x.name === name);
  if (!hit) throw new Error(`no resource ${name} in ${r.stack}`);
  return hit;
};
const inputs = (r: RegisteredResource): any => plain(r.inputs);
const podSpecOf = (r: RegisteredResource): any => inputs(r).spec.template.spec;
const JOB = "kubernetes:batch/v1:Job";

describe.each(STACKS)("%s", (stack) => {
  const run = () => runs[stack];
  const backup = () => named(run(), "codebook-api-pre-deploy-job");
  const migration = () => named(run(), "codebook-api-migration");
  const deployment = () => named(run(), "codebook-api-deployment");

  it("the api's release chain: pre-deploy backup Job → migration Job → Deployment (dependsOn)", () => {
    expect(backup().type).toBe(JOB);
    expect(migration().type).toBe(JOB);
    expect(migration().dependencies).toContain(backup().urn);
    expect(deployment().dependencies).toContain(migration().urn);
    // The Deployment waits for the migration, not only for the backup beside it.
    expect(deployment().dependencies).not.toContain(backup().urn);
  });

  it("the migration runs seed 001 §3.3's command in the Deployment's exact image pin", () => {
    const [job] = podSpecOf(migration()).containers;
    const [app] = podSpecOf(deployment()).containers;
    expect(job.command).toEqual(["npx", "prisma", "migrate", "deploy"]);
    expect(job.image).toBe(app.image);
    expect(job.image).toMatch(/codebook-backend:[^@]+$|@sha256:/);
  });

  it("the migration's secrets arrive only through the workload's Secret; its config through the same ConfigMap", () => {
    const [job] = podSpecOf(migration()).containers;
    const [app] = podSpecOf(deployment()).containers;
    expect(job.envFrom).toEqual(app.envFrom);
    const fromSecret = (job.env as any[]).filter((e) => e.valueFrom);
    expect(fromSecret).toEqual(app.env);
    for (const e of fromSecret) expect(e.valueFrom.secretKeyRef.name).toBe("codebook-api-secrets");
    // The one literal: HOME on the writable /tmp (read-only root filesystem).
    expect((job.env as any[]).filter((e) => !e.valueFrom)).toEqual([{ name: "HOME", value: "/tmp" }]);
    for (const job of [migration(), backup()]) {
      expect(secretPaths(job.inputs), job.name).toEqual([]);
      expect(JSON.stringify(inputs(job)), job.name).not.toMatch(/SENTINEL-/);
    }
  });

  it("the migration's pod has the Deployment's identity, pod and container security context, resources and /tmp; no retries; a deadline", () => {
    const job = podSpecOf(migration());
    const app = podSpecOf(deployment());
    for (const key of ["serviceAccountName", "automountServiceAccountToken", "securityContext", "imagePullSecrets", "volumes"]) {
      expect(job[key], key).toEqual(app[key]);
    }
    for (const key of ["securityContext", "resources", "volumeMounts", "imagePullPolicy"]) {
      expect(job.containers[0][key], key).toEqual(app.containers[0][key]);
    }
    expect(job.restartPolicy).toBe("Never");
    const spec = inputs(migration()).spec;
    expect(spec.backoffLimit).toBe(0);
    expect(spec.activeDeadlineSeconds).toBe(900);
    expect(spec.ttlSecondsAfterFinished).toBeUndefined();
    // The provider waits 10 minutes by default; `pulumi up` waits out the deadline and 5 minutes.
    expect(migration().customTimeouts).toMatchObject({ create: "20m", update: "20m" });
    expect(backup().customTimeouts).toMatchObject({ create: "65m", update: "65m" });
  });

  it("the migration's NetworkPolicy selects its pods (not the Service's) and opens what the workload reaches: DNS, the database's port, 443", () => {
    const policy = inputs(named(run(), "codebook-api-migrate-network-policy"));
    const podLabels = inputs(migration()).spec.template.metadata.labels;
    for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) expect(podLabels[k], k).toBe(v);
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.ingress).toEqual([]);
    const workloadPolicy = inputs(named(run(), "codebook-api-allow"));
    expect(policy.spec.egress).toEqual(workloadPolicy.spec.egress);
    const ports = (policy.spec.egress as any[]).flatMap((e) => e.ports.map((p: any) => `${p.protocol}/${p.port}`));
    expect(ports).toEqual(expect.arrayContaining(["UDP/53", "TCP/53", "TCP/5432", "TCP/443"]));
    // The Service (and the PDB) select the Deployment's pods only.
    const selector = inputs(named(run(), "codebook-api-service")).spec.selector;
    expect(Object.entries(selector).every(([k, v]) => podLabels[k] === v)).toBe(false);
    expect(migration().dependencies).toContain(named(run(), "codebook-api-migrate-network-policy").urn);
  });

  it("the pre-deploy backup runs the scheduled dump's container into pre-deploy/, with its own prefix-scoped credentials", () => {
    const [c] = podSpecOf(backup()).containers;
    const daily = inputs(named(run(), "codebook-backup-daily-cronjob")).spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.command).toEqual(daily.command);
    expect(c.image).toBe(daily.image);
    const env = Object.fromEntries((c.env as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env.BACKUP_PREFIX).toBe(PRE_DEPLOY_PREFIX);
    expect(env.PRODUCT).toBe("codebook");
    expect(env.S3_BUCKET).toBe(Object.fromEntries((daily.env as any[]).map((e) => [e.name, e.value])).S3_BUCKET);
    for (const key of ["DATABASE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
      expect(env[key], key).toEqual({ secretKeyRef: { name: "codebook-api-pre-deploy-credentials", key } });
    }
    // Same variables as the scheduled dump but for the prefix and the Secret's name.
    expect((c.env as any[]).map((e) => e.name)).toEqual((daily.env as any[]).map((e) => e.name));
    // Its own IAM user (the policy document, known after the bucket exists, is checked in
    // tests/components/release-jobs.test.ts: s3:PutObject under pre-deploy/ only).
    expect(inputs(named(run(), "codebook-api-pre-deploy-user"))).toMatchObject({ name: `codebook-api-pre-deploy-${stack}`, path: "/app-platform/backup/" });
    expect(named(run(), "codebook-api-pre-deploy-user-policy").type).toBe("aws:iam/userPolicy:UserPolicy");
    expect(backup().dependencies).toContain(named(run(), "codebook-api-pre-deploy-network-policy").urn);
    const egress = inputs(named(run(), "codebook-api-pre-deploy-network-policy")).spec.egress as any[];
    expect(egress.flatMap((e) => e.ports.map((p: any) => `${p.protocol}/${p.port}`))).toEqual(["UDP/53", "TCP/53", "TCP/5432", "TCP/443"]);
  });

  it("the backup bucket keeps pre-deploy/ dumps 90 days (seed 001 §4.1, manual backups)", () => {
    const lifecycle = inputs(run().resources.find((r) => r.name === "codebook-backups-lifecycle")!);
    const rule = (lifecycle.rules as any[]).find((r) => r.filter?.prefix === PRE_DEPLOY_PREFIX);
    expect(rule?.expiration?.days).toBe(90);
  });

  it("the Jobs are named per image: releaseJobName of the Deployment's image reference, DNS labels of at most 63 characters", () => {
    const [app] = podSpecOf(deployment()).containers;
    expect(inputs(migration()).metadata.name).toBe(releaseJobName("codebook-api", "migrate", app.image));
    expect(inputs(backup()).metadata.name).toBe(releaseJobName("codebook-api", "pre-deploy", app.image));
    for (const job of [migration(), backup()]) {
      const name = inputs(job).metadata.name as string;
      expect(name.length).toBeLessThanOrEqual(MAX_JOB_NAME);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      // Where the logs are, on the Job (the provider's error names the Job, not its logs).
      expect(inputs(job).metadata.annotations["app-platform/logs"]).toBe(`kubectl logs job/${name} -n codebook-${stack}`);
      expect(inputs(job).metadata.annotations["pulumi.com/replaceUnready"]).toBe("true");
    }
  });

  it("no Job for a workload without a migration command (Ask Dahlia's worker, the Chat API)", () => {
    const jobs = run().resources.filter((r) => r.type === JOB);
    expect(jobs.map((j) => j.name).sort()).toEqual(["codebook-api-migration", "codebook-api-pre-deploy-job"]);
    for (const name of ["ask-dahlia-worker-deployment", "chat-api-api-deployment"]) {
      expect(named(run(), name).dependencies.filter((u) => u.includes("batch/v1:Job"))).toEqual([]);
    }
  });
});

describe("a new image tag", () => {
  const names = (r: RunResult) =>
    Object.fromEntries(["codebook-api-migration", "codebook-api-pre-deploy-job"].map((n) => [n, inputs(named(r, n)).metadata.name as string]));

  it("makes new Jobs (new names, same resources); the committed tag keeps its names run after run", async () => {
    const before = names(runs.staging);
    const after = names(retagged);
    for (const n of Object.keys(before)) expect(after[n], n).not.toBe(before[n]);
    expect(podSpecOf(named(retagged, "codebook-api-migration")).containers[0].image).toMatch(new RegExp(`:${NEW_TAG.replace(/\./g, "\\.")}$`));
    // Same URNs: the provider replaces each Job (a new name is replace-on-change), removing the old one.
    expect(named(retagged, "codebook-api-migration").urn).toBe(named(runs.staging, "codebook-api-migration").urn);
    // The same tag again: this session's run of the committed config gives the names the recorded
    // plan (an earlier run, tests/plan/recorded.test.ts) holds.
    const recorded = JSON.parse(readFileSync(join(PROJECT_ROOT, "tests/fixtures/recorded-plans/staging.json"), "utf8")) as {
      resources: { name: string; inputs: any }[];
    };
    const recordedName = (n: string) => recorded.resources.find((r) => r.name === n)?.inputs.metadata.name;
    expect(Object.fromEntries(Object.keys(before).map((n) => [n, recordedName(n)]))).toEqual(before);
  });
});
