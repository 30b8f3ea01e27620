import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/lint.js";
import type { Finding } from "../../src/engine/rule.js";
import type { ReportContext } from "../../src/formatters/format.js";
import { DEFAULT_MARKDOWN_MAX_BYTES, escapeMarkdown, formatMarkdown, MIN_MARKDOWN_MAX_BYTES } from "../../src/formatters/markdown.js";
import { allRules } from "../../rules/index.js";
import { checklistFor } from "../../src/formatters/checklist.js";

const cwd = path.resolve("/project");
const context: ReportContext = { cwd, repoRoot: cwd, colors: false, rules: allRules, version: "1.2.3" };
const UNLIMITED = Number.MAX_SAFE_INTEGER;

function finding(ruleId: string, severity: Finding["severity"], line: number, message: string, help = `Avoid ${ruleId}.`): Finding {
  return {
    ruleId,
    severity,
    message,
    help,
    range: { start: 0, end: 1 },
    loc: { start: { line, column: 1 }, end: { line, column: 2 } },
    docsUrl: `https://example.test/${ruleId}.md`,
  };
}

function fileResult(relativePath: string, findings: Finding[], errors: FileResult["errors"] = []): FileResult {
  return { filePath: path.join(cwd, relativePath), findings, errors, text: "" };
}

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

const long = (what: string) => `${what} ${"and so on ".repeat(60)}`.trim();
const ROW_HEAD = ["| Line | Severity | Rule | Finding |", "| ---: | --- | --- | --- |"];
const row = (line: number, rule: string, message: string) =>
  `| ${line} | dangerous | [${rule}](https://example.test/${rule}.md) | ${message}<br>**Help:** Avoid ${rule}. |`;
const countRow = (rule: string, file: string, count: number) => `| [${rule}](https://example.test/${rule}.md) | migrations/${file} | ${count} |`;

/** Four long dangerous findings and five careful ones: 5,091 bytes in full. */
const RESULTS = [
  fileResult("migrations/001_a.sql", [
    finding("drop-table", "dangerous", 3, long("DROP TABLE a deletes every row,")),
    finding("require-lock-timeout", "careful", 5, "No lock_timeout."),
    finding("require-lock-timeout", "careful", 9, "No lock_timeout."),
    finding("require-concurrent-index", "careful", 9, "CREATE INDEX blocks writes."),
  ]),
  fileResult("migrations/002_b.sql", [
    finding("drop-column", "dangerous", 1, long("ALTER TABLE b DROP COLUMN c deletes the column,")),
    finding("drop-column", "dangerous", 2, long("ALTER TABLE b DROP COLUMN d deletes the column,")),
    finding("require-lock-timeout", "careful", 2, "No lock_timeout."),
  ]),
  fileResult("migrations/003_c.sql", [finding("drop-table", "dangerous", 1, long("DROP TABLE c deletes every row,")), finding("require-lock-timeout", "careful", 1, "No lock_timeout.")]),
];

const HEAD = (maxBytes: string) => [
  "<!-- migsafe-report -->",
  "",
  "## 🛑 migsafe: 4 dangerous and 5 careful findings in 3 migrations",
  "",
  `This report is summarised to fit in ${maxBytes} bytes: dangerous findings and errors are listed in full, careful findings counted per rule and file.`,
  "",
];

/** The dangerous findings of the first two files, each file's table followed by a blank line. */
const FIRST_TWO_FILES = [
  "### migrations/001_a.sql",
  "",
  ...ROW_HEAD,
  row(3, "drop-table", long("DROP TABLE a deletes every row,")),
  "",
  "### migrations/002_b.sql",
  "",
  ...ROW_HEAD,
  row(1, "drop-column", long("ALTER TABLE b DROP COLUMN c deletes the column,")),
  row(2, "drop-column", long("ALTER TABLE b DROP COLUMN d deletes the column,")),
  "",
];

