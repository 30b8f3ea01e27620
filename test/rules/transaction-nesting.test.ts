import { describe, expect, it } from "vitest";
import rule from "../../rules/transaction-nesting.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const ADD = "ALTER TABLE users ADD COLUMN role text;";
const INDEX = "CREATE INDEX users_role_idx ON users (role);";
const messages = (sql: string) => lintSql(sql, { rules: [rule] }).findings;
const withSettings = (sql: string, settings: Partial<LintSettings>) =>
  lintSql(sql, { rules: [rule], settings }).findings;

describe("transaction-nesting", () => {
  it("does not report BEGIN … COMMIT in a file its runner sends as one query: the block takes PostgreSQL's implicit transaction over", () => {
    expect(withSettings(`${ADD}\nBEGIN;\n${INDEX}\nCOMMIT;\n${ADD}`, { runner: "prisma" })).toEqual([]);
    expect(withSettings(`BEGIN;\n${INDEX}\nCOMMIT;`, { runner: "golang-migrate" })).toEqual([]);
    expect(withSettings(`BEGIN;\n${INDEX}\nCOMMIT;`, { runner: "flyway" }).map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^BEGIN runs inside the runner's transaction \(Flyway runs each migration in a transaction of its own/),
    ]);
  });

  it("does not report one BEGIN … COMMIT block, several in a row, or START TRANSACTION … END", () => {
    expect(findingsOf(rule, `BEGIN;\n${ADD}\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `BEGIN;\n${ADD}\nCOMMIT;\nBEGIN;\n${INDEX}\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `START TRANSACTION;\n${ADD}\nSAVEPOINT a;\n${INDEX}\nROLLBACK TO SAVEPOINT a;\nEND;`)).toEqual([]);
    expect(findingsOf(rule, ADD)).toEqual([]);
  });

  it("does not report the safe alternative of the docs page", () => {
    const sql = [
      "BEGIN;",
      ADD,
      "SAVEPOINT before_backfill;",
      "UPDATE users SET role = 'member' WHERE id = 1;",
      "RELEASE SAVEPOINT before_backfill;",
      INDEX,
      "COMMIT;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports a BEGIN inside an open transaction, and the COMMIT left without one", () => {
    const sql = `BEGIN;\n${ADD}\nBEGIN;\n${INDEX}\nCOMMIT;\nDROP TABLE old_users;\nCOMMIT;`;
    expect(findingsOf(rule, sql)).toEqual([at(3, 1, 3, 6), at(7, 1, 7, 7)]);
    const [nested, stray] = messages(sql);
    expect(nested!.message).toMatch(/^BEGIN runs inside the transaction opened at line 1: PostgreSQL ignores it with a WARNING \(there is already a transaction in progress\)/);
    expect(nested!.message).toContain("The COMMIT at line 5 then ends the outer transaction too, committing everything since line 1");
    expect(nested!.message).toContain("the statements after it run outside any transaction");
    expect(nested!.help).toContain("Remove this BEGIN and its COMMIT at line 5");
    expect(nested!.help).toContain("SAVEPOINT name;");
    expect(stray!.message).toMatch(/^COMMIT runs with no transaction open: PostgreSQL ignores it with a WARNING \(there is no transaction in progress\)/);
    expect(stray!.message).toContain("already ended by the COMMIT at line 5");
  });

  it("reports COMMIT and ROLLBACK without a BEGIN", () => {
    expect(findingsOf(rule, `${ADD}\n${INDEX}\nCOMMIT;`)).toEqual([at(3, 1, 3, 7)]);
    const [rollback] = messages(`${ADD}\nROLLBACK;`);
    expect(rollback!.message).toContain("No BEGIN precedes it");
    expect(rollback!.message).toContain("this ROLLBACK cannot undo them");
    expect(rollback!.message).toContain("ends the runner's transaction early");
    expect(rollback!.help).toContain('"assumeInTransaction": true');
  });

  it("reports a BEGIN the file never commits", () => {
    const sql = `${ADD}\nBEGIN;\n${INDEX}`;
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 6)]);
    const [finding] = messages(sql);
    expect(finding!.message).toMatch(/^BEGIN opens a transaction that the file never ends/);
    expect(finding!.message).toContain("psql rolls it back");
    expect(finding!.message).toContain("idle in transaction");
    expect(finding!.help).toBe("End the migration with COMMIT; after its last statement.");
  });

  it("reports SAVEPOINT outside a transaction, which PostgreSQL rejects", () => {
    expect(findingsOf(rule, `SAVEPOINT before_add;\n${ADD}\nRELEASE SAVEPOINT before_add;`)).toEqual([at(1, 1, 1, 21), at(3, 1, 3, 29)]);
    expect(messages(`SAVEPOINT a;\n${ADD}`)[0]!.message).toContain("PostgreSQL rejects it with an ERROR");
    expect(withSettings(`SAVEPOINT a;\n${ADD}`, { assumeInTransaction: true })).toEqual([]);
  });

  describe("when the runner wraps the file in a transaction", () => {
    const assume = { assumeInTransaction: true };

    it("reports BEGIN once, naming the COMMIT that ends the runner's transaction early", () => {
      const sql = `BEGIN;\n${ADD}\nCOMMIT;`;
      const findings = withSettings(sql, assume);
      expect(findings.map(located)).toEqual([at(1, 1, 1, 6)]);
      expect(findings[0]!.message).toMatch(/^BEGIN runs inside the runner's transaction \(the configuration says the runner wraps each file in a transaction \(assumeInTransaction\)\)/);
      expect(findings[0]!.message).toContain("The COMMIT at line 3 then commits the runner's transaction early");
      expect(findings[0]!.message).not.toContain("the statements after it run outside any transaction");
      expect(findings[0]!.help).toMatch(/^Remove BEGIN and the COMMIT at line 3/);
    });

    it("says when statements run after the early COMMIT", () => {
      const [finding] = withSettings(`BEGIN;\n${ADD}\nCOMMIT;\n${INDEX}`, assume);
      expect(finding!.message).toContain("the statements after it run outside any transaction");
    });

    it("reports a COMMIT or ROLLBACK that ends the runner's transaction", () => {
      const commit = withSettings(`${ADD}\nCOMMIT;\n${INDEX}`, assume);
      expect(commit.map(located)).toEqual([at(2, 1, 2, 7)]);
      expect(commit[0]!.message).toMatch(/^COMMIT ends the runner's transaction .* in the middle of the migration: it commits what the file did so far/);
      const [rollback] = withSettings(`${ADD}\nROLLBACK;`, assume);
      expect(rollback!.message).toContain("it undoes everything the file did before it");
      expect(rollback!.message).toContain("recorded as applied although its work was rolled back");
    });

    it("does not report without BEGIN or COMMIT", () => {
      expect(withSettings(`${ADD}\n${INDEX}`, assume)).toEqual([]);
    });
  });

  it("knows that goose wraps each section in a transaction unless NO TRANSACTION", () => {
    const goose = `-- +goose Up\nBEGIN;\n${ADD}\nCOMMIT;\n-- +goose Down\nALTER TABLE users DROP COLUMN role;`;
    expect(findingsOf(rule, goose)).toEqual([at(2, 1, 2, 6)]);
    expect(messages(goose)[0]!.message).toContain("goose runs each migration in a transaction");
    expect(findingsOf(rule, `-- +goose NO TRANSACTION\n${goose}`)).toEqual([]);
  });

  it("checks each section of a file on its own", () => {
    const sql = `-- migrate:up transaction:false\nBEGIN;\n${ADD}\n-- migrate:down transaction:false\nBEGIN;\nALTER TABLE users DROP COLUMN role;\nCOMMIT;`;
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 6)]);
    expect(messages(sql)[0]!.message).toMatch(/^BEGIN opens a transaction that the up section never ends/);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, `-- BEGIN;\n/* COMMIT; */\n${ADD}\nSELECT 'COMMIT;';`)).toEqual([]);
  });
});
