/**
 * Pulumi entry point (`Pulumi.yaml` → `main: infra/index.ts`). Everything happens in
 * `program.ts`; this file only runs it and exports the non-secret outputs.
 */
import { run } from "./program";

export const products = run();
