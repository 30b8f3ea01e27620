import { describe, expect, it } from "vitest";
import { escapeControl, escapeJsonControl } from "../../src/formatters/escape.js";
import { formatJson } from "../../src/formatters/json.js";
import { formatStylish } from "../../src/formatters/stylish.js";
import { SYNTHETIC_CWD, SYNTHETIC_RESULTS } from "../formatters/synthetic-results.js";

const cwd = SYNTHETIC_CWD;
const results = SYNTHETIC_RESULTS;

describe("stylish", () => {
  it("aligns positions and severities per file, with help and hint lines, and a summary", () => {
    expect(formatStylish(results, { cwd, colors: false })).toMatchSnapshot();
  });

  it("says how many files were clean, and how many problems --fix fixed", () => {
    expect(formatStylish(results.slice(0, 1), { cwd, colors: false })).toBe("✔ No problems found in 1 file\n");
    expect(formatStylish([], { cwd, colors: false, fixed: { problems: 0, files: 0 } })).toBe("✔ No problems found in 0 files\n");
    expect(formatStylish(results.slice(0, 1), { cwd, colors: false, fixed: { problems: 1, files: 1 } })).toBe(
      "✔ Fixed 1 problem in 1 file\n✔ No problems found in 1 file\n",
    );
  });

  it("counts careful-only results in the summary", () => {
    const careful = [{ ...results[1]!, findings: [results[1]!.findings[0]!] }];
    expect(formatStylish(careful, { cwd, colors: false }).split("\n").slice(-2)).toEqual(["✖ 1 problem (0 dangerous, 1 careful)", ""]);
  });

  it("colours only when asked", () => {
    expect(formatStylish(results, { cwd, colors: false })).not.toContain("\u001b[");
    const colored = formatStylish(results, { cwd, colors: true });
    expect(colored).toContain("\u001b[4mmigrations/002_mixed.sql\u001b[24m");
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\u001b\[\d+m/g, "")).toBe(formatStylish(results, { cwd, colors: false }));
  });
});

describe("json", () => {
  it("is one line of JSON ending with a newline", () => {
    const output = formatJson(results);
    expect(output.endsWith("\n")).toBe(true);
    expect(output.trimEnd()).not.toContain("\n");
    const parsed = JSON.parse(output) as { filePath: string; messages: { line?: number; fatal?: boolean }[]; errorCount: number }[];
    expect(parsed.map((file) => file.filePath)).toEqual(results.map((result) => result.filePath));
    // Messages are in position order, a fatal error among the findings.
    expect(parsed[2]!.messages.map((message) => [message.line, message.fatal ?? false])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(parsed[2]!.errorCount).toBe(2);
    expect(formatJson([])).toBe("[]\n");
  });
});

describe("escaping", () => {
  it("escapes C0 and C1 control characters (not tab) and bidi controls", () => {
    expect(escapeControl("a\tb\nc\rd\u0000e\u001bf\u007fg\u0085h\u009bi\u202ej\u2066k")).toBe(
      "a\tb\\x0ac\\x0dd\\x00e\\x1bf\\x7fg\\x85h\\x9bi\\u202ej\\u2066k",
    );
    expect(escapeControl("émigré 🐘 ✔")).toBe("émigré 🐘 ✔");
  });

  it("keeps JSON valid and equal while escaping C1 and bidi characters", () => {
    const json = escapeJsonControl(JSON.stringify({ name: "a\u0085b\u202ec\u001b" }));
    expect(json).toBe('{"name":"a\\u0085b\\u202ec\\u001b"}');
    expect(JSON.parse(json)).toEqual({ name: "a\u0085b\u202ec\u001b" });
  });
});
