/**
 * Clerk user export drill (seed 004 "Application Backup": `clerk-cli export users >
 * clerk-users-backup.json`): the export job's own script, components/data/scripts/clerk-export.sh
 * (the file its CronJob mounts), pages through a stand-in for Clerk's Backend API
 * (tests/drill/clerk-stub.ts, shaped after Clerk's OpenAPI spec) and uploads to the SigV4-checking
 * S3 stub. It runs with Debian's dash and with busybox (sh, awk, fold, gzip, … as in the job's
 * Alpine image). Then the faults: a rate limit that does not lift, a 5xx, a page that does not
 * parse, an answer in another shape, a bad key — each exits 1 with `clerk-export: error:` and
 * uploads nothing.
 */
import { gunzipSync } from "node:zlib";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLERK_API_URL, CLERK_EXPORT_SCRIPT_PATH } from "../../components/data/backup-job";
import { type ProcessResult, argvRecorders, busyboxApplets, spawnAsync } from "./backup-run";
import { type ClerkFault, type ClerkStub, type ClerkUser, clerkUsers, startClerkStub } from "./clerk-stub";
import { type S3Stub, startS3Stub } from "./s3-stub";

const BUCKET = "ara-prod-backups";
const REGION = "auto"; // R2's signing region, as the ARA bucket uses
const ACCESS_KEY_ID = "r2tokenidclerkdrill0001";
const SECRET_ACCESS_KEY = randomBytes(32).toString("hex");
const CLERK_SECRET_KEY = `sk_test_${randomBytes(24).toString("base64url")}`;
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Objects the job writes: `<prefix><product>-<UTC timestamp>.json.gz` (the same scheme as pg-backup.sh's). */
const KEY = /^clerk-users\/ara-\d{8}T\d{6}Z\.json\.gz$/;
/** What the job's Alpine image has from busybox for this script. */
const BUSYBOX_TOOLS = ["sh", "awk", "fold", "gzip", "date", "head", "tr", "wc", "rm"];

let work: string;
let s3: S3Stub;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "clerk-export-drill-"));
  s3 = await startS3Stub({ root: join(work, "s3"), buckets: [BUCKET], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION });
});

afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

interface ExportRun extends ProcessResult {
  readonly tmp: string;
  readonly result?: { key: string; users: number; pages: number; bytes: number; seconds: number };
}

