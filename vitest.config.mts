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
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
