import fc from "fast-check";
import { describe, expect, it } from "vitest";
import rule from "../../rules/require-rollback.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { lintSource } from "../../src/engine/lint-source.js";
import { noFiles } from "./generators.js";

// What follows a rollback heading is SQL or a plan in words. Whatever the comment's shape, a plan never
// gets "does not parse" nor "has no rollback"; broken SQL with a semicolon is still reported where it
// breaks; and a comment whose first word is a heading word followed by more words is no heading at all.

const FORWARD = "ALTER TABLE users ADD COLUMN premium_tier text;";

function findings(text: string): string[] {
  return lintSource(text, "/m/001_x.sql", { settings: DEFAULT_SETTINGS, rules: [rule] }, noFiles).findings.map((finding) => finding.message);
}

const headingWord = fc
  .tuple(fc.constantFrom("rollback", "down", "revert", "undo", "rollback plan", "down migration"), fc.constantFrom("lower", "upper", "title"))
  .map(([w, style]) => (style === "upper" ? w.toUpperCase() : style === "title" ? w[0]!.toUpperCase() + w.slice(1) : w));
const decoration = fc.array(fc.constantFrom("-", "=", "#", "*"), { maxLength: 3 }).map((chars) => chars.join(""));
/** A heading that ends with a colon: it may be followed by words on its line. */
const colonHeading = fc.tuple(decoration, headingWord).map(([before, word]) => `${before ? `${before} ` : ""}${word}:`);

/** Words of a plan; none is a keyword a statement starts with, so a plan never reads as SQL. */
const planWord = fc.constantFrom("restore", "from", "the", "nightly", "backup", "not", "reversible", "manual", "ask", "DBA", "on", "call", "n/a", "none", "see", "runbook", "data", "is", "kept", "it's", "—", "(ticket", "#42)", "column", "table", "by", "hand");
const plan = fc.array(planWord, { minLength: 1, maxLength: 8 }).map((words) => words.join(" "));
const planLines = fc.array(plan, { minLength: 1, maxLength: 3 });

/** A rollback comment: heading, then the body's lines, in one of the shapes people write. */
const shapes: ((heading: string, lines: readonly string[]) => string)[] = [
  (h, lines) => [`-- ${h} ${lines[0]}`, ...lines.slice(1).map((line) => `-- ${line}`)].join("\n"),
  (h, lines) => [`-- ${h}`, ...lines.map((line) => `-- ${line}`)].join("\n"),
  (h, lines) => [`-- ${h}`, "/*", ...lines, "*/"].join("\n"),
  (h, lines) => [`/* ${h}`, ...lines, "*/"].join("\n"),
  (h, lines) => ["/*", h, ...lines, "*/"].join("\n"),
  (h, lines) => `/* ${h} ${lines.join(" ")} */`,
];
const shape = fc.integer({ min: 0, max: shapes.length - 1 }).map((i) => shapes[i]!);
const before = fc.boolean();

describe("rollback plans in words (fast-check)", () => {
  it("a plan in words is a plan: no 'does not parse', no 'has no rollback'", () => {
    fc.assert(
      fc.property(shape, colonHeading, planLines, before, (render, heading, lines, commentFirst) => {
        const comment = render(heading, lines);
        expect(findings(commentFirst ? `${comment}\n${FORWARD}` : `${FORWARD}\n${comment}`)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it("rollback SQL with a typo and a semicolon is SQL that does not parse, whatever the shape", () => {
    const typo = fc.constantFrom("ALTER TABLE users DROPP COLUMN premium_tier;", "DROP TABEL users;", "ALTER TABLE users DROP COLUM premium_tier;");
    fc.assert(
      fc.property(shape, colonHeading, typo, before, (render, heading, sql, commentFirst) => {
        const messages = findings(commentFirst ? `${render(heading, [sql])}\n${FORWARD}` : `${FORWARD}\n${render(heading, [sql])}`);
        expect(messages.length).toBeGreaterThan(0);
        expect(messages.every((message) => message.startsWith("The rollback block does not parse: syntax error"))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("a comment whose heading word is followed by more words, not a colon, is no rollback block", () => {
    const word = fc.constantFrom("rollback", "ROLLBACK", "Down", "undo", "Revert");
    const next = fc.constantFrom("SAFETY:", "the", "members", "to", "seattleflu/schema:x", "is", "changes");
    fc.assert(
      fc.property(decoration, word, next, plan, fc.boolean(), (deco, w, after, words, asBlock) => {
        const line = `${deco ? `${deco} ` : ""}${w} ${after} ${words}`;
        const comment = asBlock ? `/* ${line} */` : `-- ${line}`;
        expect(findings(`${comment}\n${FORWARD}`)).toEqual([expect.stringMatching(/^001_x\.sql has no rollback: /)]);
      }),
      { numRuns: 300 },
    );
  });
});
