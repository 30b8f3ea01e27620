import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintSource } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { Finding, RuleCategory } from "../../src/engine/rule.js";
import { checklistFor, FINDING_TASKS } from "../../src/formatters/checklist.js";
import type { ReportContext } from "../../src/formatters/format.js";
import { escapeMarkdown, formatMarkdown } from "../../src/formatters/markdown.js";
import { allRules } from "../../rules/index.js";
import { VERIFY_RULES } from "../../src/verify/verify.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const cwd = path.resolve("/project");
const context: ReportContext = { cwd, repoRoot: cwd, colors: false, rules: allRules, version: "1.2.3" };
const noPartners = { exists: () => false, read: () => undefined };

function lint(relativePath: string, sql: string): FileResult {
  return lintSource(sql, path.join(cwd, relativePath), { settings: DEFAULT_SETTINGS, rules: allRules }, noPartners);
}

function finding(ruleId: string, severity: Finding["severity"] = "careful", line = 1): Finding {
  return {
    ruleId,
    severity,
    message: `${ruleId} message.`,
    help: `${ruleId} help.`,
    range: { start: 0, end: 1 },
    loc: { start: { line, column: 1 }, end: { line, column: 2 } },
    docsUrl: `https://example.test/${ruleId}.md`,
  };
}

function fileResult(relativePath: string, findings: Finding[], errors: FileResult["errors"] = []): FileResult {
  return { filePath: path.join(cwd, relativePath), findings, errors, text: "…" };
}

const GENERAL_ITEMS = [
  "- [ ] Run the migrations on a staging copy of production data, and time them.",
  "- [ ] Have the rollback ready, and know who runs it if the deploy goes wrong.",
];

