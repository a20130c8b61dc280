/**
 * Pulumi entry point (`Pulumi.yaml` → `main: infra/index.ts`). Everything happens in
 * `program.ts`; this file only runs it and exports the non-secret outputs.
 */
import { skipUnreadPromiseStacks } from "./promise-stacks";
import { pendingVercelProjects as pendingProjectsOf, run } from "./program";

// Before any resource: the SDK's per-promise stack traces, read only under
// PULUMI_DEBUG_PROMISE_LEAKS, are not source-mapped (up to ~1 s of prod's program time).
skipUnreadPromiseStacks();

export const products = run();
/** Read by .github/workflows/deploy.yml: staging runs again after prod while this is not empty. */
export const pendingVercelProjects = pendingProjectsOf(products);
