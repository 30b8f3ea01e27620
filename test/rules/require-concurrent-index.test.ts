import { describe, expect, it } from "vitest";
import rule from "../../rules/require-concurrent-index.js";
import forbiddenInTransaction from "../../rules/forbidden-in-transaction.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { applyFix, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function withSettings(sql: string, settings: Partial<LintSettings>) {
  return lintSql(sql, { rules: [rule], settings }).findings;
}

/** Lints `sql`, applies its single fix, and checks the result parses and is reported neither by this rule nor by forbidden-in-transaction. */
function fixed(sql: string): string {
  const result = lintSql(sql, { rules: [rule] });
  expect(result.findings).toHaveLength(1);
  const fix = result.findings[0]!.fix;
  expect(fix).toBeDefined();
  const after = applyFix(result.text!, fix!);
  const again = lintSql(after, { rules: [rule, forbiddenInTransaction] });
  expect(again.errors).toEqual([]);
  expect(again.findings).toEqual([]);
  return after;
}

describe("require-concurrent-index", () => {
  it("reports CREATE INDEX and CREATE UNIQUE INDEX on an existing table at the statement", () => {
    const sql = "SELECT 1;\nCREATE INDEX users_email_idx ON users (email);\ncreate unique index on public.users using btree (lower(email))\n  where deleted_at is null;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 46), at(3, 1, 4, 27)]);
  });

  it("says in one line which index blocks writes to which table, with the lock, and the safe statement as help", () => {
    const [finding] = lintSql("CREATE INDEX idx_orders_user ON orders (user_id);", { rules: [rule] }).findings;
    expect(finding!.message).toBe("CREATE INDEX idx_orders_user blocks writes to orders (SHARE)");
    expect(finding!.help).toBe("Use CREATE INDEX CONCURRENTLY outside a transaction block");
    const [quoted] = lintSql('CREATE INDEX "Users_email_idx" ON app."Users" (email);', { rules: [rule] }).findings;
    expect(quoted!.message).toBe('CREATE INDEX "Users_email_idx" blocks writes to app."Users" (SHARE)');
    expect(quoted!.explanation).toBe(
      'The SHARE lock on app."Users" blocks INSERT, UPDATE and DELETE on the table; reads go on. ' +
        'The build reads every row of app."Users" (minutes on a large table), and every INSERT, UPDATE and DELETE on app."Users" waits that long: ' +
        "writers time out or pile up. The table is not rewritten. " +
        "CONCURRENTLY takes a SHARE UPDATE EXCLUSIVE lock instead (reads and writes go on) and scans the table twice; run it outside any transaction block. " +
        'If it fails, it leaves an INVALID index behind that every write still maintains: drop it with DROP INDEX CONCURRENTLY IF EXISTS "Users_email_idx"; before running it again.',
    );
    const [unnamed] = lintSql("CREATE UNIQUE INDEX ON users (email);", { rules: [rule] }).findings;
    expect(unnamed!.message).toBe("CREATE UNIQUE INDEX on users blocks writes to it (SHARE)");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_table_that_keeps_going_and_on";
    const sqls = [
      `CREATE INDEX ${long}_idx ON ${long} (${long}, ${long}_b);`,
      `CREATE UNIQUE INDEX ON app.${long} (lower(${long}));`,
      `BEGIN;\nCREATE INDEX ${long}_idx ON ${long} (a);\nCOMMIT;`,
    ];
    for (const sql of sqls) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
      expect(finding!.help).not.toContain("\n");
    }
  });

  it("names CONCURRENTLY and where to run it in the help (the fix writes the statement), with the INVALID-index clean-up in the explanation", () => {
    const sql = "CREATE UNIQUE INDEX -- by email\n  users_email_key\n  ON users (lower(email))\n  WHERE deleted_at IS NULL;";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("reads every row of users and checks each value for duplicates");
    expect(finding!.help).toBe("Use CREATE UNIQUE INDEX CONCURRENTLY outside a transaction block");
    expect(finding!.explanation).toContain("SHARE UPDATE EXCLUSIVE");
    expect(finding!.explanation).toContain("run it outside any transaction block.");
    expect(finding!.explanation).toContain(
      "If it fails (a duplicate value, for a unique index), it leaves an INVALID index behind that every write still maintains: drop it with DROP INDEX CONCURRENTLY IF EXISTS users_email_key; before running it again.",
    );
  });

  it("fixes a statement run outside any transaction by inserting CONCURRENTLY right after INDEX", () => {
    const sql = "CREATE INDEX users_email_idx ON users (email);";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.fix).toEqual({ range: { start: 12, end: 12 }, text: " CONCURRENTLY" });
    expect(fixed(sql)).toBe("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);");
  });

  it("fixes UNIQUE, IF NOT EXISTS, unnamed indexes, comments between the keywords and CRLF line breaks into SQL that parses and passes", () => {
    const cases: [string, string][] = [
      ["create unique index on public.users (lower(email));", "create unique index CONCURRENTLY on public.users (lower(email));"],
      ['CREATE INDEX IF NOT EXISTS "Idx" ON "Users" USING gin ("tags");', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Idx" ON "Users" USING gin ("tags");'],
      ["CREATE /* fast */ UNIQUE\r\n  INDEX -- by email\r\n  k ON users (email);", "CREATE /* fast */ UNIQUE\r\n  INDEX CONCURRENTLY -- by email\r\n  k ON users (email);"],
      // Fix ranges index the text without its BOM (FileResult.text).
      ["\uFEFF-- größe 😀\nCREATE INDEX ï ON ünïcode (größe);", "-- größe 😀\nCREATE INDEX CONCURRENTLY ï ON ünïcode (größe);"],
    ];
    for (const [sql, expected] of cases) expect(fixed(sql)).toBe(expected);
  });

  it("fixes the statements after a COMMIT, which run outside the block", () => {
    const sql = "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\nCREATE INDEX u_idx ON users (a);";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.fix).toEqual({ range: { start: 51, end: 51 }, text: " CONCURRENTLY" });
  });

  it("gives no fix inside BEGIN … COMMIT, and tells why and where to move the statement", () => {
    const [finding] = lintSql("BEGIN;\nCREATE INDEX i ON t (a);\nCOMMIT;", { rules: [rule] }).findings;
    expect(finding!.fix).toBeUndefined();
    expect(finding!.help).toBe("Use CREATE INDEX CONCURRENTLY outside the BEGIN … COMMIT block");
    expect(finding!.explanation).toContain(
      "run it outside any transaction block: CONCURRENTLY cannot run inside one, and this statement runs inside its BEGIN … COMMIT block. " +
        "Move it to a migration of its own, with nothing else in it, that the runner runs outside a transaction (goose: -- +goose NO TRANSACTION;",
    );
  });

  it("gives no fix when the runner wraps the file (assumeInTransaction) or a goose section, and says so", () => {
    const [assumed] = withSettings("CREATE INDEX i ON t (a);", { assumeInTransaction: true });
    expect(assumed!.fix).toBeUndefined();
    expect(assumed!.explanation).toContain("this statement runs because the configuration says the runner wraps each file in a transaction (assumeInTransaction)");
    const [goose] = lintSql("-- +goose Up\nCREATE INDEX i ON t (a);", { rules: [rule] }).findings;
    expect(goose!.fix).toBeUndefined();
    expect(goose!.help).toBe("Use CREATE INDEX CONCURRENTLY in a migration of its own, outside a transaction (-- +goose NO TRANSACTION)");
    expect(goose!.explanation).toContain("because goose runs each migration in a transaction");
    const [free] = lintSql("-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX i ON t (a);", { rules: [rule] }).findings;
    expect(free!.fix).toEqual({ range: { start: 50, end: 50 }, text: " CONCURRENTLY" });
  });

  it("names the way out of the runner's transaction that the file's runner has", () => {
    const help = (sql: string, settings: Partial<LintSettings> = {}) => withSettings(sql, settings)[0]!.explanation;
    const index = "CREATE INDEX i ON t (a);";
    expect(help(`-- +goose Up\n${index}`)).toContain("Move it to a migration of its own, with nothing else in it, that goose runs outside a transaction (-- +goose NO TRANSACTION)");
    expect(help(`${index}\n${index}`, { runner: "prisma" })).toContain(
      "Move it to a migration of its own, with nothing else in it: Prisma Migrate sends each file as one query, and a query of one statement runs outside any transaction",
    );
    expect(help(index, { runner: "knex" })).toContain("that Knex runs outside a transaction (exports.config = { transaction: false })");
    expect(help(index, { runner: "drizzle" })).toContain("Drizzle Kit has no way to run one migration outside its transaction: run this statement outside it, on a connection of its own");
  });

  it("reports an index built by a DO block at its place in the body, with no fix, and says to move it out", () => {
    const sql = "DO $$\nBEGIN\n  CREATE INDEX i ON t (a);\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 26)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.help).toBe("Use CREATE INDEX CONCURRENTLY outside the DO block, as a statement of its own");
    expect(finding!.explanation).toContain("outside the DO block (CONCURRENTLY cannot run in a function)");
    expect(finding!.fix).toBeUndefined();
  });

  it("does not report the safe alternative: CREATE INDEX CONCURRENTLY", () => {
    const sql = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS k ON users (id);";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report an index on a table or materialized view created earlier in the file", () => {
    const sql =
      "CREATE TABLE orders (id bigint, user_id bigint);\nCREATE INDEX orders_user_idx ON orders (user_id);\n" +
      "CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;\nCREATE UNIQUE INDEX ON totals (n);\n" +
      "CREATE TABLE public.items (id int);\nCREATE INDEX ON items (id);";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports an index created before its table in the file, and one on a table of another schema", () => {
    const sql = "CREATE INDEX a_idx ON accounts (id);\nCREATE TABLE accounts (id int);\nCREATE TABLE audit.users (id int);\nCREATE INDEX u_idx ON users (id);";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 36), at(4, 1, 4, 33)]);
  });

  it("does not report CREATE INDEX ON ONLY a partitioned parent, which builds nothing", () => {
    expect(findingsOf(rule, "CREATE INDEX events_at_idx ON ONLY events (created_at);")).toEqual([]);
  });

  it("does not report text in comments and strings", () => {
    const sql = "-- CREATE INDEX i ON t (a);\n/* CREATE INDEX i ON t (a); */\nSELECT 'CREATE INDEX i ON t (a)';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("counts positions in UTF-16 code units after CRLF lines and multi-byte text", () => {
    const sql = "-- größe 😀\r\nSELECT 'ü';\r\nCREATE INDEX ï ON ünïcode (größe);";
    expect(findingsOf(rule, sql)).toEqual([at(3, 1, 3, 34)]);
  });
});