describe("markdown formatter", () => {
  it("reports real findings per file with links to the rule docs, and the checklist they call for", () => {
    const results = [
      lint(
        "migrations/001_create_orders.sql",
        "SET lock_timeout = '5s';\nBEGIN;\n" +
          "CREATE TABLE IF NOT EXISTS orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric NOT NULL);\n" +
          "COMMIT;\n-- Rollback:\n/* DROP TABLE orders; */\n",
      ),
      lint(
        "migrations/002_users.sql",
        "SET lock_timeout = '5s';\nBEGIN;\n" +
          "ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified boolean NOT NULL;\n" +
          "CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n" +
          "DROP TABLE IF EXISTS legacy_sessions;\nCOMMIT;\n",
      ),
      lint("migrations/003_broken.sql", "DELETE FROM users WHERE id IN (1, 2) LIMIT 1;\n"),
    ];
    expect(formatMarkdown(results, context)).toBe(
      [
        "<!-- migsafe-report -->",
        "",
        "## 🛑 migsafe: 1 dangerous and 3 careful findings in 1 of 3 migrations; 1 could not be checked",
        "",
        "### migrations/002_users.sql",
        "",
        "| Line | Severity | Rule | Finding |",
        "| ---: | --- | --- | --- |",
        "| 1 | careful | [require-rollback](https://github.com/migsafe/migsafe/blob/main/docs/rules/require-rollback.md) | 002_users.sql has no rollback: no 002_users_rollback.sql, rollback comment or down section<br>**Help:** Write the undo SQL, in reverse order, in 002_users_rollback.sql beside it or in a -- Rollback: /&#42; … &#42;/ comment block |",
        "| 3 | careful | [not-null-without-backfill](https://github.com/migsafe/migsafe/blob/main/docs/rules/not-null-without-backfill.md) | ADD COLUMN email_verified NOT NULL without a default fails on users if it has rows<br>**Help:** Give email_verified a constant DEFAULT, or add it nullable, backfill it and then make it NOT NULL |",
        "| 4 | careful | [require-concurrent-index](https://github.com/migsafe/migsafe/blob/main/docs/rules/require-concurrent-index.md) | CREATE INDEX users_email_idx blocks writes to users (SHARE)<br>**Help:** Use CREATE INDEX CONCURRENTLY outside the BEGIN … COMMIT block |",
        "| 5 | dangerous | [drop-table](https://github.com/migsafe/migsafe/blob/main/docs/rules/drop-table.md) | DROP TABLE legacy_sessions deletes the table and its rows (ACCESS EXCLUSIVE)<br>**Help:** Rename it to legacy_sessions_backup first, drop it in a later release |",
        "",
        "### migrations/003_broken.sql",
        "",
        "| Line | Severity | Rule | Finding |",
        "| ---: | --- | --- | --- |",
        "| 1 | error | — | syntax error at or near \"LIMIT\"<br>**Hint:** PostgreSQL's UPDATE and DELETE have no LIMIT: batch with &#96;WHERE id IN (SELECT id FROM ... LIMIT n)&#96; instead. |",
        "",
        "## Before you deploy",
        "",
        "- [ ] Fix the files migsafe could not read or parse: it could not check them (migrations/003_broken.sql).",
        "- [ ] Write the rollback, and run it once on a copy of the database after the forward migration (require-rollback in migrations/002_users.sql).",
        "- [ ] Back up the affected tables before deploying, and verify that the backup restores (drop-table in migrations/002_users.sql).",
        "- [ ] Expand, then contract: deploy application code that no longer uses the old names or columns first, and change the schema in a later deploy (drop-table in migrations/002_users.sql).",
        "- [ ] Backfill in batches, each in its own transaction, before adding the constraint (not-null-without-backfill in migrations/002_users.sql).",
        "- [ ] Schedule a low-traffic window, and make sure lock_timeout is set, so a blocked lock fails fast instead of queueing every query behind it (require-concurrent-index in migrations/002_users.sql).",
        "- [ ] Run the migrations on a staging copy of production data, and time them.",
        "- [ ] Have the rollback ready, and know who runs it if the deploy goes wrong.",
        "",
        "<sub>migsafe 1.2.3</sub>",
        "",
      ].join("\n"),
    );
  });

  it("says a clean run is clean, and still lists the general checks", () => {
    expect(formatMarkdown([fileResult("migrations/001_clean.sql", []), fileResult("migrations/002_clean.sql", [])], context)).toBe(
      [
        "<!-- migsafe-report -->",
        "",
        "## ✅ migsafe: no risky statements in 2 migrations",
        "",
        "## Before you deploy",
        "",
        ...GENERAL_ITEMS,
        "",
        "<sub>migsafe 1.2.3</sub>",
        "",
      ].join("\n"),
    );
    expect(formatMarkdown([], context)).toBe("<!-- migsafe-report -->\n\n## ✅ migsafe: no migrations to check\n\n<sub>migsafe 1.2.3</sub>\n");
  });

  it("states the verdict in counts of findings and migrations", () => {
    const heading = (results: FileResult[]) => formatMarkdown(results, context).split("\n")[2];
    const clean = fileResult("a.sql", []);
    const broken = fileResult("b.sql", [], [{ message: "file not found" }]);
    expect(heading([fileResult("c.sql", [finding("prefer-text")])])).toBe("## ⚠️ migsafe: 1 careful finding in 1 migration");
    expect(heading([clean, fileResult("c.sql", [finding("prefer-text"), finding("prefer-text", "careful", 2)])])).toBe(
        "## ⚠️ migsafe: 2 careful findings in 1 of 2 migrations",
    );
    expect(heading([fileResult("c.sql", [finding("truncate", "dangerous")]), fileResult("d.sql", [finding("truncate", "dangerous")])])).toBe(
        "## 🛑 migsafe: 2 dangerous findings in 2 migrations",
    );
    expect(heading([clean, broken])).toBe("## 🛑 migsafe: 1 of 2 migrations could not be checked");
    expect(heading([broken])).toBe("## 🛑 migsafe: 1 migration could not be checked");
    expect(heading([clean, broken, fileResult("c.sql", [finding("prefer-text")])])).toBe(
        "## 🛑 migsafe: 1 careful finding in 1 of 3 migrations; 1 could not be checked",
    );
  });

  it("keeps hostile file names and messages from breaking the table or injecting HTML, links or mentions", () => {
    const hostile: FileResult = {
      filePath: path.join(cwd, "migrations/004_a|b<img src=x>*bold*_[x](http://e)`#\n## Fake heading.sql"),
      findings: [
        {
          ...finding("drop-table", "dangerous"),
          message:
            'DROP TABLE "x | --- |\n| fake | row" deletes <script>alert(1)</script> [click](https://evil.test) `code` ' +
            "**bold** _em_ ~~strike~~ @org/team \\| &amp; #1 snake_case_name",
          help: "Use ![img](https://evil.test/i.png) instead.\r\nSecond line\u001b[2J\u202e.",
          docsUrl: "https://example.test/drop table.md) [x](y",
        },
      ],
      errors: [],
      text: "",
    };
    const output = formatMarkdown([hostile], context);
    const file = "migrations/004_a&#124;b&lt;img src=x&gt;&#42;bold&#42;&#95;&#91;x&#93;(http:/e)&#96;&#35;<br>&#35;&#35; Fake heading.sql";
    expect(output).toBe(
      [
        "<!-- migsafe-report -->",
        "",
        "## 🛑 migsafe: 1 dangerous finding in 1 migration",
        "",
        `### ${file}`,
        "",
        "| Line | Severity | Rule | Finding |",
        "| ---: | --- | --- | --- |",
        "| 1 | dangerous | [drop-table](https://example.test/drop%20table.md%29%20%5Bx%5D%28y) | " +
          'DROP TABLE "x &#124; --- &#124;<br>&#124; fake &#124; row" deletes &lt;script&gt;alert(1)&lt;/script&gt; ' +
          "&#91;click&#93;(https://evil.test) &#96;code&#96; &#42;&#42;bold&#42;&#42; &#95;em&#95; &#126;&#126;strike&#126;&#126; " +
          "@&#8203;org/team &#92;&#124; &amp;amp; &#35;1 snake_case_name" +
          "<br>**Help:** Use !&#91;img&#93;(https://evil.test/i.png) instead.<br>Second line&#92;x1b&#91;2J&#92;u202e. |",
        "",
        "## Before you deploy",
        "",
        `- [ ] Back up the affected tables before deploying, and verify that the backup restores (drop-table in ${file}).`,
        "- [ ] Expand, then contract: deploy application code that no longer uses the old names or columns first, " +
          `and change the schema in a later deploy (drop-table in ${file}).`,
        ...GENERAL_ITEMS,
        "",
        "<sub>migsafe 1.2.3</sub>",
        "",
      ].join("\n"),
    );
    // Whatever the text, each table row keeps its five borders, and the only tags are the report's own.
    for (const row of output.split("\n").filter((line) => line.startsWith("| "))) expect(row.split("|")).toHaveLength(6);
    expect(new Set(output.match(/<[^>]*>/g))).toEqual(new Set(["<!-- migsafe-report -->", "<br>", "<sub>", "</sub>"]));
  });

  it("escapes each Markdown and HTML character, and only underscores that could start or end emphasis", () => {
    expect(escapeMarkdown("&<>|`*_~[]\\#@")).toBe("&amp;&lt;&gt;&#124;&#96;&#42;&#95;&#126;&#91;&#93;&#92;&#35;@&#8203;");
    expect(escapeMarkdown("users_email_idx _x_ a__b é_ü 1_")).toBe("users_email_idx &#95;x&#95; a&#95;&#95;b é_ü 1&#95;");
    expect(escapeMarkdown("a\r\nb\rc\nd")).toBe("a<br>b<br>c<br>d");
  });
});

