// Bundles the CLI into three files: dist/cli.js, the small entry that replays a --cache run when nothing changed
// (src/cli/entry.ts: node:fs and node:crypto, no rules, no WebAssembly), dist/run.cjs, the linter it loads
// otherwise (src/cli/main.ts), and dist/lint-worker.js, its worker thread.
// Bundled, not loaded module by module:
// Node's ESM loader spends ≈150 ms resolving and compiling ≈90 modules, a bundle a few ms.
// libpg-query stays external: it loads its WebAssembly from its own folder. jsonc-parser is UMD: its require()s are not bundled.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const common = {
  outdir: path.join(root, "dist"),
  bundle: true,
  platform: "node",
  target: "node20",
  // migsafe verify's database drivers load only for verify (PGlite also loads WebAssembly and data from its folder).
  // recheck runs its checker in a worker thread it loads from its own folder.
  external: ["libpg-query", "@electric-sql/pglite", "pg", "recheck", "jsonc-parser"],
  logLevel: "warning",
};
await build({
  ...common,
  entryPoints: { cli: path.join(root, "src/cli/entry.ts"), "lint-worker": path.join(root, "src/project/lint-worker.ts") },
  format: "esm",
  // Bundled CommonJS dependencies (fast-glob) call require(): give the ESM bundle one.
  banner: { js: 'import { createRequire as __migsafeCreateRequire } from "node:module"; const require = __migsafeCreateRequire(import.meta.url);' },
});
// The linter is a CommonJS script, not a module: src/cli/code-cache.ts compiles it with V8's code cache, which
// Node 20 offers for scripts only. It runs in the function a CommonJS module runs in (require, __filename, …).
await build({
  ...common,
  entryPoints: { run: path.join(root, "src/cli/main.ts") },
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  define: { "import.meta.url": "__migsafeModuleUrl" },
  banner: { js: 'const __migsafeModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
// The bin must be executable: npx and the links npm makes in node_modules/.bin run it directly.
fs.chmodSync(path.join(root, "dist/cli.js"), 0o755);
