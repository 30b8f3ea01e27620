import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lintSource } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { Finding } from "../../src/engine/rule.js";
import type { ReportContext } from "../../src/formatters/format.js";
import { escapeData, escapeProperty, formatGithub } from "../../src/formatters/github.js";
import { allRules } from "../../rules/index.js";
import dropTable from "../../rules/drop-table.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const repoRoot = path.resolve("/repo");
const context: ReportContext = { cwd: path.join(repoRoot, "db"), repoRoot, colors: false, rules: allRules, version: "1.2.3" };
const noPartners = { exists: () => false, read: () => undefined };

function finding(ruleId: string, severity: Finding["severity"], line: number, column: number, message: string, help = `Avoid ${ruleId}.`): Finding {
  return {
    ruleId,
    severity,
    message,
    help,
    range: { start: 0, end: 1 },
    loc: { start: { line, column }, end: { line: line + 1, column: 3 } },
    docsUrl: `https://example.test/${ruleId}.md`,
  };
}

function fileResult(relativePath: string, findings: Finding[], errors: FileResult["errors"] = []): FileResult {
  return { filePath: path.join(repoRoot, relativePath), findings, errors, text: "…" };
}

/**
 * Reads a line back the way the Actions runner does (ActionCommand.TryParseV2):
 * the command up to the first space, properties up to the next `::`, split on
 * `,` and the first `=`, then decoded in the runner's order, `%25` last.
 */
function parseWorkflowCommand(line: string): { command: string; properties: Record<string, string>; data: string } | undefined {
  const text = line.trimStart();
  if (!text.startsWith("::")) return undefined;
  const end = text.indexOf("::", 2);
  if (end < 0) return undefined;
  const info = text.slice(2, end);
  const space = info.indexOf(" ");
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).trim().split(",").filter(Boolean)) {
      const equals = pair.indexOf("=");
      if (equals > 0 && equals < pair.length - 1) properties[pair.slice(0, equals)] = decode(pair.slice(equals + 1), PROPERTY_CODES);
    }
  }
  return { command, properties, data: decode(text.slice(end + 2), DATA_CODES) };
}

const DATA_CODES: [string, string][] = [["%0D", "\r"], ["%0A", "\n"], ["%25", "%"]];
const PROPERTY_CODES: [string, string][] = [["%0D", "\r"], ["%0A", "\n"], ["%3A", ":"], ["%2C", ","], ["%25", "%"]];

function decode(text: string, codes: [string, string][]): string {
  return codes.reduce((decoded, [code, char]) => decoded.split(code).join(char), text);
}

/** What the runner would see: one command per line, and nothing that is not an annotation. */
function commandLines(output: string): string[] {
  expect(output.endsWith("\n")).toBe(true);
  const lines = output.slice(0, -1).split(/\r\n|\r|\n/);
  for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) /);
  return lines;
}

