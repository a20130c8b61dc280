// ESLint (flat config), run by `npm run lint` (scripts/lint.sh) and, with --fix, by `npm run format`.
// typescript-eslint's `recommended` set without type information: it needs no type-checked program,
// so it stays fast (the type check itself is `npm run typecheck`). Layout is Prettier's job
// (.prettierrc.json); none of these rules is about layout.
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    // Generated or not ours: installed packages, build output, local plan output.
    ignores: ["**/node_modules/**", "build/**", "coverage/**", "plan/**", ".pulumi/**"],
  },
  tseslint.configs.recommended,
  {
    linterOptions: {
      // A `// eslint-disable…` comment that no longer suppresses anything is an error, so stale
      // ones (after a fix, or after Prettier moved the code they pointed at) cannot pile up.
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      // A leading underscore marks a binding kept on purpose (a positional parameter, or a field
      // destructured out so the rest can be passed on without it).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // CommonJS files (tool configs, the preloads given to `node -r`) are loaded with require() by their tools.
    files: ["**/*.cjs", "**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", __dirname: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests drive the engine's and the providers' loosely typed payloads (mock resource inputs,
    // gRPC messages, planted bad inputs that the types would reject): `any` is how they say
    // "whatever the outside system sends". The program itself keeps the rule.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
