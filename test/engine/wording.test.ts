import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitLine, MESSAGE_LIMIT } from "../../src/engine/wording.js";

describe("fitLine", () => {
  it("keeps a line that fits as it is, with line breaks made spaces", () => {
    expect(fitLine("DROP TABLE users deletes the table and its rows (ACCESS EXCLUSIVE)", MESSAGE_LIMIT)).toBe(
      "DROP TABLE users deletes the table and its rows (ACCESS EXCLUSIVE)",
    );
    expect(fitLine("  two\n lines \r\n", 100)).toBe("two lines");
  });

  it("shortens the longest name in its middle and keeps the sentence around it", () => {
    const name = `public.${"very_long_table_name_".repeat(6)}end`;
    const line = fitLine(`DROP TABLE ${name} deletes the table and its rows (ACCESS EXCLUSIVE)`, MESSAGE_LIMIT);
    expect(line.length).toBe(MESSAGE_LIMIT);
    expect(line).toMatch(/^DROP TABLE public\.very_long\S*…\S*_name_end deletes the table and its rows \(ACCESS EXCLUSIVE\)$/);
  });

  it("cuts the end only when no word is long, between words", () => {
    expect(fitLine("word ".repeat(40), 50)).toBe(`${"word ".repeat(9).trimEnd()}…`);
    expect(fitLine(`${"in the same transaction as ".repeat(3)}ALTER TABLE users at line 130`, 90)).toBe(
      "in the same transaction as in the same transaction as in the same transaction as ALTER…",
    );
  });

  it("never returns more than the limit, never a line break, never half a surrogate pair", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 400 }), fc.integer({ min: 20, max: 200 }), (text, limit) => {
        const line = fitLine(text, limit);
        expect(line.length).toBeLessThanOrEqual(limit);
        expect(line).not.toMatch(/[\r\n]/);
        expect(line).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        expect(fitLine(line, limit)).toBe(line);
      }),
      { numRuns: 2000 },
    );
  });
});
