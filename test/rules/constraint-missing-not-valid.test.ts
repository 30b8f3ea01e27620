import { describe, expect, it } from "vitest";
import rule from "../../rules/constraint-missing-not-valid.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { docsSqlBlocks, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function findingsWith(sql: string, settings: Partial<LintSettings>) {
  return lintSql(sql, { rules: [rule], settings }).findings.map(located);
}

/** The SQL blocks of a section of the rule's docs page. */
const docsSql = (section: string): string => docsSqlBlocks("constraint-missing-not-valid", section).join("\n");

/** Lints SQL quoted from a help text: it must parse and pass. */
function passes(sql: string): void {
  const result = lintSql(sql, { rules: [rule] });
  expect(result.errors).toEqual([]);
  expect(result.findings).toEqual([]);
}

describe("constraint-missing-not-valid", () => {
  it("says each finding in one line with the real names and the lock, and the NOT VALID step as help", () => {
    const one = (sql: string) => lintSql(sql, { rules: [rule] }).findings[0]!;
    const check = one("ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);");
    expect(check.message).toBe("ADD CONSTRAINT orders_total_check CHECK scans every row of orders (ACCESS EXCLUSIVE)");
    expect(check.help).toBe(
      "Add it NOT VALID, then run VALIDATE CONSTRAINT orders_total_check in a separate transaction",
    );
    const foreign = one("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users;");
    expect(foreign.message).toBe("ADD CONSTRAINT orders_user_fk FOREIGN KEY scans every row of orders (SHARE ROW EXCLUSIVE)");
    const column = one("ALTER TABLE users ADD COLUMN score int CHECK (score >= 0);");
    expect(column.message).toBe("ADD COLUMN score with a CHECK scans every row of users while blocking it (ACCESS EXCLUSIVE)");
    expect(column.help).toBe("Add score without its CHECK, then add users_score_check NOT VALID and VALIDATE it in a separate transaction");
    const self = one("ALTER TABLE nodes ADD CONSTRAINT nodes_parent_fk FOREIGN KEY (parent) REFERENCES nodes;");
    expect(self.message).toBe("ADD CONSTRAINT nodes_parent_fk FOREIGN KEY scans every row of nodes (SHARE ROW EXCLUSIVE)");
    const reference = one("ALTER TABLE users ADD COLUMN org_id bigint DEFAULT 1 REFERENCES orgs;");
    expect(reference.message).toBe("ADD COLUMN org_id REFERENCES orgs with a value scans all of users (ACCESS EXCLUSIVE)");
    const validate = one("BEGIN;\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;\nCOMMIT;");
    expect(validate.message).toBe("VALIDATE CONSTRAINT fk runs in the transaction that added it (SHARE ROW EXCLUSIVE)");
    expect(validate.help).toBe("Commit in between: run ALTER TABLE orders VALIDATE CONSTRAINT fk in a separate transaction (after COMMIT, or in a later migration)");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_table_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} ADD CONSTRAINT ${long}_check CHECK (${long} >= 0 AND ${long} < 1000000);`,
      `ALTER TABLE app.${long} ADD CONSTRAINT ${long}_fkey FOREIGN KEY (${long}) REFERENCES app.${long}_parent;`,
      `ALTER TABLE app.${long} ADD COLUMN ${long} int CHECK (${long} > 0);`,
      `ALTER TABLE app.${long} ADD COLUMN ${long} int DEFAULT 0 REFERENCES app.${long}_parent;`,
      `BEGIN;\nALTER TABLE ${long} ADD CONSTRAINT ${long}_k CHECK (a > 0) NOT VALID;\nALTER TABLE ${long} VALIDATE CONSTRAINT ${long}_k;\nCOMMIT;`,
    ];
    for (const sql of sqls) {
      const findings = lintSql(sql, { rules: [rule] }).findings;
      expect(findings).toHaveLength(1);
      expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
      expect(findings[0]!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("reports ADD CONSTRAINT … CHECK at the action, with the lock, the scan and the NOT VALID split", () => {
    const sql = "SELECT 1;\nALTER TABLE public.users ADD CONSTRAINT users_age_check CHECK (age >= 0);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 26, 2, 73)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE public\.users ADD CONSTRAINT users_age_check CHECK \(…\) checks every existing row of public\.users while holding an ACCESS EXCLUSIVE lock, which blocks every read and write of the table/);
    expect(finding!.explanation).toContain("no rewrite");
    expect(finding!.explanation).toContain("ALTER TABLE public.users ADD CONSTRAINT users_age_check CHECK (age >= 0) NOT VALID;");
    expect(finding!.explanation).toContain("ALTER TABLE public.users VALIDATE CONSTRAINT users_age_check;");
    expect(finding!.explanation).toContain("SHARE UPDATE EXCLUSIVE lock on public.users");
    expect(finding!.explanation).toContain("reads and writes go on");
    passes("ALTER TABLE public.users ADD CONSTRAINT users_age_check CHECK (age >= 0) NOT VALID;");
  });

  it("reports ADD FOREIGN KEY with the SHARE ROW EXCLUSIVE lock on both tables", () => {
    const sql = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 20, 1, 111)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY \(user_id\) REFERENCES users checks every existing row of orders/);
    expect(finding!.explanation).toContain("SHARE ROW EXCLUSIVE lock on both orders and users");
    expect(finding!.explanation).toContain("blocks every write of both tables");
    expect(finding!.explanation).toContain(
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;",
    );
    expect(finding!.explanation).toContain("ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;");
    expect(finding!.explanation).toContain("On users it holds only a ROW SHARE lock");
  });

  it("names an unnamed constraint as PostgreSQL would, so that the help can validate it", () => {
    const sql = "ALTER TABLE users ADD CHECK (age >= 0 AND age < 200), ADD CHECK (a > b), ADD FOREIGN KEY (org_id, team) REFERENCES teams;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 53), at(1, 55, 1, 72), at(1, 74, 1, 121)]);
    const [first, second, third] = lintSql(sql, { rules: [rule] }).findings;
    expect(first!.explanation).toContain("ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0 AND age < 200) NOT VALID;");
    expect(second!.explanation).toContain("ALTER TABLE users ADD CONSTRAINT users_check CHECK (a > b) NOT VALID;");
    expect(third!.explanation).toContain("ALTER TABLE users ADD CONSTRAINT users_org_id_team_fkey FOREIGN KEY (org_id, team) REFERENCES teams NOT VALID;");
    expect(third!.explanation).toContain("ALTER TABLE users VALIDATE CONSTRAINT users_org_id_team_fkey;");
  });

  it("writes a self-referencing foreign key as one table", () => {
    const [finding] = lintSql("ALTER TABLE nodes ADD FOREIGN KEY (parent_id) REFERENCES nodes (id);", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("SHARE ROW EXCLUSIVE lock on nodes, which blocks every write of nodes");
    expect(finding!.explanation).not.toContain("ROW SHARE");
  });

  it("keeps the action's text on one line without its comments in the help", () => {
    const sql = "ALTER TABLE users\n  ADD CONSTRAINT k -- positive\n    CHECK (age >= 0);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 3, 21)]);
    expect(lintSql(sql, { rules: [rule] }).findings[0]!.explanation).toContain("ALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;");
  });

  it("reports ADD COLUMN … CHECK: the new column is checked by a scan of the whole table", () => {
    const sql = "ALTER TABLE users ADD COLUMN score int CHECK (score > 0);";
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 57)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE users ADD COLUMN score … CHECK \(…\) checks the new column in every existing row of users/);
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE");
    expect(finding!.explanation).toContain("NULL in every existing row, so the scan is pure cost");
    expect(finding!.explanation).toContain(
      "ALTER TABLE users ADD COLUMN score int; ALTER TABLE users ADD CONSTRAINT users_score_check CHECK (score > 0) NOT VALID;",
    );
    expect(finding!.explanation).toContain("ALTER TABLE users VALIDATE CONSTRAINT users_score_check;");
    passes("ALTER TABLE users ADD COLUMN score int; ALTER TABLE users ADD CONSTRAINT users_score_check CHECK (score > 0) NOT VALID;");
  });

  it("keeps the column's other constraints in the help and drops only the checked ones", () => {
    const sql = "ALTER TABLE users ADD COLUMN score int /* new */ CONSTRAINT score_pos CHECK (score > 0) NOT NULL DEFAULT 1;";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).not.toContain("pure cost");
    expect(finding!.explanation).toContain(
      "ALTER TABLE users ADD COLUMN score int NOT NULL DEFAULT 1; ALTER TABLE users ADD CONSTRAINT score_pos CHECK (score > 0) NOT VALID;",
    );
  });

  it("reports ADD COLUMN … REFERENCES only when the column gets a value, which makes PostgreSQL validate it", () => {
    const sql = [
      "ALTER TABLE users ADD COLUMN org_id bigint DEFAULT 1 REFERENCES orgs (id) ON DELETE SET NULL DEFERRABLE;",
      "ALTER TABLE users ADD COLUMN org2 bigint DEFAULT NULL REFERENCES orgs;",
      "ALTER TABLE users ADD COLUMN org3 bigserial REFERENCES orgs;",
      "ALTER TABLE users ADD COLUMN org4 bigint GENERATED ALWAYS AS (org_id + 1) STORED REFERENCES orgs;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 104), at(2, 19, 2, 70), at(3, 19, 3, 60), at(4, 19, 4, 97)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE users ADD COLUMN org_id … REFERENCES orgs gives the new column a DEFAULT/);
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE on users");
    expect(finding!.explanation).toContain("SHARE ROW EXCLUSIVE on orgs");
    expect(finding!.explanation).toContain(
      "ALTER TABLE users ADD COLUMN org_id bigint DEFAULT 1; ALTER TABLE users ADD CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE SET NULL DEFERRABLE NOT VALID;",
    );
    passes(
      "ALTER TABLE users ADD COLUMN org_id bigint DEFAULT 1; ALTER TABLE users ADD CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE SET NULL DEFERRABLE NOT VALID;",
    );
  });

  it("does not report ADD COLUMN … REFERENCES without a default: PostgreSQL marks it valid without a scan", () => {
    const sql = "ALTER TABLE users ADD COLUMN org_id bigint REFERENCES orgs (id), ADD COLUMN team_id int CONSTRAINT fk_team REFERENCES teams NOT NULL;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report constraints added NOT VALID or NOT ENFORCED, nor other constraints", () => {
    const sql = [
      "ALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;",
      "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
      "ALTER TABLE users ADD CONSTRAINT k2 CHECK (age >= 0) NOT ENFORCED;",
      "ALTER TABLE users ADD COLUMN c int CHECK (c > 0) NOT ENFORCED;",
      "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email), ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&);",
      "ALTER TABLE users VALIDATE CONSTRAINT k;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report the safe alternative of the docs page, and reports its example", () => {
    expect(lintSql(docsSql("Use instead"), { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, docsSql("Use instead"))).toEqual([]);
    expect(findingsOf(rule, docsSql("Example")).length).toBeGreaterThan(0);
  });

  it("reports VALIDATE CONSTRAINT in the same explicit transaction as its NOT VALID ADD", () => {
    const sql = "BEGIN;\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 20, 3, 42)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE orders VALIDATE CONSTRAINT fk runs in the same transaction as the ADD CONSTRAINT fk … NOT VALID on line 2: /);
    expect(finding!.explanation).toContain("SHARE ROW EXCLUSIVE lock it took on both orders and users is still held");
    expect(finding!.explanation).toContain("ALTER TABLE orders VALIDATE CONSTRAINT fk; in a separate transaction");
    const check = "BEGIN;\nALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT k;\nCOMMIT;";
    expect(findingsOf(rule, check)).toEqual([at(3, 19, 3, 40)]);
    expect(lintSql(check, { rules: [rule] }).findings[0]!.explanation).toContain("ACCESS EXCLUSIVE lock it took on users is still held");
  });

  it("reports VALIDATE CONSTRAINT in the same ALTER TABLE as the NOT VALID ADD, and after PostgreSQL 18's NOT NULL … NOT VALID", () => {
    expect(findingsOf(rule, "ALTER TABLE users ADD CONSTRAINT k CHECK (a > 0) NOT VALID, VALIDATE CONSTRAINT k;")).toEqual([at(1, 61, 1, 82)]);
    const [finding] = lintSql("ALTER TABLE users ADD CONSTRAINT k CHECK (a > 0) NOT VALID, VALIDATE CONSTRAINT k;", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("earlier in this same ALTER TABLE");
    const pg18 = "BEGIN;\nALTER TABLE users ADD CONSTRAINT nn NOT NULL email NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT nn;\nCOMMIT;";
    expect(findingsOf(rule, pg18)).toEqual([at(3, 19, 3, 41)]);
  });

  it("decides the same transaction from the runner's wrapping and the COMMITs between", () => {
    const split = "ALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT k;";
    expect(findingsWith(split, {})).toEqual([]);
    expect(findingsWith(split, { assumeInTransaction: true })).toEqual([at(2, 19, 2, 40)]);
    const committed = "ALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;\nCOMMIT;\nALTER TABLE users VALIDATE CONSTRAINT k;";
    expect(findingsWith(committed, { assumeInTransaction: true })).toEqual([]);
    const blocks = "BEGIN;\nALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE users VALIDATE CONSTRAINT k;\nCOMMIT;";
    expect(findingsWith(blocks, {})).toEqual([]);
    expect(findingsWith(blocks, { assumeInTransaction: true })).toEqual([]);
  });

  it("matches VALIDATE to the ADD of the same constraint on the same table", () => {
    const sql = [
      "BEGIN;",
      "ALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;",
      "ALTER TABLE users VALIDATE CONSTRAINT other;",
      "ALTER TABLE accounts VALIDATE CONSTRAINT k;",
      "ALTER TABLE audit.users VALIDATE CONSTRAINT k;",
      "ALTER TABLE public.users VALIDATE CONSTRAINT k;",
      "COMMIT;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(6, 26, 6, 47)]);
  });

  it("resolves unqualified names through search_path", () => {
    const sql = "SET search_path TO app;\nBEGIN;\nALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;\nALTER TABLE app.users VALIDATE CONSTRAINT k;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 23, 4, 44)]);
    const [selfReference] = lintSql("SET search_path TO app;\nALTER TABLE app.nodes ADD FOREIGN KEY (parent_id) REFERENCES nodes (id);", { rules: [rule] }).findings;
    expect(selfReference!.explanation).toContain("SHARE ROW EXCLUSIVE lock on app.nodes, which blocks every write of app.nodes");
  });

  it("reports VALIDATE in the same DO block as the ADD, and DO-block ADDs", () => {
    const sql = "DO $$\nBEGIN\n  ALTER TABLE users ADD CONSTRAINT k CHECK (age >= 0) NOT VALID;\n  ALTER TABLE users VALIDATE CONSTRAINT k;\n  ALTER TABLE users ADD CHECK (b > 0);\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 21, 4, 42), at(5, 21, 5, 38)]);
  });

  it("orders the statements of a DO block whose body is not dollar-quoted, and keeps its help readable", () => {
    const sql = "DO 'BEGIN ALTER TABLE users VALIDATE CONSTRAINT k; ALTER TABLE users ADD CONSTRAINT k CHECK (a > 0) NOT VALID; ALTER TABLE users VALIDATE CONSTRAINT k; END';";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 157)]);
    const [finding] = lintSql("DO 'BEGIN ALTER TABLE users ADD COLUMN c int CHECK (c > 0); END';", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("ALTER TABLE users ADD COLUMN c integer; ALTER TABLE users ADD CONSTRAINT users_c_check CHECK (…) NOT VALID;");
  });

  it("does not report tables created earlier in the file", () => {
    const sql = [
      "CREATE TABLE orders (id int, user_id int, total int);",
      "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
      "ALTER TABLE orders ADD CHECK (total >= 0), ADD COLUMN c int DEFAULT 0 CHECK (c >= 0) REFERENCES users;",
      "ALTER TABLE orders ADD CONSTRAINT k CHECK (total > 0) NOT VALID, VALIDATE CONSTRAINT k;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("still reports an existing table referencing a table created in the file, and a table created after", () => {
    const sql = "CREATE TABLE orgs (id int PRIMARY KEY);\nALTER TABLE users ADD FOREIGN KEY (org_id) REFERENCES orgs (id);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 19, 2, 64)]);
    expect(findingsOf(rule, "ALTER TABLE t ADD CHECK (a > 0);\nCREATE TABLE t (a int);")).toEqual([at(1, 15, 1, 32)]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- contrainte « âge » 🎉\r\nCOMMENT ON TABLE users IS 'utilisateurs — été';\r\nALTER TABLE users\r\n  ADD CHECK (age >= 0);";
    expect(findingsOf(rule, sql)).toEqual([at(4, 3, 4, 23)]);
  });

  it("does not report SQL in comments and strings", () => {
    const sql = "-- ALTER TABLE users ADD CHECK (a > 0);\n/* ALTER TABLE users ADD CHECK (a > 0); */\nSELECT 'ALTER TABLE users ADD CHECK (a > 0);';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});