describe("github formatter", () => {
  it("writes one workflow command per finding and fatal error, with paths relative to the repository root", () => {
    const results = [
      fileResult("db/migrations/001_clean.sql", []),
      fileResult("db/migrations/002_mixed.sql", [
        finding("adding-not-null", "careful", 3, 5, "SET NOT NULL scans the whole table."),
        finding("drop-table", "dangerous", 12, 1, "DROP TABLE users deletes every row."),
      ]),
      fileResult(
        "db/migrations/003_broken.sql",
        [],
        [
          {
            message: 'syntax error at or near "LIMIT"',
            hint: "PostgreSQL's DELETE has no LIMIT.",
            range: { start: 40, end: 45 },
            loc: { start: { line: 2, column: 23 }, end: { line: 2, column: 28 } },
          },
        ],
      ),
      { filePath: path.resolve(repoRoot, "../elsewhere/missing.sql"), findings: [], errors: [{ message: "file not found" }] },
    ];
    // Fatal errors first, then dangerous findings, then careful ones.
    expect(formatGithub(results, context)).toBe(
      '::error file=db/migrations/003_broken.sql,line=2,col=23,endLine=2,endColumn=28,title=migsafe::syntax error at or near "LIMIT"%0A%0APostgreSQL\'s DELETE has no LIMIT.\n' +
        "::error file=../elsewhere/missing.sql,title=migsafe::file not found\n" +
        "::error file=db/migrations/002_mixed.sql,line=12,col=1,endLine=13,endColumn=3,title=migsafe/drop-table::DROP TABLE users deletes every row.%0A%0AAvoid drop-table.\n" +
        "::warning file=db/migrations/002_mixed.sql,line=3,col=5,endLine=4,endColumn=3,title=migsafe/adding-not-null::SET NOT NULL scans the whole table.%0A%0AAvoid adding-not-null.\n",
    );
  });

  it("annotates what the rules report on real SQL", () => {
    const result = lintSource("SELECT 1;\nDROP TABLE legacy_sessions;\n", path.join(repoRoot, "db/002_drop.sql"), { settings: DEFAULT_SETTINGS, rules: [dropTable] }, noPartners);
    expect(formatGithub([result], context)).toBe(
      "::error file=db/002_drop.sql,line=2,col=1,endLine=2,endColumn=27,title=migsafe/drop-table::" +
        "DROP TABLE legacy_sessions deletes the table and its rows (ACCESS EXCLUSIVE)%0A%0A" +
        "Rename it to legacy_sessions_backup first, drop it in a later release\n",
    );
  });

  it("writes nothing when there is nothing to annotate", () => {
    expect(formatGithub([], context)).toBe("");
    expect(formatGithub([fileResult("db/001_clean.sql", [])], context)).toBe("");
  });

  it("encodes property and data text as the runner decodes it", () => {
    expect(escapeData("100% done\r\nnext::line, a:b")).toBe("100%25 done%0D%0Anext::line, a:b");
    expect(escapeProperty("100% done\r\nnext::line, a:b")).toBe("100%25 done%0D%0Anext%3A%3Aline%2C a%3Ab");
    // Text that already looks encoded stays itself.
    expect(escapeProperty("%0A%3A%2C%25")).toBe("%250A%253A%252C%2525");
    expect(decode(escapeProperty("%0A%3A%2C%25"), PROPERTY_CODES)).toBe("%0A%3A%2C%25");
  });

  it("keeps hostile file names inside the file property", () => {
    const names = [
      "db/a,line=99,title=x.sql",
      "db/b:c::d.sql",
      "db/100%25%0A::set-env name=X::y.sql",
      "db/e\n::stop-commands::token.sql",
      "db/f\r::add-mask::secret.sql",
    ];
    const results = names.map((name) => fileResult(name, [finding("drop-table", "dangerous", 1, 1, "DROP TABLE t deletes every row.")]));
    const output = formatGithub(results, context);
    const tail = ",line=1,col=1,endLine=2,endColumn=3,title=migsafe/drop-table::DROP TABLE t deletes every row.%0A%0AAvoid drop-table.\n";
    expect(output).toBe(
      `::error file=db/a%2Cline=99%2Ctitle=x.sql${tail}` +
        `::error file=db/b%3Ac%3A%3Ad.sql${tail}` +
        `::error file=db/100%2525%250A%3A%3Aset-env name=X%3A%3Ay.sql${tail}` +
        `::error file=db/e%0A%3A%3Astop-commands%3A%3Atoken.sql${tail}` +
        `::error file=db/f%0D%3A%3Aadd-mask%3A%3Asecret.sql${tail}`,
    );
    const lines = commandLines(output);
    expect(lines).toHaveLength(names.length);
    expect(lines.map((line) => parseWorkflowCommand(line)?.properties)).toEqual(
      names.map((file) => ({ file, line: "1", col: "1", endLine: "2", endColumn: "3", title: "migsafe/drop-table" })),
    );
  });

  it("keeps a hostile identifier in a rule's message inside the annotation", () => {
    const sql = 'DROP TABLE "evil\n::add-mask::x", "a,b%0A::set-output name=y::z";\n';
    const result = lintSource(sql, path.join(repoRoot, "db/003_evil.sql"), { settings: DEFAULT_SETTINGS, rules: [dropTable] }, noPartners);
    const output = formatGithub([result], context);
    expect(output).toBe(
      "::error file=db/003_evil.sql,line=1,col=1,endLine=2,endColumn=47,title=migsafe/drop-table::" +
        // The message and help are one line each: the line break in the name is shown as a space there.
        'DROP TABLE "evil ::add-mask::x", "a,b%250A::set-output name=y::z" deletes the tables and their rows%0A%0A' +
        'Rename them first (ALTER TABLE "evil ::add-mask::x" RENAME TO "evil ::add-mask::x_backup"; …), drop them in a later release\n',
    );
    const [line] = commandLines(output);
    const parsed = parseWorkflowCommand(line!);
    expect(parsed?.command).toBe("error");
    expect(parsed?.data).toBe(`${result.findings[0]!.message}\n\n${result.findings[0]!.help}`);
  });

  it("shows other control and bidi characters as escapes, in properties and data", () => {
    const results = [fileResult("db/\u001b[31mred\u202e.sql", [finding("x", "careful", 1, 1, "a\u0000b\u001b[2Jc\u0085d\u2028e\u202ef", "")])];
    expect(formatGithub(results, context)).toBe(
      "::warning file=db/\\x1b[31mred\\u202e.sql,line=1,col=1,endLine=2,endColumn=3,title=migsafe/x::a\\x00b\\x1b[2Jc\\x85d\\u2028e\\u202ef\n",
    );
  });

  it("never lets any file name, message or help start a line that is not its own annotation", () => {
    const tricky = fc.constantFrom("\n", "\r", "\r\n", "%", "%0A", "%25", ":", "::", ",", "=", "::error ", "::stop-commands::", " ");
    const text = fc.array(fc.oneof(tricky, fc.string()), { maxLength: 8 }).map((parts) => parts.join(""));
    // Printable text besides line breaks, so that it reads back unchanged.
    // eslint-disable-next-line no-control-regex
    const printable = text.map((value) => value.replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, "?"));
    fc.assert(
      fc.property(fc.array(fc.tuple(printable, printable, printable), { minLength: 1, maxLength: 4 }), (files) => {
        const results = files.map(([name, message, help], i) => fileResult(`db/${i}/${name}`, [finding("r", i % 2 ? "careful" : "dangerous", 1, 1, message, help)]));
        const lines = commandLines(formatGithub(results, context));
        expect(lines).toHaveLength(files.length);
        // Dangerous findings (even i) come before careful ones (odd i).
        const order = files.map((_, i) => i).sort((a, b) => (a % 2) - (b % 2));
        lines.forEach((line, position) => {
          const i = order[position]!;
          const [name, message, help] = files[i]!;
          const parsed = parseWorkflowCommand(line);
          expect(parsed?.command).toBe(i % 2 ? "warning" : "error");
          // A path that resolves to the root itself is an empty property, which the runner ignores.
          expect(parsed?.properties.file).toBe(path.relative(repoRoot, path.join(repoRoot, `db/${i}/${name}`)) || undefined);
          expect(parsed?.data).toBe(help ? `${message}\n\n${help}` : message);
        });
      }),
    );
  });

  it("writes fatal errors, then dangerous and careful findings one rule at a time, at most 10 of each type, and says how many it left out", () => {
    const dangerous = (rule: string, line: number) => finding(rule, "dangerous", line, 1, `${rule} ${line}.`, "");
    const careful = (rule: string, line: number) => finding(rule, "careful", line, 1, `${rule} ${line}.`, "");
    const results = [
      fileResult("db/1.sql", [
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((line) => dangerous("drop-table", line)),
        ...[11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22].map((line) => careful("require-lock-timeout", line)),
      ]),
      fileResult("db/2.sql", [dangerous("drop-column", 1), dangerous("drop-column", 2), careful("rename-column", 3), careful("prefer-text", 4)], [{ message: "file not found" }]),
    ];
    const line = (command: string, file: string, at: number, rule: string) =>
      `::${command} file=db/${file},line=${at},col=1,endLine=${at + 1},endColumn=3,title=migsafe/${rule}::${rule} ${at}.\n`;
    const errors = [
      "::error file=db/2.sql,title=migsafe::file not found\n",
      line("error", "1.sql", 1, "drop-table"),
      line("error", "2.sql", 1, "drop-column"),
      line("error", "1.sql", 2, "drop-table"),
      line("error", "2.sql", 2, "drop-column"),
      ...[3, 4, 5, 6, 7].map((at) => line("error", "1.sql", at, "drop-table")),
    ];
    const warnings = [
      line("warning", "1.sql", 11, "require-lock-timeout"),
      line("warning", "2.sql", 3, "rename-column"),
      line("warning", "2.sql", 4, "prefer-text"),
      ...[12, 13, 14, 15, 16, 17, 18].map((at) => line("warning", "1.sql", at, "require-lock-timeout")),
    ];
    const notice = (where: string) =>
      "::notice title=migsafe::5 more findings are not annotated (1 dangerous or fatal, 4 careful): " +
      `GitHub shows 10 error and 10 warning annotations per step; ${where}.\n`;
    expect(formatGithub(results, context)).toBe([...errors, ...warnings, notice("another --format lists them all")].join(""));
    expect(formatGithub(results, { ...context, stepSummary: true })).toBe([...errors, ...warnings, notice("the job summary has the full report")].join(""));
  });

  it("says so in the singular when one finding is left out", () => {
    const results = [fileResult("db/1.sql", Array.from({ length: 11 }, (_, i) => finding("r", "careful", i + 1, 1, "m", "")))];
    const lines = commandLines(formatGithub(results, context));
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe(
      "::notice title=migsafe::1 more finding is not annotated (1 careful): GitHub shows 10 error and 10 warning annotations per step; another --format lists them all.",
    );
  });
});
