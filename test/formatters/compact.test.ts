import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import { formatCompact } from "../../src/formatters/compact.js";
import type { ReportContext } from "../../src/formatters/format.js";
import { SYNTHETIC_CWD, SYNTHETIC_RESULTS, syntheticFinding } from "./synthetic-results.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const cwd = SYNTHETIC_CWD;
const results = SYNTHETIC_RESULTS;
const context: ReportContext = { cwd, repoRoot: cwd, colors: true, rules: [], version: "1.2.3" };

describe("compact", () => {
  it("writes one line per message, `path:line:col: severity rule-id message`, without colour or summary", () => {
    expect(formatCompact(results, context)).toBe(
      [
        "migrations/002_mixed.sql:3:5: careful adding-not-null SET NOT NULL scans the whole table.",
        "migrations/002_mixed.sql:12:1: dangerous drop-table DROP TABLE users deletes every row.",
        "migrations/003_broken.sql:1:1: dangerous drop-table DROP TABLE a deletes every row.",
        'migrations/003_broken.sql:2:23: error parse-error syntax error at or near "LIMIT"',
        "../elsewhere/missing.sql: error parse-error file not found",
        "",
      ].join("\n"),
    );
  });

  it("writes nothing when no file has a message", () => {
    expect(formatCompact(results.slice(0, 1), context)).toBe("");
    expect(formatCompact([], context)).toBe("");
  });

  it("keeps each message on one line whatever the file name or message holds", () => {
    const hostile: FileResult = {
      filePath: path.join(cwd, "evil\nmigrations/x.sql:1:1: careful fake-rule injected.sql"),
      findings: [syntheticFinding("drop-table", "dangerous", 2, 3, "DROP TABLE \"a\nb\";\r\n\u001b[2J\u202ereversed\u0085")],
      errors: [],
    };
    expect(formatCompact([hostile], context)).toBe(
      'evil\\x0amigrations/x.sql:1:1: careful fake-rule injected.sql:2:3: dangerous drop-table DROP TABLE "a\\x0ab";\\x0d\\x0a\\x1b[2J\\u202ereversed\\x85\n',
    );
  });

  it("reports real findings at their positions", () => {
    const files: FileAccess = { exists: () => false, read: () => undefined };
    const result = lintSource("BEGIN;\nSET lock_timeout = '5s';\n  DROP TABLE accounts;\nCOMMIT;\n", path.join(cwd, "db/007_drop.sql"), { settings: DEFAULT_SETTINGS, rules: allRules }, files);
    const lines = formatCompact([result], context).trimEnd().split("\n");
    const drop = result.findings.find((found) => found.ruleId === "drop-table")!;
    expect(lines.filter((line) => line.includes(" drop-table "))).toEqual([`db/007_drop.sql:3:3: dangerous drop-table ${drop.message}`]);
    expect(lines).toHaveLength(result.findings.length);
  });
});
