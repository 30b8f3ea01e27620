// Every finding of every rule on the whole corpus (plain SQL, JS, and the projects in their layouts), under the
// settings that change rules' verdicts, one line each: diff two runs to see exactly what a change to the engine moved.
//   npm run build && node scripts/corpus-findings.mjs > before.tsv
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import { createRunDiskAccess } from "../dist/src/engine/lint-source.js";
import { lintFile } from "../dist/src/embedded/lint-file.js";
import { loadParser } from "../dist/src/parser/pg.js";
import { DEFAULT_SETTINGS } from "../dist/src/config/settings.js";
import { allRules } from "../dist/rules/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const corpus = path.resolve(process.argv[2] ?? path.join(root, "../shared/corpus"));
const files = fg.sync(["sql/**/*.sql", "js/**/*.{js,ts,mjs,cjs,mts,cts}", "projects/**/*.{sql,js,ts,mjs,cjs,mts,cts}"], { cwd: corpus, ignore: ["**/node_modules/**"] }).sort();
const variants = [
  { label: "pg14", settings: {} },
  { label: "pg11+tx", settings: { pgVersion: 11, assumeInTransaction: true } },
];
await loadParser();
const escape = (text) => String(text).replace(/[\t\n\r\\]/g, (c) => ({ "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" })[c]);
const out = [];
for (const variant of variants) {
  const access = createRunDiskAccess();
  for (const file of files) {
    const result = lintFile(path.join(corpus, file), { rules: allRules, settings: { ...DEFAULT_SETTINGS, ...variant.settings } }, access);
    for (const f of result.findings) {
      const fix = f.fix ? `${f.fix.range.start}-${f.fix.range.end}:${escape(f.fix.text)}` : "";
      out.push([variant.label, file, `${f.range.start}-${f.range.end}`, `${f.loc.start.line}:${f.loc.start.column}`, f.ruleId, f.severity, escape(f.message), escape(f.help), fix].join("\t"));
    }
    for (const e of result.errors) out.push([variant.label, file, "error", e.loc ? `${e.loc.start.line}:${e.loc.start.column}` : "", escape(e.message)].join("\t"));
  }
}
process.stdout.write(`${out.join("\n")}\n`);
process.stderr.write(`${files.length} files × ${variants.length} settings: ${out.length} lines\n`);
