import { beforeAll, describe, expect, it } from "vitest";
import enumAddValue from "../../rules/enum-add-value-in-transaction.js";
import forbiddenInTransaction from "../../rules/forbidden-in-transaction.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import { refusedInTransaction } from "../../src/facts/refused-in-transaction.js";
import { loadParser } from "../../src/parser/pg.js";
import { runnerOf } from "../../src/runners/file-runner.js";
import type { RunnerName } from "../../src/runners/profiles.js";
import { lintSql } from "../helpers.js";
import { factsOf } from "./facts-of.js";

beforeAll(() => loadParser());

/** The runner named in the configuration, for a file with nothing around it. */
const forced = (runner: RunnerName) => runnerOf("m/001_x.sql", "", { exists: () => false, read: () => undefined }, { runner, assumeInTransaction: undefined });

const opener = (sql: string, settings = {}) => {
  const { facts, all } = factsOf(sql, settings);
  return all.map((statement) => facts.transactions.of(statement).openedBy ?? "-");
};

describe("transactions: which transaction each statement runs in, and who opened it", () => {
  it("an explicit BEGIN … COMMIT block, its BEGIN and COMMIT included; autocommit outside it", () => {
    const { facts, at } = factsOf("SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);");
    expect(facts.transactions.of(at("SET")).id).toBeUndefined();
    expect(facts.transactions.of(at("ALTER")).openedBy).toBe("begin");
    expect(facts.transactions.of(at("ALTER")).begin).toBe(at("BEGIN"));
    expect(facts.transactions.sameTransaction(at("BEGIN"), at("COMMIT"))).toBe(true);
    expect(facts.transactions.inTransaction(at("CREATE INDEX"))).toBe(false);
  });

  it("leaves a BEGIN the file never commits open to the end", () => {
    expect(opener("START TRANSACTION;\nDROP TABLE a;")).toEqual(["begin", "begin"]);
  });

  it("ignores a BEGIN inside an open block, as PostgreSQL does, and the first COMMIT ends the block", () => {
    const { facts, at } = factsOf("BEGIN;\nSELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;\nSELECT 3;\nCOMMIT;");
    expect(facts.transactions.sameTransaction(at("SELECT 1"), at("SELECT 2"))).toBe(true);
    expect(facts.transactions.inTransaction(at("SELECT 3"))).toBe(false);
  });

  it("the runner's transaction (assumeInTransaction) until an explicit COMMIT ends it; COMMIT AND CHAIN opens the next one", () => {
    expect(opener("SELECT 1;\nCOMMIT;\nSELECT 2;", { assumeInTransaction: true })).toEqual(["runner", "runner", "-"]);
    const { facts, at } = factsOf("BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;");
    expect(facts.transactions.of(at("SELECT 2")).openedBy).toBe("begin");
    expect(facts.transactions.sameTransaction(at("SELECT 1"), at("SELECT 2"))).toBe(false);
  });

  it("goose, dbmate and sql-migrate sections: wrapped by the runner unless the file turns it off, whatever assumeInTransaction says", () => {
    const goose = "-- +goose Up\nALTER TABLE t ADD COLUMN a int;\n-- +goose Down\nALTER TABLE t DROP COLUMN a;";
    expect(opener(goose)).toEqual(["runner", "runner"]);
    const { facts, at } = factsOf(goose);
    expect(facts.transactions.sameTransaction(at("ALTER TABLE t ADD"), at("ALTER TABLE t DROP"))).toBe(false);
    expect(facts.transactions.of(at("ALTER TABLE t ADD")).section.reason).toBe("goose runs each migration in a transaction (its -- +goose Up marker has no -- +goose NO TRANSACTION)");
    expect(opener("-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (a);", { assumeInTransaction: true })).toEqual(["-"]);
    expect(opener("-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;")).toEqual(["-", "runner"]);
    expect(opener("-- +migrate Up notransaction\nSELECT 1;")).toEqual(["-"]);
  });

  it("a runner that sends the file as one query: PostgreSQL's implicit transaction around several statements, none around one", () => {
    const prisma = { runner: forced("prisma") };
    expect(opener("ALTER TABLE t ADD COLUMN a int;\nCREATE INDEX i ON t (a);", prisma)).toEqual(["runner", "runner"]);
    expect(opener("CREATE INDEX CONCURRENTLY i ON t (a);", prisma)).toEqual(["-"]);
    expect(factsOf("CREATE INDEX CONCURRENTLY i ON t (a);", prisma).facts.sections.runner[0]!.reason).toMatch(/as one query, .*; a query of one statement runs on its own, outside any transaction$/);
  });

  it("in one query string, a BEGIN takes the implicit transaction over, and the statements after a COMMIT form the next one", () => {
    const sql = "SELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;\nSELECT 3;\nSELECT 4;";
    const golangMigrate = { runner: forced("golang-migrate") };
    expect(opener(sql, golangMigrate)).toEqual(["runner", "begin", "begin", "begin", "runner", "runner"]);
    const { facts, at } = factsOf(sql, golangMigrate);
    expect(facts.transactions.sameTransaction(at("SELECT 1"), at("SELECT 2"))).toBe(true);
    expect(facts.transactions.sameTransaction(at("SELECT 2"), at("SELECT 3"))).toBe(false);
    expect(facts.transactions.sameTransaction(at("SELECT 3"), at("SELECT 4"))).toBe(true);
    // A runner's own transaction is not taken over: its BEGIN is ignored, and after the COMMIT nothing is wrapped.
    expect(opener(sql, { runner: forced("goose") })).toEqual(["runner", "runner", "runner", "runner", "-", "-"]);
  });

  it("Flyway runs a script whose every statement refuses a transaction without one; a script that mixes both in its transaction", () => {
    const flyway = { runner: forced("flyway") };
    expect(opener("CREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY j;", flyway)).toEqual(["-", "-"]);
    expect(factsOf("VACUUM t;", flyway).facts.sections.runner[0]!.reason).toBe(
      "Flyway runs a script without a transaction when none of its statements can run in one (here VACUUM)",
    );
    expect(opener("SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY i ON t (a);", flyway)).toEqual(["runner", "runner"]);
  });

  it("a DO block's statements run in the DO's transaction, or in the one transaction a DO on its own is", () => {
    const sql = "DO $$ BEGIN UPDATE t SET a = 1; DELETE FROM t; END $$;\nBEGIN;\nDO $$ BEGIN UPDATE u SET a = 1; END $$;\nCOMMIT;";
    const { facts, at } = factsOf(sql);
    expect(facts.transactions.of(at("UPDATE t")).openedBy).toBe("do-block");
    expect(facts.transactions.sameTransaction(at("UPDATE t"), at("DELETE FROM t"))).toBe(true);
    expect(facts.transactions.of(at("DO $$ BEGIN UPDATE t")).id).toBeUndefined();
    expect(facts.transactions.sameTransaction(at("DO $$ BEGIN UPDATE t"), at("UPDATE t"))).toBe(true);
    expect(facts.transactions.of(at("UPDATE u")).openedBy).toBe("begin");
  });

  it("says where PostgreSQL refuses a statement: in the transaction block it runs in, or in a DO block whatever the transaction", () => {
    const { facts, at } = factsOf("CREATE INDEX CONCURRENTLY a ON t (x);\nBEGIN;\nCREATE INDEX CONCURRENTLY b ON t (x);\nCOMMIT;\nDO $$ BEGIN VACUUM t; END $$;");
    expect(facts.transactions.refusal(at("CREATE INDEX CONCURRENTLY a"))).toBeUndefined();
    expect(facts.transactions.refusal(at("CREATE INDEX CONCURRENTLY b"))).toMatchObject({ command: "CREATE INDEX CONCURRENTLY", where: "transaction" });
    expect(facts.transactions.refusal(at("VACUUM t"))).toMatchObject({ command: "VACUUM", where: "function" });
  });

  it("says which statements a later failure of the same section leaves applied: committed before a later statement runs", () => {
    const committed = (sql: string, settings = {}) => {
      const { facts, parsed } = factsOf(sql, settings);
      return parsed.statements.map((statement) => facts.transactions.committedBeforeLaterStatements(statement));
    };
    expect(committed("SELECT 1;\nSELECT 2;\nSELECT 3;")).toEqual([true, true, false]);
    expect(committed("SELECT 1;\nSELECT 2;", { assumeInTransaction: true })).toEqual([false, false]);
    expect(committed("BEGIN;\nSELECT 1;\nCOMMIT;\nSELECT 2;\nCOMMIT;")).toEqual([true, true, true, false, false]);
    expect(committed("SELECT 1;\nCOMMIT;")).toEqual([false, false]);
    expect(committed("-- +goose Up\n-- +goose NO TRANSACTION\nSELECT 1;\n-- +goose Down\nSELECT 2;")).toEqual([false, false]);
    const { facts, all } = factsOf("DO $$ BEGIN UPDATE t SET a = 1; END $$;\nSELECT 1;");
    expect(all.map((statement) => facts.transactions.committedBeforeLaterStatements(statement))).toEqual([true, true, false]);
  });
});

