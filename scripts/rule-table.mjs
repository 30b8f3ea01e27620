// npm run docs:rules: regenerates the README's rule table from the rules' metadata (run after npm run build).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { allRules } from "../dist/rules/index.js";
import { replaceRuleTable } from "../dist/src/engine/rule-table.js";

const readme = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../README.md");
fs.writeFileSync(readme, replaceRuleTable(fs.readFileSync(readme, "utf8"), allRules));
console.log(`README.md: rule table written (${allRules.length} rules)`);