const LOCK_TIMEOUT_COUNTS = [
  "### Careful findings",
  "",
  "| Rule | File | Findings |",
  "| --- | --- | ---: |",
  countRow("require-lock-timeout", "001_a.sql", 2),
  countRow("require-lock-timeout", "002_b.sql", 1),
  countRow("require-lock-timeout", "003_c.sql", 1),
];

const CHECKLIST = (lockCauses: string) => [
  "## Before you deploy",
  "",
  "- [ ] Back up the affected tables before deploying, and verify that the backup restores (drop-table in 2 files, drop-column in migrations/002_b.sql).",
  "- [ ] Expand, then contract: deploy application code that no longer uses the old names or columns first, and change the schema in a later deploy (drop-table in 2 files, drop-column in migrations/002_b.sql).",
  `- [ ] Schedule a low-traffic window, and make sure lock_timeout is set, so a blocked lock fails fast instead of queueing every query behind it${lockCauses}.`,
  "- [ ] Run the migrations on a staging copy of production data, and time them.",
  "- [ ] Have the rollback ready, and know who runs it if the deploy goes wrong.",
  "",
  "<sub>migsafe 1.2.3</sub>",
  "",
];

describe("markdown report within --max-bytes", () => {
  it("is the full report when it fits", () => {
    const full = formatMarkdown(RESULTS, { ...context, maxBytes: UNLIMITED });
    expect(bytes(full)).toBe(5091);
    expect(formatMarkdown(RESULTS, { ...context, maxBytes: 5091 })).toBe(full);
    expect(formatMarkdown(RESULTS, context)).toBe(full);
    expect(DEFAULT_MARKDOWN_MAX_BYTES).toBe(65_000);
  });

  it("summarises when it does not: dangerous findings in full, careful ones counted per rule and file, the checklist with its rules", () => {
    const output = formatMarkdown(RESULTS, { ...context, maxBytes: 5090 });
    expect(output).toBe(
      [
        ...HEAD("5,090"),
        ...FIRST_TWO_FILES,
        "### migrations/003_c.sql",
        "",
        ...ROW_HEAD,
        row(1, "drop-table", long("DROP TABLE c deletes every row,")),
        "",
        ...LOCK_TIMEOUT_COUNTS,
        countRow("require-concurrent-index", "001_a.sql", 1),
        "",
        ...CHECKLIST(" (require-lock-timeout in 3 files, require-concurrent-index in migrations/001_a.sql)"),
      ].join("\n"),
    );
    expect(bytes(output)).toBe(4753);
  });

  it("at the minimum, keeps the dangerous findings that fit, then counts, then says how many are left out", () => {
    const output = formatMarkdown(RESULTS, { ...context, maxBytes: MIN_MARKDOWN_MAX_BYTES });
    expect(output).toBe(
      [
        ...HEAD("4,000"),
        ...FIRST_TWO_FILES,
        ...LOCK_TIMEOUT_COUNTS,
        "",
        "**2 more findings** are not shown here (1 dangerous or fatal, 1 careful): a larger `--max-bytes`, or another `--format`, lists them all.",
        "",
        ...CHECKLIST(" (require-lock-timeout in 3 files, require-concurrent-index in migrations/001_a.sql)"),
      ].join("\n"),
    );
    expect(bytes(output)).toBe(3958);
  });

  it("keeps every checklist task with its rules, however many files call for it", () => {
    // 2,000 files with a finding of every rule that calls for a task, and a file that could not be read.
    const ruleIds = ["require-rollback", "drop-table", "rename-column", "not-null-without-backfill", "change-column-type", "require-lock-timeout"];
    const results = [
      ...Array.from({ length: 2000 }, (_, i) =>
        fileResult(`migrations/${String(i).padStart(6, "0")}.sql`, ruleIds.map((ruleId, line) => finding(ruleId, "careful", line + 1, long(ruleId)))),
      ),
      fileResult("migrations/gone.sql", [], [{ message: "file not found" }]),
    ];
    const output = formatMarkdown(results, { ...context, maxBytes: MIN_MARKDOWN_MAX_BYTES });
    expect(bytes(output)).toBeLessThanOrEqual(MIN_MARKDOWN_MAX_BYTES);
    expect(output).toContain("| — | error | — | file not found |");
    expect(output).toContain(`${countRow("require-rollback", "000000.sql", 1)}\n${countRow("require-rollback", "000001.sql", 1)}\n`);
    expect(output).toMatch(/\n\n\*\*11\d\d\d more findings\*\* are not shown here \(11\d\d\d careful\): /);
    expect(output.slice(output.indexOf("## Before you deploy"))).toBe(
      [
        "## Before you deploy",
        "",
        "- [ ] Fix the files migsafe could not read or parse: it could not check them (migrations/gone.sql).",
        "- [ ] Write the rollback, and run it once on a copy of the database after the forward migration (require-rollback in 2000 files).",
        "- [ ] Back up the affected tables before deploying, and verify that the backup restores (drop-table in 2000 files).",
        "- [ ] Expand, then contract: deploy application code that no longer uses the old names or columns first, and change the schema in a later deploy (drop-table in 2000 files, rename-column in 2000 files).",
        "- [ ] Backfill in batches, each in its own transaction, before adding the constraint (not-null-without-backfill in 2000 files).",
        "- [ ] Expect a table rewrite: check the table's size, and that the disk has room for a full copy of it and its indexes (change-column-type in 2000 files).",
        "- [ ] Schedule a low-traffic window, and make sure lock_timeout is set, so a blocked lock fails fast instead of queueing every query behind it (change-column-type in 2000 files, require-lock-timeout in 2000 files).",
        "- [ ] Run the migrations on a staging copy of production data, and time them.",
        "- [ ] Have the rollback ready, and know who runs it if the deploy goes wrong.",
        "",
        "<sub>migsafe 1.2.3</sub>",
        "",
      ].join("\n"),
    );
  });

  it("keeps every checklist task, without its rules when they do not fit", () => {
    // 300 rules of a project's own, each in its own file, all calling for the low-traffic window.
    const template = allRules[0]!;
    const rules = Array.from({ length: 300 }, (_, i) => ({ ...template, meta: { ...template.meta, id: `team-rule-${i}`, category: "locking" as const } }));
    const results = rules.map((rule, i) => fileResult(`migrations/${i}.sql`, [finding(rule.meta.id, "careful", 1, "Locks.")]));
    const output = formatMarkdown(results, { ...context, rules, maxBytes: MIN_MARKDOWN_MAX_BYTES });
    expect(bytes(output)).toBeLessThanOrEqual(MIN_MARKDOWN_MAX_BYTES);
    expect(output.slice(output.indexOf("## Before you deploy"))).toBe(
      [
        "## Before you deploy",
        "",
        "- [ ] Schedule a low-traffic window, and make sure lock_timeout is set, so a blocked lock fails fast instead of queueing every query behind it.",
        "- [ ] Run the migrations on a staging copy of production data, and time them.",
        "- [ ] Have the rollback ready, and know who runs it if the deploy goes wrong.",
        "",
        "<sub>migsafe 1.2.3</sub>",
        "",
      ].join("\n"),
    );
  });

  it("refuses a limit below the minimum", () => {
    expect(() => formatMarkdown(RESULTS, { ...context, maxBytes: MIN_MARKDOWN_MAX_BYTES - 1 })).toThrow(RangeError);
  });

  it("for any findings and any limit from the minimum: within the limit, well-formed, every dangerous finding when they fit, every finding accounted for", () => {
    const ruleId = fc.constantFrom("drop-table", "drop-column", "require-rollback", "require-lock-timeout", "rename-column", "team-rule");
    // Text with Markdown's and HTML's characters, line breaks, wide characters and emoji, so escaping changes sizes.
    const text = fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("|", "`", "```", "\n", "<b>", "é", "漢字", "🛑", "_x_", "#")), { maxLength: 12 }).map((parts) => parts.join(""));
    const message = fc.record({ ruleId, dangerous: fc.boolean(), line: fc.integer({ min: 1, max: 9999 }), message: text, help: text });
    const file = fc.record({ name: text, messages: fc.array(message, { maxLength: 30 }), broken: fc.boolean() });
    fc.assert(
      fc.property(fc.array(file, { maxLength: 12 }), fc.integer({ min: MIN_MARKDOWN_MAX_BYTES, max: 30_000 }), (files, maxBytes) => {
        const results = files.map((spec, i) =>
          fileResult(
            `migrations/${i}/${spec.name}.sql`,
            spec.messages.map((m) => finding(m.ruleId, m.dangerous ? "dangerous" : "careful", m.line, m.message, m.help)),
            spec.broken ? [{ message: "file not found" }] : [],
          ),
        );
        const output = formatMarkdown(results, { ...context, maxBytes });
        const full = formatMarkdown(results, { ...context, maxBytes: UNLIMITED });

        expect(bytes(output)).toBeLessThanOrEqual(maxBytes);
        if (bytes(full) <= maxBytes) expect(output).toBe(full);
        expectWellFormed(output);
        // The checklist keeps every task (a run without migrations has none).
        if (results.length > 0) for (const item of checklistFor(results, allRules)) expect(output).toContain(`- [ ] ${escapeMarkdown(item.task)}`);

        const severe = results.reduce((sum, result) => sum + result.errors.length + result.findings.filter((f) => f.severity === "dangerous").length, 0);
        const careful = results.reduce((sum, result) => sum + result.findings.filter((f) => f.severity === "careful").length, 0);
        const lines = output.split("\n");
        const severeRows = lines.filter((line) => /^\| (\d+|—) \| (dangerous|error) \| /.test(line)).length;
        const carefulRows = lines.filter((line) => /^\| (\d+|—) \| careful \| /.test(line)).length;
        const counted = lines.reduce((sum, line) => sum + Number(/^\| \[[^\]]*\]\([^)]*\) \| .* \| (\d+) \|$/.exec(line)?.[1] ?? 0), 0);
        const more = Number(/^\*\*(\d+) more findings?\*\*/m.exec(output)?.[1] ?? 0);
        // Every message is listed, counted or in the "more" line, exactly once.
        expect(severeRows + carefulRows + counted + more).toBe(severe + careful);

        // Every dangerous finding and fatal error is listed when their tables fit beside the parts always kept.
        const severeOnly = results.map((result) => ({ ...result, findings: result.findings.filter((f) => f.severity === "dangerous") }));
        if (bytes(formatMarkdown(severeOnly, { ...context, maxBytes: UNLIMITED })) <= maxBytes - MIN_MARKDOWN_MAX_BYTES) expect(severeRows).toBe(severe);
      }),
      { numRuns: 150 },
    );
  });
});

/** Balanced code fences, and tables whose every row has the header's cells after a delimiter row; the only tags the report's own. */
function expectWellFormed(output: string): void {
  expect(output.endsWith("\n")).toBe(true);
  const lines = output.slice(0, -1).split("\n");
  expect(lines.filter((line) => line.trimStart().startsWith("```")).length % 2).toBe(0);
  const cells = (line: string) => line.split("|").length - 2;
  let first = 0;
  lines.forEach((line, i) => {
    if (!line.startsWith("|")) return;
    expect(line.endsWith(" |")).toBe(true);
    if (!lines[i - 1]?.startsWith("|")) first = i;
    const header = lines[first]!;
    expect(lines[first - 1]).toBe("");
    expect(lines[first + 1]).toMatch(/^\|( ---:? \|)+$/);
    expect(cells(line)).toBe(cells(header));
  });
  expect(new Set(output.match(/<[^>]*>/g))).toEqual(new Set(["<!-- migsafe-report -->", "<sub>", "</sub>", ...(output.includes("<br>") ? ["<br>"] : [])]));
}
