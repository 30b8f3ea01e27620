// npm run docs:schema: writes migsafe.config.schema.json, the JSON Schema of the configuration (run after npm run build).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { allRules } from "../dist/rules/index.js";
import { configJsonSchema } from "../dist/src/config/json-schema.js";

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../migsafe.config.schema.json");
fs.writeFileSync(file, `${JSON.stringify(configJsonSchema(allRules.map((rule) => rule.meta.id)), null, 2)}\n`);
console.log(`migsafe.config.schema.json: written (${allRules.length} rules)`);
