/**
 * The base of `--diff <git ref>`: the project as it is at that ref, checked out into a
 * temporary `git worktree` (the current checkout is never touched), planned there, and removed
 * again — also when the plan fails.
 *
 * The worktree has no `node_modules`; the project's own is linked in, so the base runs with the
 * SDK versions installed now (a PR that changes dependencies shows the program's change, not
 * the upgrade's).
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** Thrown for a ref git does not know or a directory outside a repository. */
export class GitRefError extends Error {
  override readonly name = "GitRefError";
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec("git", args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new GitRefError(`git ${args.join(" ")} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** The commit a ref names, or a GitRefError saying it does not exist. */
export async function resolveRef(dir: string, ref: string): Promise<string> {
  try {
    return await git(dir, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
  } catch {
    throw new GitRefError(`'${ref}' is neither a plan file nor a git ref of ${dir} (git rev-parse found no such commit)`);
  }
}

/** Worktrees in use, so an interrupted plan can still remove them (`removeWorktreesSync`). */
const active = new Map<string, { top: string; tree: string; tmp: string; links: string[] }>();

/** Removes every worktree still in use, synchronously: for a SIGINT/SIGTERM handler. */
export function removeWorktreesSync(): void {
  for (const { top, tree, tmp, links } of active.values()) {
    for (const link of links) fs.rmSync(link, { force: true });
    try {
      execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: top, stdio: "ignore" });
    } catch {
      // already gone
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    try {
      execFileSync("git", ["worktree", "prune"], { cwd: top, stdio: "ignore" });
    } catch {
      // nothing to prune
    }
  }
  active.clear();
}

export interface Worktree {
  /** The project directory inside the worktree (same relative place as in the checkout). */
  readonly projectDir: string;
  readonly commit: string;
  /** `git <ref> (<short sha>)`. */
  readonly label: string;
}

/** Checks `ref` out into a temporary worktree, runs `use` on it, and removes the worktree. */
export async function withWorktree<T>(projectDir: string, ref: string, use: (tree: Worktree) => Promise<T>): Promise<T> {
  const dir = path.resolve(projectDir);
  const top = await git(dir, "rev-parse", "--show-toplevel").catch(() => {
    throw new GitRefError(`--diff ${ref}: ${dir} is not inside a git repository`);
  });
  const commit = await resolveRef(dir, ref);
  const rel = path.relative(fs.realpathSync(top), fs.realpathSync(dir));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "app-platform-plan-"));
  const tree = path.join(tmp, "tree");
  let added = false;
  const links: string[] = [];
  active.set(tmp, { top, tree, tmp, links });
  try {
    await git(top, "worktree", "add", "--detach", "--quiet", tree, commit);
    added = true;
    const baseProject = path.join(tree, rel);
    if (!fs.existsSync(baseProject)) {
      throw new GitRefError(`--diff ${ref}: ${rel || "."} does not exist at ${commit.slice(0, 12)}`);
    }
    for (const sub of ["", "policies"]) {
      const from = path.join(dir, sub, "node_modules");
      const to = path.join(baseProject, sub, "node_modules");
      if (fs.existsSync(from) && fs.existsSync(path.dirname(to)) && !fs.existsSync(to)) {
        fs.symlinkSync(fs.realpathSync(from), to, "dir");
        links.push(to);
      }
    }
    return await use({ projectDir: baseProject, commit, label: `git ${ref} (${commit.slice(0, 12)})` });
  } finally {
    active.delete(tmp);
    for (const link of links) fs.rmSync(link, { force: true });
    if (added) await git(top, "worktree", "remove", "--force", tree).catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
    await git(top, "worktree", "prune").catch(() => undefined);
  }
}
