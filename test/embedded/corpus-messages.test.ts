import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const corpus = path.resolve(import.meta.dirname, "../../../shared/corpus");
const files = fs.existsSync(corpus) ? fg.sync(["js/**/*.{js,ts,mjs,cjs}", "projects/**/*.{js,ts,mjs,cjs}"], { cwd: corpus, ignore: ["**/node_modules/**"] }).sort() : [];

/** A placeholder of the SQL put together: migsafe's own, or the `_1` of older versions. */
const PLACEHOLDER = /migsafe_hole_\d+_|(?<![\w$])_\d+\b/;
const LINE = /\bline (\d+)\b/g;

describe("the TS/JS migrations of the corpus", () => {
  it.skipIf(files.length === 0)("no message names a placeholder, or a line that is not a line of the file", { timeout: 120_000 }, () => {
    const problems: string[] = [];
    let findings = 0;
    for (const file of files) {
      const text = fs.readFileSync(path.join(corpus, file), "utf8");
      const lines = text.split(/\r\n|\r|\n/).length;
      const result = lintEmbeddedSource(text, path.join(corpus, file), { rules: allRules, settings: { ...DEFAULT_SETTINGS, assumeInTransaction: true } });
      const messages = [...result.findings.map((f) => ({ at: f.loc.start.line, text: `${f.message}\n${f.help}` })), ...result.errors.map((e) => ({ at: e.loc?.start.line, text: e.message }))];
      findings += result.findings.length;
      for (const { at, text: message } of messages) {
        const placeholder = PLACEHOLDER.exec(message);
        if (placeholder) problems.push(`${file}:${at}: placeholder ${placeholder[0]} in: ${message.slice(0, 160)}`);
        for (const [, line] of message.matchAll(LINE)) {
          if (Number(line) < 1 || Number(line) > lines) problems.push(`${file}:${at}: line ${line} of a ${lines}-line file in: ${message.slice(0, 160)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(findings).toBeGreaterThan(1000);
  });
});