describe("pre-deploy checklist", () => {
  it("derives tasks from the findings' categories and rules, naming each rule and file once", () => {
    const results = [
      fileResult("migrations/001.sql", [finding("change-column-type"), finding("rename-column"), finding("rename-column", "careful", 2)]),
      fileResult("migrations/002.sql", [finding("drop-column", "dangerous"), finding("require-lock-timeout"), finding("prefer-text")]),
      fileResult("migrations/003.sql", [finding("custom-rule"), finding("schema-change-with-backfill")]),
      fileResult("migrations/004.sql", [], [{ message: "file not found" }]),
    ];
    const file = (name: string) => path.join(cwd, "migrations", name);
    expect(checklistFor(results, allRules)).toEqual([
      { task: "Fix the files migsafe could not read or parse: it could not check them", causes: [{ ruleId: null, filePath: file("004.sql") }] },
      {
        task: "Back up the affected tables before deploying, and verify that the backup restores",
        causes: [{ ruleId: "drop-column", filePath: file("002.sql") }],
      },
      {
        task: "Expand, then contract: deploy application code that no longer uses the old names or columns first, and change the schema in a later deploy",
        causes: [
          { ruleId: "rename-column", filePath: file("001.sql") },
          { ruleId: "drop-column", filePath: file("002.sql") },
        ],
      },
      {
        task: "Backfill in batches, each in its own transaction, before adding the constraint",
        causes: [{ ruleId: "schema-change-with-backfill", filePath: file("003.sql") }],
      },
      {
        task: "Expect a table rewrite: check the table's size, and that the disk has room for a full copy of it and its indexes",
        causes: [{ ruleId: "change-column-type", filePath: file("001.sql") }],
      },
      {
        task: "Schedule a low-traffic window, and make sure lock_timeout is set, so a blocked lock fails fast instead of queueing every query behind it",
        causes: [
          { ruleId: "change-column-type", filePath: file("001.sql") },
          { ruleId: "require-lock-timeout", filePath: file("002.sql") },
          { ruleId: "schema-change-with-backfill", filePath: file("003.sql") },
        ],
      },
      { task: "Run the migrations on a staging copy of production data, and time them", causes: [] },
      { task: "Have the rollback ready, and know who runs it if the deploy goes wrong", causes: [] },
    ]);
  });

  it("names only categories and rules that exist", () => {
    const categories = new Set<RuleCategory>(allRules.map((rule) => rule.meta.category));
    const ruleIds = new Set([...allRules, ...VERIFY_RULES].map((rule) => rule.meta.id));
    for (const entry of FINDING_TASKS) {
      for (const category of entry.categories ?? []) expect(categories).toContain(category);
      for (const ruleId of entry.ruleIds ?? []) expect(ruleIds).toContain(ruleId);
    }
  });
});
