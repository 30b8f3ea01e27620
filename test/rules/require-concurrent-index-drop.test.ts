import { describe, expect, it } from "vitest";
import rule from "../../rules/require-concurrent-index-drop.js";
import forbiddenInTransaction from "../../rules/forbidden-in-transaction.js";
import { lintSource } from "../../src/engine/lint-source.js";
import { applyFix, findingsOf, lintSql, ruleTestKit } from "../helpers.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const { at } = ruleTestKit(rule);

const noFiles = { exists: () => false, read: () => undefined };

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

describe("require-concurrent-index-drop", () => {
  it("reports DROP INDEX at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP INDEX users_email_idx;\ndrop index if exists\n  public.orders_idx cascade;")).toEqual([at(2, 1, 2, 27), at(3, 1, 4, 28)]);
  });

  it("says in one line which index blocks its table, with the lock, and the CONCURRENTLY statement as help", () => {
    const [finding] = lintSql('DROP INDEX app."Users_email_idx";', { rules: [rule] }).findings;
    expect(finding!.message).toBe('DROP INDEX app."Users_email_idx" blocks reads and writes of its table (ACCESS EXCLUSIVE)');
    expect(finding!.help).toBe('Use DROP INDEX CONCURRENTLY outside a transaction block');
    expect(finding!.explanation).toBe(
      "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table the index belongs to, which blocks every read and write of the table. " +
        "The drop itself is quick and rewrites nothing, but it must first get the lock. " +
        "While it waits for running transactions on the table, every query that arrives after it waits too: a long-running query turns the migration into an outage. " +
        "DROP INDEX CONCURRENTLY takes a SHARE UPDATE EXCLUSIVE lock (reads and writes go on) and waits for running transactions; run it outside any transaction block. " +
        "If it is cancelled or fails half-way, the index is left INVALID (still maintained on every write): run the DROP INDEX CONCURRENTLY again.",
    );
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_an_index_that_keeps_going_and_on";
    const sqls = [`DROP INDEX ${long};`, `DROP INDEX IF EXISTS app.${long}, app.${long}_b, ${long}_c CASCADE;`, `BEGIN;\nDROP INDEX ${long};\nCOMMIT;`];
    for (const sql of sqls) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
    }
    const [many] = lintSql(sqls[1]!, { rules: [rule] }).findings;
    expect(many!.message).toMatch(/^DROP INDEX app\.a_rather_long_\S+ and 2 more lock their tables \(ACCESS EXCLUSIVE\)$/);
    expect(many!.help).toBe("Drop each index in a statement of its own, with DROP INDEX CONCURRENTLY IF EXISTS, outside a transaction block");
  });

  it("fixes a single index dropped outside any transaction by inserting CONCURRENTLY right after INDEX", () => {
    const [finding] = lintSql("DROP INDEX users_email_idx;", { rules: [rule] }).findings;
    expect(finding!.fix).toEqual({ range: { start: 10, end: 10 }, text: " CONCURRENTLY" });
    const cases: [string, string][] = [
      ["DROP INDEX users_email_idx;", "DROP INDEX CONCURRENTLY users_email_idx;"],
      ['drop index if exists app."Idx" restrict;', 'drop index CONCURRENTLY if exists app."Idx" restrict;'],
      ["DROP /* old */ INDEX\r\n  -- by email\r\n  i;", "DROP /* old */ INDEX CONCURRENTLY\r\n  -- by email\r\n  i;"],
    ];
    for (const [sql, expected] of cases) expect(fixed(sql)).toBe(expected);
  });

  it("splits several indexes into one DROP INDEX CONCURRENTLY each, keeps IF EXISTS, explains CASCADE, and gives no fix", () => {
    const [finding] = lintSql("DROP INDEX IF EXISTS a_idx, b_idx CASCADE;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP INDEX a_idx and b_idx block reads and writes of their tables (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe(
      "Drop each index in a statement of its own: DROP INDEX CONCURRENTLY IF EXISTS a_idx; DROP INDEX CONCURRENTLY IF EXISTS b_idx; outside a transaction block",
    );
    expect(finding!.explanation).toContain("CONCURRENTLY refuses CASCADE");
    expect(finding!.fix).toBeUndefined();
    expect(lintSql("DROP INDEX a_idx, b_idx;", { rules: [rule] }).findings[0]!.fix).toBeUndefined();
    expect(lintSql("DROP INDEX a_idx CASCADE;", { rules: [rule] }).findings[0]!.fix).toBeUndefined();
  });

  it("gives no fix for several indexes even when only one of them is reported", () => {
    const sql = "CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);\nDROP INDEX t_a_idx, users_a_idx;";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP INDEX users_a_idx blocks reads and writes of its table (ACCESS EXCLUSIVE)");
    expect(finding!.fix).toBeUndefined();
  });

  it("the suggested statements parse and pass", () => {
    const suggested = "DROP INDEX CONCURRENTLY IF EXISTS a_idx; DROP INDEX CONCURRENTLY IF EXISTS b_idx;";
    const again = lintSql(suggested, { rules: [rule] });
    expect(again.errors).toEqual([]);
    expect(again.findings).toEqual([]);
  });

  it("gives no fix in a transaction, explicit or assumed, and tells to move the statement out", () => {
    const [explicit] = lintSql("BEGIN;\nDROP INDEX i;\nCOMMIT;", { rules: [rule] }).findings;
    expect(explicit!.fix).toBeUndefined();
    expect(explicit!.help).toBe("Use DROP INDEX CONCURRENTLY outside the BEGIN … COMMIT block");
    expect(explicit!.explanation).toContain(
      "CONCURRENTLY cannot run inside one, and this statement runs inside its BEGIN … COMMIT block. Move it to a migration of its own, with nothing else in it, that the runner runs outside a transaction",
    );
    const [assumed] = lintSource("DROP INDEX i;", "migrations/001_test.sql", { rules: [rule], settings: { ...DEFAULT_SETTINGS, assumeInTransaction: true } }, noFiles).findings;
    expect(assumed!.fix).toBeUndefined();
    expect(assumed!.explanation).toContain("(assumeInTransaction)");
  });

  it("reports DROP INDEX run by a DO block at its place, with no fix, and says to move it out", () => {
    const sql = "DO $$\nBEGIN\n  DROP INDEX i;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 15)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.help).toContain("outside the DO block");
    expect(finding!.fix).toBeUndefined();
  });

  it("does not report DROP INDEX CONCURRENTLY", () => {
    expect(findingsOf(rule, "DROP INDEX CONCURRENTLY users_email_idx;\nDROP INDEX CONCURRENTLY IF EXISTS public.b_idx;")).toEqual([]);
  });

  it("does not report an index built earlier in the file on a table created in the file", () => {
    const sql = "CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);\nDROP INDEX t_a_idx;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports an index built earlier in the file on an existing table: the lock is on that table", () => {
    const sql = "CREATE INDEX CONCURRENTLY u_a_idx ON users (a);\nDROP INDEX u_a_idx, t_idx;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 26)]);
  });

  it("does not report an index whose table another statement of the transaction locks ACCESS EXCLUSIVE, before or after", () => {
    const sql = [
      "BEGIN;",
      'DROP INDEX "Recipient_documentId_idx";',
      'ALTER TABLE "Recipient" DROP COLUMN "documentId";',
      "ALTER TABLE jobs ADD COLUMN parent uuid;",
      "DROP INDEX IF EXISTS jobs_name_index;",
      "DROP INDEX orders_status_idx;",
      "DROP INDEX IDX_3f5a9c;",
      "COMMIT;",
      "DROP INDEX users_email_idx;",
      "ALTER TABLE users ADD COLUMN note text;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(6, 1, 6, 29), at(7, 1, 7, 22), at(9, 1, 9, 27)]);
  });

  it("reports the first DROP INDEX of a table in a transaction, not the later ones, which run under its lock", () => {
    const sql = ["BEGIN;", "CREATE INDEX jobs_a_index ON jobs (a);", "DROP INDEX jobs_b_index;", "DROP INDEX jobs_c_index;", "DROP INDEX users_c_index;", "COMMIT;", "DROP INDEX jobs_d_index;"].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(3, 1, 3, 24), at(5, 1, 5, 25), at(7, 1, 7, 24)]);
  });

  it("does not report, in a rollback, an index its forward migration created on the table the rollback then drops", () => {
    const forward = 'CREATE TABLE "addon_rate_cards" (id int, addon_id int);\nCREATE INDEX "addonratecard_addon_id_key" ON "addon_rate_cards" (addon_id);';
    const rollback = 'BEGIN;\nDROP INDEX "addonratecard_addon_id_key";\nDROP TABLE "addon_rate_cards";\nCOMMIT;';
    const files = { "migrations/001_addon.up.sql": forward };
    expect(lintSql(rollback, { rules: [rule], filePath: "migrations/001_addon.down.sql", files }).findings).toEqual([]);
    expect(lintSql(rollback.replace('DROP TABLE "addon_rate_cards";\n', ""), { rules: [rule], filePath: "migrations/001_addon.down.sql", files }).findings).toHaveLength(1);
  });

  it("does not report other DROP statements, or text in comments and strings", () => {
    const sql = "DROP TABLE t;\nDROP INDEX CONCURRENTLY i;\n-- DROP INDEX i;\n/* DROP INDEX i; */\nSELECT 'DROP INDEX i';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});
