import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { lintFile } from "../../src/embedded/lint-file.js";
import { createRunDiskAccess } from "../../src/engine/lint-source.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { fitStatistics, HELP_LIMIT, MESSAGE_LIMIT } from "../../src/engine/wording.js";

// The shared corpus sits beside the checkouts; CI clones have none, and skip.
const corpus = path.resolve(import.meta.dirname, "../../../shared/corpus");
const files = fs.existsSync(corpus)
  ? fg.sync(["sql/**/*.sql", "js/**/*.{js,ts,mjs,cjs,mts,cts}", "projects/**/*.{sql,js,ts,mjs,cjs,mts,cts}"], { cwd: corpus, ignore: ["**/node_modules/**"] }).sort()
  : [];

/** The settings scripts/corpus-findings.mjs runs the corpus under: zero configuration, and an old server under a wrapping runner. */
const VARIANTS: Partial<LintSettings>[] = [{}, { pgVersion: 11, assumeInTransaction: true }];

/** A name migsafe gives a part of SQL it puts together or cannot see: `migsafe_hole_3_`, `__migsafe…`, or the `_1` of older versions. */
const PLACEHOLDER = /migsafe_hole_\d+_?|__migsafe\w*|(?<![\w$])_\d+\b/;
const LINE = /\blines? (\d+)((?:, \d+)*(?: and \d+)?)/g;
/** A line holding nothing a statement can start on: blank, or only a comment. */
const NO_CODE = /^\s*(?:$|--|\/\/|\/\*|\*)/;

/** The `${…}` parts of a message: each names an expression of the file, or is the prose `${…}`. */
function templateParts(message: string): string[] {
  const parts: string[] = [];
  for (let start = message.indexOf("${"); start >= 0; start = message.indexOf("${", start + 2)) {
    let depth = 0;
    for (let i = start + 1; i < message.length; i++) {
      if (message[i] === "{") depth++;
      else if (message[i] === "}" && --depth === 0) {
        parts.push(message.slice(start + 2, i));
        break;
      }
    }
  }
  return parts;
}

const squeezed = (text: string) => text.replace(/\s+/g, "");

describe("every message of the corpus", () => {
  it.skipIf(files.length === 0)(
    "is one line, names no placeholder, no `${…}` that is not in the file, and no line that is not a line of code of the file",
    { timeout: 600_000 },
    () => {
      const problems: string[] = [];
      let findings = 0;
      /** Messages and helps the rules wrote longer than a line, which fitLine had to shorten; and examples. */
      let shortenedLines = 0;
      const shortened: string[] = [];
      for (const settings of VARIANTS) {
        const access = createRunDiskAccess();
        for (const file of files) {
          const text = fs.readFileSync(path.join(corpus, file), "utf8");
          const lines = text.split(/\r\n|\r|\n/);
          const shortenedBefore = fitStatistics.shortened;
          const result = lintFile(path.join(corpus, file), { rules: allRules, settings: { ...DEFAULT_SETTINGS, ...settings } }, access);
          findings += result.findings.length;
          for (const finding of result.findings) {
            const where = `${file}:${finding.loc.start.line} ${finding.ruleId}`;
            if (finding.message.length > MESSAGE_LIMIT || /[\r\n]/.test(finding.message)) problems.push(`${where}: message is not one line of ≤ ${MESSAGE_LIMIT}: ${finding.message}`);
            if (finding.help.length > HELP_LIMIT || /[\r\n]/.test(finding.help)) problems.push(`${where}: help is not one line of ≤ ${HELP_LIMIT}: ${finding.help}`);
          }
          const fitted = fitStatistics.shortened - shortenedBefore;
          if (fitted > 0) {
            shortenedLines += fitted;
            const cut = result.findings.filter((finding) => finding.message.includes("…") || finding.help.includes("…"));
            shortened.push(...cut.map((finding) => `${file}:${finding.loc.start.line} ${finding.ruleId}: ${finding.message} | ${finding.help}`));
          }
          const messages = [
            ...result.findings.map((finding) => ({ at: finding.loc.start.line, text: `${finding.message}\n${finding.help}\n${finding.explanation ?? ""}` })),
            ...result.errors.map((error) => ({ at: error.loc?.start.line, text: `${error.message}\n${error.hint ?? ""}` })),
          ];
          for (const { at, text: message } of messages) {
            const where = `${file}:${at}`;
            const placeholder = PLACEHOLDER.exec(message);
            if (placeholder) problems.push(`${where}: placeholder ${placeholder[0]} in: ${message.slice(0, 200)}`);
            for (const part of templateParts(message)) {
              // A long expression shown in a one-line message loses its middle to `…`: each piece is still the file's.
              if (part !== "…" && !part.split("…").every((piece) => squeezed(text).includes(squeezed(piece)))) problems.push(`${where}: \${${part}} is no expression of the file, in: ${message.slice(0, 200)}`);
            }
            for (const match of message.matchAll(LINE)) {
              for (const line of [match[1]!, ...(match[2]!.match(/\d+/g) ?? [])].map(Number)) {
                if (line < 1 || line > lines.length) problems.push(`${where}: line ${line} of a ${lines.length}-line file, in: ${message.slice(0, 200)}`);
                else if (NO_CODE.test(lines[line - 1]!)) problems.push(`${where}: line ${line} holds no code (${JSON.stringify(lines[line - 1])}), in: ${message.slice(0, 200)}`);
              }
            }
          }
        }
      }
      expect(problems).toEqual([]);
      expect(findings).toBeGreaterThan(10_000);
      // Rules write messages that fit; only names longer than the corpus's usual ones may need shortening.
      expect(shortenedLines, shortened.slice(0, 30).join("\n")).toBeLessThan(findings * 0.02);
    },
  );

  it("templateParts reads balanced braces", () => {
    expect(templateParts("DROP INDEX \"a_${{ transaction }}\" and ${t} and `${…}`")).toEqual(["{ transaction }", "t", "…"]);
  });
});
