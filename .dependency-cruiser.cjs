// Import boundaries, checked by `npm run lint` (scripts/lint.sh) with dependency-cruiser.
//
// Layers, top to bottom; an import may only point down:
//   infra/        the Pulumi program
//   stacks/       the products
//   components/   reusable components
//   policies/lib  the shared library (also used by the CrossGuard pack's rules in policies/*)
// tools/, tests/ and scripts/ sit beside the layers and may import any of them; nothing in the
// layers may import them. No cycles anywhere outside node_modules.
//
// Type-only imports count too (tsPreCompilationDeps): `import type` ties the layers together as
// much as a value import does, even if the compiler erases it.
//
// tests/lint/boundaries.test.ts proves each rule can fail (planted back-arrow and cycle) and keeps
// the real tree's known violations in one list.

/** Directories beside the layers: tooling, tests and scripts, never imported by the layers. */
const OUTSIDE = "tools|tests|scripts";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle ties its modules into one unit: load order starts to matter and none of them can move alone.",
      from: { pathNot: "(^|/)node_modules/" },
      to: { circular: true },
    },
    {
      name: "components-not-up",
      severity: "error",
      comment: "components/ are reusable below the products: they must not import stacks/, infra/ or tools/tests/scripts.",
      from: { path: "^components/" },
      to: { path: `^(stacks|infra|${OUTSIDE})/` },
    },
    {
      name: "components-only-policies-lib",
      severity: "error",
      comment: "components/ share policies/lib (the cron grammar, the secret-name patterns) with the pack, never the pack's rules.",
      from: { path: "^components/" },
      to: { path: "^policies/", pathNot: "^policies/lib/" },
    },
    {
      name: "stacks-not-up",
      severity: "error",
      comment: "stacks/ (the products) are wired by the program in infra/: they must not import infra/ or tools/tests/scripts.",
      from: { path: "^stacks/" },
      to: { path: `^(infra|${OUTSIDE})/` },
    },
    {
      name: "infra-not-outside",
      severity: "error",
      comment: "infra/ is the program Pulumi runs: it must not import tools/, tests/ or scripts/.",
      from: { path: "^infra/" },
      to: { path: `^(${OUTSIDE})/` },
    },
    {
      name: "policies-not-up",
      severity: "error",
      comment:
        "policies/ is the CrossGuard pack and, in policies/lib, the bottom layer: it must not import the program, " +
        "the products, the components or tools/tests/scripts (the pack is loaded on its own by the policy runner).",
      from: { path: "^policies/" },
      to: { path: `^(infra|stacks|components|${OUTSIDE})/` },
    },
    {
      name: "policies-lib-not-up",
      severity: "error",
      comment: "policies/lib is the shared library under both the pack's rules and components/: it must not import the rules.",
      from: { path: "^policies/lib/" },
      to: { path: "^policies/", pathNot: "^policies/lib/" },
    },
  ],
  options: {
    // Third-party code is a leaf: its own imports are not followed (and not checked).
    doNotFollow: { path: "(^|/)node_modules/" },
    // Imports the compiler erases (`import type`, type-only specifiers) are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
    },
    // Fast path: no cache file to go stale, no progress output in CI logs.
    progress: { type: "none" },
  },
};
