// Bundles the CLI into three files: dist/cli.js, the small entry that replays a --cache run when nothing changed
// (src/cli/entry.ts: node:fs and node:crypto, no rules, no WebAssembly), dist/run.js, the linter it imports
// otherwise (src/cli/main.ts), and dist/lint-worker.js, its worker thread.
// Bundled, not loaded module by module:
// Node's ESM loader spends ≈150 ms resolving and compiling ≈90 modules, a bundle a few ms.
// libpg-query stays external: it loads its WebAssembly from its own folder. jsonc-parser is UMD: its require()s are not bundled.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: { cli: path.join(root, "src/cli/entry.ts"), run: path.join(root, "src/cli/main.ts"), "lint-worker": path.join(root, "src/project/lint-worker.ts") },
  // The entry's import of the linter stays an import of the other bundle.
  plugins: [
    {
      name: "linter-bundle",
      setup(build) {
        build.onResolve({ filter: /^\.\/main\.js$/ }, (args) => (args.importer.endsWith(path.join("src", "cli", "entry.ts")) ? { path: "./run.js", external: true } : undefined));
      },
    },
  ],
  outdir: path.join(root, "dist"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // migsafe verify's database drivers load only for verify (PGlite also loads WebAssembly and data from its folder).
  // recheck runs its checker in a worker thread it loads from its own folder.
  external: ["libpg-query", "@electric-sql/pglite", "pg", "recheck", "jsonc-parser"],
  // Bundled CommonJS dependencies (fast-glob) call require(): give the ESM bundle one.
  banner: { js: 'import { createRequire as __migsafeCreateRequire } from "node:module"; const require = __migsafeCreateRequire(import.meta.url);' },
  logLevel: "warning",
});
// The bin must be executable: npx and the links npm makes in node_modules/.bin run it directly.
fs.chmodSync(path.join(root, "dist/cli.js"), 0o755);
