// Preloaded (`node -r`) into `@pulumi/pulumi/cmd/run-policy-pack` by the offline plan, so that the
// pack starts as the engine starts it except for one thing: ts-node transpiles it with swc instead
// of type-checking it. `run-policy-pack` hard-codes `typeCheck: true` in its `tsn.register(...)`
// call, and `typeCheck` overrides every tsconfig and environment switch, so the only place to
// change it is that call: this file wraps `register` on the ts-node module the runner resolves.
//
// Why: the type check is ~5 s of the pack's start-up (7 s of CPU) and the plan runs it beside the
// program on the same cores. `npm run typecheck` type-checks the pack (tsconfig.json includes
// policies/), and it runs before every plan in CI and before every preview and deploy, the same
// gate as the program's runtime tsconfig (tsconfig.pulumi.json). `npm run plan -- --typecheck-pack`
// starts the pack exactly as the engine does. Plain JavaScript: it runs before ts-node exists.
"use strict";
const path = require("node:path");

if (/run-policy-pack/.test(process.argv[1] || "")) {
  // Resolve ts-node the way the runner's tsutils does: from @pulumi/pulumi's own folder, starting
  // at the pack folder (the runner's working directory), so both get the same module instance.
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
  let tsNode;
  try {
    tsNode = require(require.resolve("ts-node", { paths: [pulumiDir] }));
  } catch {
    // No ts-node beside the SDK: the runner falls back to its vendored copy and type-checks.
  }
  if (tsNode && typeof tsNode.register === "function") {
    const register = tsNode.register;
    tsNode.register = function registerTranspileOnly(options) {
      return register.call(this, { ...options, typeCheck: false, transpileOnly: true, swc: true });
    };
  }
}
