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
    expect(withSettings(`BEGIN;\n${INDEX}\nCOMMIT;`, { runner: "flyway" }).map((finding) => finding.explanation)).toEqual([
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
    expect(nested!.explanation).toMatch(/^BEGIN runs inside the transaction opened at line 1: PostgreSQL ignores it with a WARNING \(there is already a transaction in progress\)/);
    expect(nested!.explanation).toContain("The COMMIT at line 5 then ends the outer transaction too, committing everything since line 1");
    expect(nested!.explanation).toContain("the statements after it run outside any transaction");
    expect(nested!.explanation).toContain("Remove this BEGIN and its COMMIT at line 5");
    expect(nested!.explanation).toContain("SAVEPOINT name;");
    expect(stray!.explanation).toMatch(/^COMMIT runs with no transaction open: PostgreSQL ignores it with a WARNING \(there is no transaction in progress\)/);
    expect(stray!.explanation).toContain("already ended by the COMMIT at line 5");
  });

  it("reports COMMIT and ROLLBACK without a BEGIN", () => {
    expect(findingsOf(rule, `${ADD}\n${INDEX}\nCOMMIT;`)).toEqual([at(3, 1, 3, 7)]);
    const [rollback] = messages(`${ADD}\nROLLBACK;`);
    expect(rollback!.explanation).toContain("No BEGIN precedes it");
    expect(rollback!.explanation).toContain("this ROLLBACK cannot undo them");
    expect(rollback!.explanation).toContain("ends the runner's transaction early");
    expect(rollback!.explanation).toContain('"assumeInTransaction": true');
  });

  it("reports a BEGIN the file never commits", () => {
    const sql = `${ADD}\nBEGIN;\n${INDEX}`;
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 6)]);
    const [finding] = messages(sql);
    expect(finding!.explanation).toMatch(/^BEGIN opens a transaction that the file never ends/);
    expect(finding!.explanation).toContain("psql rolls it back");
    expect(finding!.explanation).toContain("idle in transaction");
    expect(finding!.help).toBe("End the migration with COMMIT; after its last statement");
  });

  it("reports SAVEPOINT outside a transaction, which PostgreSQL rejects", () => {
    expect(findingsOf(rule, `SAVEPOINT before_add;\n${ADD}\nRELEASE SAVEPOINT before_add;`)).toEqual([at(1, 1, 1, 21), at(3, 1, 3, 29)]);
    expect(messages(`SAVEPOINT a;\n${ADD}`)[0]!.explanation).toContain("PostgreSQL rejects it with an ERROR");
    expect(withSettings(`SAVEPOINT a;\n${ADD}`, { assumeInTransaction: true })).toEqual([]);
  });

  describe("when the runner wraps the file in a transaction", () => {
    const assume = { assumeInTransaction: true };

    it("reports BEGIN once, naming the COMMIT that ends the runner's transaction early", () => {
      const sql = `BEGIN;\n${ADD}\nCOMMIT;`;
      const findings = withSettings(sql, assume);
      expect(findings.map(located)).toEqual([at(1, 1, 1, 6)]);
      expect(findings[0]!.explanation).toMatch(/^BEGIN runs inside the runner's transaction \(the configuration says the runner wraps each file in a transaction \(assumeInTransaction\)\)/);
      expect(findings[0]!.explanation).toContain("The COMMIT at line 3 then commits the runner's transaction early");
      expect(findings[0]!.explanation).not.toContain("the statements after it run outside any transaction");
      expect(findings[0]!.explanation).toContain("Remove BEGIN and the COMMIT at line 3");
    });

    it("says when statements run after the early COMMIT", () => {
      const [finding] = withSettings(`BEGIN;\n${ADD}\nCOMMIT;\n${INDEX}`, assume);
      expect(finding!.explanation).toContain("the statements after it run outside any transaction");
    });

    it("reports a COMMIT or ROLLBACK that ends the runner's transaction", () => {
      const commit = withSettings(`${ADD}\nCOMMIT;\n${INDEX}`, assume);
      expect(commit.map(located)).toEqual([at(2, 1, 2, 7)]);
      expect(commit[0]!.explanation).toMatch(/^COMMIT ends the runner's transaction .* in the middle of the migration: it commits what the file did so far/);
      const [rollback] = withSettings(`${ADD}\nROLLBACK;`, assume);
      expect(rollback!.explanation).toContain("it undoes everything the file did before it");
      expect(rollback!.explanation).toContain("recorded as applied although its work was rolled back");
    });

    it("does not report without BEGIN or COMMIT", () => {
      expect(withSettings(`${ADD}\n${INDEX}`, assume)).toEqual([]);
    });
  });

  it("knows that goose wraps each section in a transaction unless NO TRANSACTION", () => {
    const goose = `-- +goose Up\nBEGIN;\n${ADD}\nCOMMIT;\n-- +goose Down\nALTER TABLE users DROP COLUMN role;`;
    expect(findingsOf(rule, goose)).toEqual([at(2, 1, 2, 6)]);
    expect(messages(goose)[0]!.explanation).toContain("goose runs each migration in a transaction");
    expect(findingsOf(rule, `-- +goose NO TRANSACTION\n${goose}`)).toEqual([]);
  });

  it("checks each section of a file on its own", () => {
    const sql = `-- migrate:up transaction:false\nBEGIN;\n${ADD}\n-- migrate:down transaction:false\nBEGIN;\nALTER TABLE users DROP COLUMN role;\nCOMMIT;`;
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 6)]);
    expect(messages(sql)[0]!.explanation).toMatch(/^BEGIN opens a transaction that the up section never ends/);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, `-- BEGIN;\n/* COMMIT; */\n${ADD}\nSELECT 'COMMIT;';`)).toEqual([]);
  });

  it("says in one short line what the transaction statement does, with a one-line help", () => {
    const [nested, stray] = messages(`BEGIN;\n${ADD}\nBEGIN;\n${INDEX}\nCOMMIT;\n${ADD}\nCOMMIT;`);
    expect(nested!.message).toBe("BEGIN inside the transaction opened at line 1 is ignored; the COMMIT at line 5 ends both");
    expect(nested!.help).toBe("Remove this BEGIN and its COMMIT at line 5; for a partial undo, use SAVEPOINT name; … ROLLBACK TO SAVEPOINT name;");
    expect(stray!.message).toBe("COMMIT with no transaction open is ignored: the COMMIT at line 5 already ended it");
    expect(stray!.help).toBe("Remove this COMMIT, or the COMMIT at line 5 if the statements in between belong to the transaction");
    const [runner] = withSettings(`BEGIN;\n${ADD}\nCOMMIT;`, { assumeInTransaction: true });
    expect(runner!.message).toBe("BEGIN inside the runner's transaction is ignored; the COMMIT at line 3 ends it early");
    expect(runner!.help).toBe("Remove BEGIN and the COMMIT at line 3: the runner's transaction already makes the file atomic");
    const [early] = withSettings(`${ADD}\nROLLBACK;`, { assumeInTransaction: true });
    expect(early!.message).toBe("ROLLBACK ends the runner's transaction in the middle of the migration, undoing the work before it");
    const [alone] = messages(`${ADD}\nROLLBACK;`);
    expect(alone!.message).toBe("ROLLBACK with no transaction open is ignored: no BEGIN precedes it");
    expect(alone!.help).toBe('Open the transaction with BEGIN; at the top, or remove this ROLLBACK (runner wraps the file? "assumeInTransaction": true)');
    const [savepoint] = messages(`SAVEPOINT a;\n${ADD}`);
    expect(savepoint!.message).toBe("SAVEPOINT with no transaction open fails with an ERROR, and the migration stops here");
    const [open] = messages(`BEGIN;\n${ADD}`);
    expect(open!.message).toBe("BEGIN opens a transaction that the file never ends: no COMMIT follows it");
  });

  it("keeps messages within 100 characters, with long files too", () => {
    const many = Array.from({ length: 2000 }, () => "SELECT 1;").join("\n");
    const sqls = [
      `START TRANSACTION;\n${many}\nSTART TRANSACTION;\n${ADD}\nCOMMIT;\n${many}\nCOMMIT;`,
      `${many}\nRELEASE SAVEPOINT ${"n".repeat(60)};\nBEGIN;`,
    ];
    for (const sql of sqls) {
      const { findings } = lintSql(sql, { rules: [rule] });
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        expect(finding.message.length).toBeLessThanOrEqual(100);
        expect(finding.message).not.toContain("…");
        expect(finding.help.length).toBeLessThanOrEqual(200);
      }
    }
    for (const finding of withSettings(`START TRANSACTION;\n${ADD}\n${many}\nCOMMIT;`, { assumeInTransaction: true })) {
      expect(finding.message.length).toBeLessThanOrEqual(100);
      expect(finding.message).not.toContain("…");
    }
  });
});
