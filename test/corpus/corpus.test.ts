import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { lintFile } from "../../src/embedded/lint-file.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/sql");
const countsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "findings-per-rule.json");
const files = fs.existsSync(corpus) ? fg.sync("**/*.sql", { cwd: corpus, absolute: true }).sort() : [];
/** Supabase auth's migrations are Go templates (`{{ index .Options "Namespace" }}`): not SQL until rendered. */
const isTemplate = (file: string) => fs.readFileSync(file, "utf8").includes("{{");

describe.skipIf(files.length === 0)("the real-world corpus (../shared/corpus/sql)", () => {
  it("has the ≈1,560 files it is documented to have", () => {
    expect(files.length).toBeGreaterThan(1500);
  });

  it("lints every file without a crash, and without a parse error on any file PostgreSQL accepts", () => {
    const unexpected: string[] = [];
    let templates = 0;
    const perRule: Record<string, number> = Object.fromEntries(allRules.map((rule) => [rule.meta.id, 0]));
    for (const file of files) {
      // Every rule on (the strict preset), so that a change in any rule's behaviour shows in the counts below.
      const result = lintFile(file, { settings: DEFAULT_SETTINGS, rules: allRules });
      for (const finding of result.findings) perRule[finding.ruleId]!++;
      expect(result.filePath).toBe(file);
      if (isTemplate(file)) {
        templates++;
        expect(result.errors.length, file).toBeGreaterThan(0);
        expect(result.errors.every((error) => error.hint?.includes("template")), file).toBe(true);
        continue;
      }
      if (result.errors.length > 0) unexpected.push(`${path.relative(corpus, file)}: ${result.errors[0]!.message}`);
    }
    expect(unexpected).toEqual([]);
    // All 70 supabase-auth migrations are templates: 59 at the top level, 11 only inside DO bodies.
    expect(templates).toBe(70);

    // Findings per rule on real migrations, committed so that review sees every change in behaviour.
    // After an intended change: UPDATE_CORPUS_COUNTS=1 npx vitest run test/corpus, and commit the file.
    if (process.env.UPDATE_CORPUS_COUNTS) fs.writeFileSync(countsFile, `${JSON.stringify(perRule, null, 2)}\n`);
    expect(perRule).toEqual(JSON.parse(fs.readFileSync(countsFile, "utf8")));
  });
});