describe("refusedInTransaction: one table, by PostgreSQL version", () => {
  const refused = (sql: string, pgVersion = 14) => {
    const { all } = factsOf(sql);
    return refusedInTransaction(all[0]!, pgVersion)?.command;
  };

  it.each([
    ["CREATE INDEX CONCURRENTLY i ON t (a)", "CREATE INDEX CONCURRENTLY"],
    ["DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY"],
    ["REINDEX (CONCURRENTLY) TABLE t", "REINDEX CONCURRENTLY"],
    ["REINDEX SCHEMA app", "REINDEX SCHEMA"],
    ["ALTER TABLE p DETACH PARTITION c CONCURRENTLY", "ALTER TABLE ... DETACH CONCURRENTLY"],
    ["VACUUM t", "VACUUM"],
    ["CLUSTER", "CLUSTER"],
    ["CREATE DATABASE d", "CREATE DATABASE"],
    ["DROP DATABASE d", "DROP DATABASE"],
    ["CREATE TABLESPACE s LOCATION '/x'", "CREATE TABLESPACE"],
    ["ALTER SYSTEM SET work_mem = '1MB'", "ALTER SYSTEM"],
    ["ALTER DATABASE d SET TABLESPACE s", "ALTER DATABASE SET TABLESPACE"],
    ["CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p", "CREATE SUBSCRIPTION ... WITH (create_slot = true)"],
    ["DROP SUBSCRIPTION s", "DROP SUBSCRIPTION"],
  ])("%s: %s", (sql, command) => {
    expect(refused(sql)).toBe(command);
  });

  it.each([
    "CREATE INDEX i ON t (a)",
    "REINDEX (CONCURRENTLY false) TABLE t",
    "ANALYZE t",
    "CLUSTER t USING i",
    "ALTER TABLE p DETACH PARTITION c",
    "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false)",
    "ALTER DATABASE d SET work_mem = '1MB'",
  ])("allows %s", (sql) => {
    expect(refused(sql)).toBeUndefined();
  });

  it("refuses ALTER TYPE … ADD VALUE before PostgreSQL 12 only, and leaves it to the rule that knows the exception", () => {
    const { all } = factsOf("ALTER TYPE mood ADD VALUE 'meh'");
    expect(refusedInTransaction(all[0]!, 11)).toEqual({ command: "ALTER TYPE ... ADD", label: "ALTER TYPE mood ADD VALUE", explainedBy: "enum-add-value-in-transaction" });
    expect(refusedInTransaction(all[0]!, 12)).toBeUndefined();
  });
});

