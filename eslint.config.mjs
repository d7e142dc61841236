import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "policy-pack/node_modules/**", "bin/**", "policy-pack/bin/**", "dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The few plain CommonJS files (.mocharc.js and what it loads) run in Node.js.
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly" },
    },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
