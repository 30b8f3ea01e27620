import { describe, expect, it } from "vitest";
import { indexOfCodePoint, SourceText } from "../../src/source/source-text.js";

describe("SourceText", () => {
  it("maps UTF-8 byte offsets to string indices across 2-, 3- and 4-byte characters", () => {
    const source = new SourceText("é日😀x");
    // bytes: é=2, 日=3, 😀=4 → x starts at byte 9; string indices: é=1, 日=1, 😀=2 → x at 4
    expect([0, 2, 5, 9, 10].map((byte) => source.charIndex(byte))).toEqual([0, 1, 2, 4, 5]);
    expect([0, 1, 2, 4, 5].map((index) => source.byteOffset(index))).toEqual([0, 2, 5, 9, 10]);
  });

  it("is the identity for ASCII text", () => {
    const source = new SourceText("SELECT 1;");
    expect(source.isAscii).toBe(true);
    expect(source.charIndex(7)).toBe(7);
  });

  it("gives 1-based line and column for \\n, \\r\\n and lone \\r", () => {
    const source = new SourceText("a\nb\r\nc\rd");
    expect([0, 2, 5, 7].map((i) => source.position(i))).toEqual([
      { line: 1, column: 1 },
      { line: 2, column: 1 },
      { line: 3, column: 1 },
      { line: 4, column: 1 },
    ]);
    expect(source.lineCount).toBe(4);
    expect(source.lineStart(3)).toBe(5);
  });

  it("drops a leading BOM and remembers it", () => {
    const source = new SourceText("\uFEFFSELECT 1");
    expect(source.text).toBe("SELECT 1");
    expect(source.hasBom).toBe(true);
  });

  it("counts code points, not UTF-16 units, for PostgreSQL cursor positions", () => {
    expect(indexOfCodePoint("😀ab", 1)).toBe(2);
    expect(indexOfCodePoint("éab", 2)).toBe(2);
  });
});