describe("every rule gets the same answer", () => {
  const goose = "-- +goose Up\nALTER TYPE mood ADD VALUE 'meh';\nCREATE INDEX users_email ON users (email);\n-- +goose Down\nSELECT 1;";

  it("goose Up + PostgreSQL 11: require-concurrent-index says the runner's transaction, and enum-add-value-in-transaction reports ADD VALUE there", () => {
    const findings = lintSql(goose, { rules: [enumAddValue, requireConcurrentIndex, forbiddenInTransaction], settings: { pgVersion: 11 } }).findings;
    expect(findings.map((finding) => [finding.ruleId, finding.loc.start.line])).toEqual([
      ["enum-add-value-in-transaction", 2],
      ["require-concurrent-index", 3],
    ]);
    expect(findings[0]!.explanation).toContain("goose runs each migration in a transaction");
    expect(findings[1]!.explanation).toContain("goose runs each migration in a transaction");
  });

  it("goose NO TRANSACTION + PostgreSQL 11: neither rule thinks there is a transaction", () => {
    const sql = goose.replace("-- +goose Up\n", "-- +goose Up\n-- +goose NO TRANSACTION\n");
    const findings = lintSql(sql, { rules: [enumAddValue, requireConcurrentIndex], settings: { pgVersion: 11, assumeInTransaction: true } }).findings;
    expect(findings.map((finding) => [finding.ruleId, finding.loc.start.line, finding.fix?.text])).toEqual([["require-concurrent-index", 4, " CONCURRENTLY"]]);
  });
});
