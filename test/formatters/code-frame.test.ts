import { describe, expect, it } from "vitest";
import { codeFrame, sourceLines } from "../../src/formatters/code-frame.js";

const plain = { colors: false, tone: "dangerous" } as const;

describe("code frame", () => {
  it("shows the line with its number and a marker under the finding's columns", () => {
    const lines = sourceLines("SELECT 1;\nDROP TABLE users;\n");
    expect(codeFrame(lines, { line: 2, column: 6, endLine: 2, endColumn: 17 }, plain)).toEqual([
      "> 2 | DROP TABLE users;",
      "    |      ^^^^^^^^^^^",
    ]);
  });

  it("marks every line of a statement, at most three, then …", () => {
    const lines = sourceLines("ALTER TABLE t\n  ADD COLUMN a int,\n  ADD COLUMN b int,\n  ADD COLUMN c int;\n");
    expect(codeFrame(lines, { line: 1, column: 1, endLine: 4, endColumn: 19 }, plain)).toEqual([
      "> 1 | ALTER TABLE t",
      "    | ^^^^^^^^^^^^^",
      "> 2 |   ADD COLUMN a int,",
      "    |   ^^^^^^^^^^^^^^^^^",
      "> 3 |   ADD COLUMN b int,",
      "    |   ^^^^^^^^^^^^^^^^^",
      "    | …",
    ]);
    // Two lines: both shown, the second marked up to the end column, no ….
    expect(codeFrame(lines, { line: 1, column: 7, endLine: 2, endColumn: 6 }, plain)).toEqual([
      "> 1 | ALTER TABLE t",
      "    |       ^^^^^^^",
      "> 2 |   ADD COLUMN a int,",
      "    |   ^^^",
    ]);
  });

  it("pads line numbers to the widest one shown, \\r\\n and lone \\r line breaks counting as the engine counts them", () => {
    const lines = sourceLines(`${"SELECT 1;\r\n".repeat(8)}SELECT 2;\rDROP TABLE t\r\n  CASCADE;`);
    expect(codeFrame(lines, { line: 10, column: 1, endLine: 11, endColumn: 11 }, plain)).toEqual([
      "> 10 | DROP TABLE t",
      "     | ^^^^^^^^^^^^",
      "> 11 |   CASCADE;",
      "     |   ^^^^^^^^",
    ]);
  });

  it("expands tabs and escapes control characters, the marker staying under the same characters", () => {
    const lines = sourceLines("\tDROP TABLE \u001b[31mx;\n");
    expect(codeFrame(lines, { line: 1, column: 2, endLine: 1, endColumn: 18 }, plain)).toEqual([
      "> 1 |     DROP TABLE \\x1b[31mx;",
      // "DROP TABLE " and ESC [31m: 11 + 4 + 4 columns.
      "    |     ^^^^^^^^^^^^^^^^^^^",
    ]);
    const tabbed = sourceLines("a\tb\tDROP");
    expect(codeFrame(tabbed, { line: 1, column: 5, endColumn: 9 }, plain)[1]).toBe("    |         ^^^^");
  });

  it("counts wide characters as two columns", () => {
    const lines = sourceLines("COMMENT ON TABLE t IS '表'; DROP TABLE t;");
    const [source, marker] = codeFrame(lines, { line: 1, column: 28, endColumn: 41 }, plain);
    expect(source).toBe("> 1 | COMMENT ON TABLE t IS '表'; DROP TABLE t;");
    // 表 takes two columns on screen: the marker starts one column after the D's string index.
    expect(marker).toBe(`    |${" ".repeat(1 + 23 + 2 + 3)}${"^".repeat(13)}`);
    expect(marker!.indexOf("^")).toBe(source!.indexOf("D") + 1);
  });

  it("clips a long line to a window around the marker, with … where it was cut", () => {
    const line = `${"x".repeat(300)} DROP TABLE t; ${"y".repeat(300)}`;
    const [source, marker] = codeFrame(sourceLines(line), { line: 1, column: 302, endColumn: 315 }, plain);
    const shown = source!.slice("> 1 | ".length);
    expect(shown.length).toBe(162);
    expect(shown.startsWith("…x")).toBe(true);
    expect(shown.endsWith("y…")).toBe(true);
    const at = marker!.indexOf("^");
    expect(source!.slice(at, at + 13)).toBe("DROP TABLE t;");
    expect(marker!.slice(at)).toBe("^".repeat(13));
    // A marker running past the window ends at its edge.
    const long = codeFrame(sourceLines(line), { line: 1, column: 1, endColumn: 600 }, { ...plain, maxWidth: 50 });
    expect(long).toEqual([`> 1 | ${"x".repeat(50)}…`, `    | ${"^".repeat(50)}`]);
  });

  it("marks at least one column, and shows nothing for a position outside the text", () => {
    const lines = sourceLines("SELECT 1;\n");
    expect(codeFrame(lines, { line: 1, column: 10, endColumn: 10 }, plain)).toEqual(["> 1 | SELECT 1;", "    |          ^"]);
    expect(codeFrame(lines, { line: 3, column: 1 }, plain)).toEqual([]);
    expect(codeFrame(lines, { line: 0, column: 1 }, plain)).toEqual([]);
  });

  it("colours the marker by severity, and only when asked", () => {
    const lines = sourceLines("DROP TABLE t;");
    const careful = codeFrame(lines, { line: 1, column: 1, endColumn: 14 }, { colors: true, tone: "careful" });
    expect(careful[1]).toContain("\u001b[33m^^^^^^^^^^^^^\u001b[39m");
    const dangerous = codeFrame(lines, { line: 1, column: 1, endColumn: 14 }, { colors: true, tone: "dangerous" });
    expect(dangerous[1]).toContain("\u001b[31m^");
    // eslint-disable-next-line no-control-regex
    expect(dangerous.map((line) => line.replace(/\u001b\[\d+m/g, ""))).toEqual(codeFrame(lines, { line: 1, column: 1, endColumn: 14 }, plain));
  });
});
