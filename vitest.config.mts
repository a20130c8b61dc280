import * as os from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Runs the committed stacks once through Pulumi's runner for every file that needs them.
    globalSetup: ["tests/global-setup.ts"],
    server: {
      deps: {
        // @actions/workflow-parser imports its schema JSON without `with { type: "json" }`, which
        // Node's own ESM loader refuses; vitest's transform loads it.
        inline: ["@actions/workflow-parser"],
      },
    },
    // Pulumi's runtime keeps per-process global state (stack resource, mocks, config);
    // each test file gets its own worker so files never see each other's resources.
    pool: "forks",
    isolate: true,
    // Vitest's default is one worker fewer than the cores: on this project's 2-core machine class,
    // one file at a time while the other core idles between the child processes a file starts.
    // Two at a time took the suite from ~260 s to ~220 s there (README: Tests). The end-to-end
    // suite runs alone (--maxWorkers=1 in package.json and scripts/test.sh): its waits are bounded.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
