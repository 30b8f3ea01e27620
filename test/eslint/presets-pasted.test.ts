import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const builtPlugin = path.join(root, "dist/src/eslint/plugin.js");

const ESLINTS = [
  { name: "ESLint 10", bin: path.join(root, "node_modules/eslint/bin/eslint.js") },
  { name: "ESLint 9", bin: path.join(root, "node_modules/eslint-v9/bin/eslint.js") },
];

/** The ways a user writes the preset into eslint.config.mjs: as the docs show it, spread, and through defineConfig's extends. */
const CONFIGS = {
  "as an element": 'import migsafe from "migsafe/eslint";\nexport default [migsafe.configs.recommended];\n',
  spread: 'import migsafe from "migsafe/eslint";\nexport default [...migsafe.configs.recommended];\n',
  "with a rule override": 'import migsafe from "migsafe/eslint";\nexport default [migsafe.configs.strict, { rules: { "migsafe/require-rollback": "off" } }];\n',
  "through defineConfig's extends": 'import { defineConfig } from "eslint/config";\nimport migsafe from "migsafe/eslint";\nexport default defineConfig([{ files: ["**/*.sql"], extends: [migsafe.configs.recommended] }]);\n',
};

let project = "";
beforeAll(() => {
  if (!fs.existsSync(builtPlugin)) throw new Error(`${builtPlugin} is missing: run npm run build (npm test does)`);
  // What `npm init -y` writes: a CommonJS package, where eslint.config.js could not use `import`.
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-presets-")));
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "commonjs" }));
  fs.mkdirSync(path.join(project, "node_modules"));
  fs.symlinkSync(root, path.join(project, "node_modules/migsafe"), "junction");
  fs.mkdirSync(path.join(project, "migrations"));
  fs.writeFileSync(path.join(project, "migrations/001_drop.sql"), "BEGIN;\nDROP TABLE users;\nCOMMIT;\n");
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

interface EslintResult {
  messages: { ruleId: string | null; line: number; severity: number; fatal?: boolean }[];
}

describe.each(ESLINTS)("$name, eslint.config.mjs in a CommonJS project", ({ bin }) => {
  it.each(Object.entries(CONFIGS))("the preset written %s lints the migration", async (_how, config) => {
    // eslint/config resolves from the project: point it at the ESLint under test.
    fs.rmSync(path.join(project, "node_modules/eslint"), { force: true });
    fs.symlinkSync(path.resolve(bin, "../.."), path.join(project, "node_modules/eslint"), "junction");
    fs.writeFileSync(path.join(project, "eslint.config.mjs"), config);
    const output = await run(process.execPath, [bin, "--format", "json", "migrations/001_drop.sql"], { cwd: project }).then(
      (done) => done.stdout,
      // Exit 1: problems found; the JSON report is on stdout all the same.
      (error: { code?: number; stdout?: string; stderr?: string }) => {
        if (error.code !== 1) throw new Error(`eslint failed (${error.code}): ${error.stderr}`);
        return error.stdout ?? "";
      },
    );
    const [result] = JSON.parse(output) as EslintResult[];
    expect(result!.messages.filter((message) => message.fatal)).toEqual([]);
    expect(result!.messages).toContainEqual(expect.objectContaining({ ruleId: "migsafe/drop-table", line: 2, severity: 2 }));
  });
});
