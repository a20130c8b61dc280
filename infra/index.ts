/**
 * Pulumi entry point (`Pulumi.yaml` → `main: infra/index.ts`). Everything happens in
 * `program.ts`; this file only runs it and exports the non-secret outputs.
 */
import { pendingVercelProjects as pendingProjectsOf, run } from "./program";

export const products = run();
/** Read by .github/workflows/deploy.yml: staging runs again after prod while this is not empty. */
export const pendingVercelProjects = pendingProjectsOf(products);
