import { describe, expect, it } from "vitest";
import { formatLockTable, sortRows, type LockRow } from "../../src/verify/lock-table.js";

const row = (over: Partial<LockRow>): LockRow => ({
  file: "/p/migrations/002.sql",
  line: 3,
  statement: "ALTER TABLE users ADD COLUMN plan text",
  table: "users",
  mode: "ACCESS EXCLUSIVE",
  heldTo: 8,
  blocks: "reads and writes",
  rewrite: false,
  durationMs: 1.26,
  ...over,
});
const show = (file: string) => file.replace("/p/", "");

describe("the lock table", () => {
  const rows = sortRows(
    [
      row({ line: 9, statement: "UPDATE orders SET a = 'x|y'", table: "orders", mode: "ROW EXCLUSIVE", heldTo: 9, blocks: "schema changes" }),
      row({ file: "/p/migrations/001.sql", line: 2, table: "b" }),
      row({ line: 7, heldSince: 3, rewrite: true }),
      row({ file: "/p/migrations/001.sql", line: 2, table: "a" }),
    ],
    ["/p/migrations/001.sql", "/p/migrations/002.sql"],
  );

  it("is in migration order, then line, then table", () => {
    expect(rows.map((each) => `${show(each.file)}:${each.line} ${each.table}`)).toEqual(["migrations/001.sql:2 a", "migrations/001.sql:2 b", "migrations/002.sql:7 users", "migrations/002.sql:9 orders"]);
  });

  it("prints aligned text, with the span a lock is held and since when", () => {
    expect(formatLockTable(rows.slice(2), "text", show)).toBe(
      [
        "statement                                                    table   lock              held                blocks            rewrite  ms",
        "migrations/002.sql:7 ALTER TABLE users ADD COLUMN plan text  users   ACCESS EXCLUSIVE  since line 3, to 8  reads and writes  yes       1",
        "migrations/002.sql:9 UPDATE orders SET a = 'x|y'             orders  ROW EXCLUSIVE     line 9              schema changes    no        1",
        "",
      ].join("\n"),
    );
  });

  it("prints a markdown table whose cells cannot break it, and JSON that parses", () => {
    const markdown = formatLockTable(rows.slice(3), "markdown", show);
    expect(markdown).toBe(
      "### Locks taken, by statement\n\n| statement | table | lock | held | blocks | rewrite | ms |\n| --- | --- | --- | --- | --- | --- | --- |\n" +
        "| migrations/002.sql:9 UPDATE orders SET a = 'x\\|y' | orders | ROW EXCLUSIVE | line 9 | schema changes | no | 1 |\n",
    );
    const json = JSON.parse(formatLockTable(rows, "json", show)) as LockRow[];
    expect(json[2]).toEqual({ ...rows[2], file: "migrations/002.sql", durationMs: 1.3 });
    expect(formatLockTable([], "text", show)).toBe("No statement took a lock on a table that existed before its migration.\n");
  });
});