/** Runs clerk-export.sh with exactly the job's environment (plus PATH and HOME), as the CronJob does. */
async function runExport(clerk: ClerkStub, o: { shell?: "dash" | "busybox"; argvLog?: string; env?: Record<string, string> } = {}): Promise<ExportRun> {
  const tmp = mkdtempSync(join(work, "tmp-"));
  const applets = o.shell === "busybox" ? busyboxApplets(BUSYBOX_TOOLS) : undefined;
  const recorders = o.argvLog ? argvRecorders(o.argvLog, ["curl", "openssl"]) : undefined;
  const env = {
    CLERK_SECRET_KEY,
    CLERK_API_URL: clerk.apiUrl,
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: REGION,
    BACKUP_PREFIX: "clerk-users/",
    PRODUCT: "ara",
    BACKUP_TMPDIR: tmp,
    ...o.env,
    PATH: [recorders, applets, SYSTEM_PATH].filter(Boolean).join(":"),
    HOME: tmp,
  };
  try {
    const r = applets ? await spawnAsync("/bin/busybox", ["sh", CLERK_EXPORT_SCRIPT_PATH], env) : await spawnAsync("/bin/sh", [CLERK_EXPORT_SCRIPT_PATH], env);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    return { ...r, tmp, ...(r.code === 0 && line.startsWith("{") ? { result: JSON.parse(line) } : {}) };
  } finally {
    for (const dir of [applets, recorders]) if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The uploaded object, un-gzipped and parsed (the stub stores it under the encoded key). */
function uploaded(key: string): { text: string; users: ClerkUser[] } {
  const text = gunzipSync(readFileSync(join(work, "s3", BUCKET, encodeURIComponent(key)))).toString("utf8");
  return { text, users: JSON.parse(text) as ClerkUser[] };
}

/** A fault: exit 1, one `clerk-export: error:` line last, nothing new in the bucket, no temp files, the key never printed. */
function expectCleanFailure(run: ExportRun, keysBefore: string[], reason: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe("");
  const last = run.stderr.trimEnd().split("\n").pop();
  expect(last).toMatch(/^clerk-export: error: /);
  expect(last).toMatch(reason);
  expect(s3.keys(BUCKET)).toEqual(keysBefore);
  expect(readdirSync(run.tmp)).toEqual([]);
  expect(run.stderr).not.toContain(CLERK_SECRET_KEY);
}

describe("Clerk user export drill: clerk-export.sh → Clerk Backend API stand-in → S3", () => {
  it("defaults to Clerk's Backend API server (the spec's `servers`), the URL the job sets", () => {
    expect(CLERK_API_URL).toBe("https://api.clerk.com/v1");
    expect(readFileSync(CLERK_EXPORT_SCRIPT_PATH, "utf8")).toContain(`CLERK_API_URL="\${CLERK_API_URL:-${CLERK_API_URL}}"`);
  });

  it.each(["dash", "busybox"] as const)("with %s, pages through 1234 users (3 pages of at most 500) and uploads every one of them", async (shell) => {
    const users = clerkUsers(1234, shell);
    const clerk = await startClerkStub({ secretKey: CLERK_SECRET_KEY, users });
    const log = join(work, `argv-${shell}.log`);
    try {
      const run = await runExport(clerk, { shell, argvLog: log });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.result).toMatchObject({ users: 1234, pages: 3 });
      expect(run.result!.key).toMatch(KEY);
      expect(s3.keys(BUCKET)).toContain(run.result!.key);
      expect(readdirSync(run.tmp)).toEqual([]);

      // Every user, in Clerk's order, byte for byte as Clerk sent it.
      const { text, users: got } = uploaded(run.result!.key);
      expect(got).toEqual(users);
      const lines = text.trimEnd().split("\n");
      expect(lines).toHaveLength(1234 + 2); // `[`, one user a line, `]`
      expect([lines[0], lines[1], lines.at(-1)]).toEqual(["[", `${JSON.stringify(users[0])},`, "]"]);

      // Cursor paging, newest first, 500 a page; the key in the Authorization header of each request.
      expect(clerk.requests.map((r) => r.query)).toEqual([
        { limit: "500", order_by: "-created_at" },
        { limit: "500", order_by: "-created_at", starting_after: users[499].id },
        { limit: "500", order_by: "-created_at", starting_after: users[999].id },
      ]);
      expect(clerk.requests.every((r) => r.authorization === `Bearer ${CLERK_SECRET_KEY}` && r.status === 200)).toBe(true);

      // … and never on a command line (the recorders saw curl run, so the absence means something).
      const argv = readFileSync(log, "utf8");
      expect(argv).toMatch(/^curl .*\/v1\/users\?limit=500/m);
      expect(argv).not.toContain(CLERK_SECRET_KEY);
      expect(argv).not.toContain(SECRET_ACCESS_KEY);
    } finally {
      await clerk.close();
    }
  });

  it("ends on an empty page when the user count is a multiple of the page size", async () => {
    const users = clerkUsers(6, "even");
    const clerk = await startClerkStub({ secretKey: CLERK_SECRET_KEY, users });
    try {
      const run = await runExport(clerk, { env: { CLERK_PAGE_SIZE: "3" } });
      expect(run.stderr).toBe("");
      expect(run.result).toMatchObject({ users: 6, pages: 3 });
      expect(uploaded(run.result!.key).users).toEqual(users);
    } finally {
      await clerk.close();
    }
  });

  it("uploads a valid, empty export when the instance has no users", async () => {
    const clerk = await startClerkStub({ secretKey: CLERK_SECRET_KEY, users: [] });
    try {
      const run = await runExport(clerk);
      expect(run.stderr).toBe("");
      expect(run.result).toMatchObject({ users: 0, pages: 1 });
      const { text, users } = uploaded(run.result!.key);
      expect(text).toBe("[]\n");
      expect(users).toEqual([]);
    } finally {
      await clerk.close();
    }
  });

  it("waits out one 429 (Retry-After) and carries on", async () => {
    const users = clerkUsers(7, "retry");
    const limited: ClerkFault = {
      status: 429,
      headers: { "Retry-After": "1" },
      body: '{"errors":[{"message":"Too many requests","long_message":"Too many requests","code":"too_many_requests"}]}',
    };
    const clerk = await startClerkStub({ secretKey: CLERK_SECRET_KEY, users, fault: (n) => (n === 2 ? limited : undefined) });
    try {
      const run = await runExport(clerk, { env: { CLERK_PAGE_SIZE: "5" } });
      expect(run.stderr).toBe("");
      expect(run.result).toMatchObject({ users: 7, pages: 2 });
      expect(clerk.requests.map((r) => r.status)).toEqual([200, 429, 200]);
      expect(uploaded(run.result!.key).users).toEqual(users);
    } finally {
      await clerk.close();
    }
  });

  const faults: [string, (n: number) => ClerkFault | undefined, RegExp][] = [
    [
      "a 429 that does not lift",
      (n) =>
        n >= 2
          ? { status: 429, headers: { "Retry-After": "1" }, body: '{"errors":[{"message":"Too many requests","long_message":"x","code":"too_many_requests"}]}' }
          : undefined,
      /HTTP 429: .*too_many_requests/,
    ],
    [
      "a 500 mid-way that persists through curl's retries",
      (n) => (n >= 2 ? { status: 500, body: '{"errors":[{"message":"Internal","long_message":"x","code":"internal_clerk_error"}]}' } : undefined),
      /HTTP 500/,
    ],
    [
      "a page cut short",
      (n) => (n === 2 ? { status: 200, body: JSON.stringify(clerkUsers(5, "cut")).slice(0, -40) } : undefined),
      /page 2 is not a JSON array of users: /,
    ],
    [
      "an answer in another shape ({data, total_count})",
      (n) => (n === 1 ? { status: 200, body: JSON.stringify({ data: clerkUsers(2), total_count: 2 }) } : undefined),
      /not a JSON array/,
    ],
    ["a 200 that is not JSON", (n) => (n === 2 ? { status: 200, body: "<html>maintenance</html>" } : undefined), /page 2 is not a JSON array of users/],
  ];

  it.each(faults)(
    "fails on %s and uploads nothing",
    async (_name, fault, reason) => {
      const clerk = await startClerkStub({ secretKey: CLERK_SECRET_KEY, users: clerkUsers(12, "fault"), fault });
      const before = s3.keys(BUCKET);
      try {
        const run = await runExport(clerk, { env: { CLERK_PAGE_SIZE: "5" } });
        expectCleanFailure(run, before, reason);
      } finally {
        await clerk.close();
      }
    },
    30_000,
  );

  it("fails on a key Clerk refuses (401), printing Clerk's error but not the key", async () => {
    const clerk = await startClerkStub({ secretKey: "sk_test_someone_else", users: clerkUsers(3) });
    const before = s3.keys(BUCKET);
    try {
      const run = await runExport(clerk);
      expectCleanFailure(run, before, /HTTP 401: .*authentication_invalid/);
    } finally {
      await clerk.close();
    }
  });

  it("refuses to start without CLERK_SECRET_KEY", async () => {
    const clerk = await startClerkStub({ secretKey: CLERK_SECRET_KEY, users: [] });
    const before = s3.keys(BUCKET);
    try {
      const run = await runExport(clerk, { env: { CLERK_SECRET_KEY: "" } });
      expectCleanFailure(run, before, /CLERK_SECRET_KEY is not set/);
      expect(clerk.requests).toEqual([]);
    } finally {
      await clerk.close();
    }
  });
});
