import { beforeAll, describe, expect, it } from "vitest";
import { loadParser } from "../../src/parser/pg.js";
import { MigrationFacts } from "../../src/facts/index.js";
import { NO_ROLLBACK } from "../../src/facts/sections.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { factsOf } from "./facts-of.js";
import { assumedRunner } from "../../src/runners/file-runner.js";

beforeAll(() => loadParser());

describe("run order", () => {
  it("puts a DO block's statements right after their DO, and knows the top-level statements before one", () => {
    const { facts, at } = factsOf("SELECT 1;\nDO $$ BEGIN UPDATE t SET a = 1; DELETE FROM t; END $$;\nSELECT 2;");
    expect(facts.order.statements.map((statement) => statement.kind)).toEqual(["SelectStmt", "DoStmt", "UpdateStmt", "DeleteStmt", "SelectStmt"]);
    expect(facts.order.runsBefore(at("UPDATE"), at("DELETE"))).toBe(true);
    expect(facts.order.before(at("DELETE")).map((statement) => statement.kind)).toEqual(["SelectStmt", "DoStmt", "UpdateStmt"]);
    expect(facts.order.topLevelBefore(at("DELETE")).map((statement) => statement.text)).toEqual(["SELECT 1"]);
    expect(facts.order.after(at("UPDATE")).map((statement) => statement.kind)).toEqual(["DeleteStmt", "SelectStmt"]);
  });
});

describe("names: one schema rule", () => {
  it("resolves a name without schema to public, or to the first schema of the search_path the file sets", () => {
    const { facts, at } = factsOf(
      "SELECT 1;\nSET search_path TO \"$user\", app, public;\nSELECT 2;\nSELECT pg_catalog.set_config('search_path', '\"Billing\", public', false);\nSELECT 3;\nRESET search_path;\nSELECT 4;",
    );
    expect(["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4"].map((text) => facts.names.schemaAt(at(text)))).toEqual(["public", "app", "Billing", "public"]);
    expect(facts.names.resolve({ name: "users" }, at("SELECT 2"))).toEqual({ schema: "app", name: "users" });
    expect(facts.names.resolve({ schema: "x", name: "users" }, at("SELECT 2"))).toEqual({ schema: "x", name: "users" });
  });

  it("tells schemas apart and takes an unqualified name where its statement runs", () => {
    const { facts, at } = factsOf("SELECT 1;\nSET search_path = app;\nSELECT 2;");
    expect(facts.names.sameRelation({ name: "t" }, at("SELECT 1"), { schema: "public", name: "t" })).toBe(true);
    expect(facts.names.sameRelation({ name: "t" }, at("SELECT 1"), { name: "t" }, at("SELECT 2"))).toBe(false);
    expect(facts.names.sameRelation({ schema: "archive", name: "t" }, at("SELECT 1"), { name: "t" })).toBe(false);
    expect(facts.names.sameRelation(undefined, at("SELECT 1"), { name: "t" })).toBe(false);
  });
});

describe("sections", () => {
  it("one section for a plain file, wrapped as the setting says", () => {
    expect(factsOf("SELECT 1;").facts.sections.runner).toEqual([{ start: 0, wraps: false, implicit: false, reason: "", label: "file" }]);
    expect(factsOf("SELECT 1;", { assumeInTransaction: true }).facts.sections.runner[0]!.wraps).toBe(true);
  });

  it("one section per goose, dbmate or sql-migrate marker, with the runner's own default", () => {
    const { facts, at } = factsOf("-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;");
    expect(facts.sections.runner.map((section) => [section.label, section.wraps])).toEqual([
      ["file", false],
      ["up section", true],
      ["down section", true],
    ]);
    expect(facts.sections.sectionOf(at("SELECT 2")).label).toBe("down section");
    expect(factsOf("-- migrate:up transaction:false\nSELECT 1;").facts.sections.runner[1]).toMatchObject({ wraps: false, reason: "dbmate runs this migration without a transaction (transaction:false)" });
  });

  it("sections are migrations of their own: no statement of one runs before or after one of another", () => {
    const { facts, at } = factsOf("-- +goose Up\nSELECT 1;\nSELECT 2;\n-- +goose Down\nSELECT 3;\nSELECT 4;", { assumeInTransaction: true });
    expect(facts.order.runsBefore(at("SELECT 1"), at("SELECT 2"))).toBe(true);
    expect(facts.order.runsBefore(at("SELECT 2"), at("SELECT 3"))).toBe(false);
    expect(facts.order.after(at("SELECT 1")).map((statement) => statement.text)).toEqual(["SELECT 2"]);
    expect(facts.order.before(at("SELECT 4")).map((statement) => statement.text)).toEqual(["SELECT 3"]);
    expect(facts.order.topLevelBefore(at("SELECT 4")).map((statement) => statement.text)).toEqual(["SELECT 3"]);
    expect(facts.transactions.sameTransaction(at("SELECT 2"), at("SELECT 3"))).toBe(false);
  });

  it("sections given by the caller (a TS/JS migration's functions) replace the markers, wrapped as the file's runner does unless given", () => {
    const parsed = parseFile("SELECT 1;\nSELECT 2;\nSELECT 3;");
    const given = [
      { start: 0, label: "up function" },
      { start: 10, label: "down function" },
      { start: 20, label: "afterDown function", wraps: false, reason: "the runner calls afterDown outside its transaction" },
    ];
    const facts = new MigrationFacts(parsed, { pgVersion: 14 }, NO_ROLLBACK, assumedRunner(true), given);
    expect(facts.sections.runner.map((section) => [section.label, section.wraps])).toEqual([
      ["up function", true],
      ["down function", true],
      ["afterDown function", false],
    ]);
    const [one, two, three] = parsed.statements;
    expect(facts.sections.sectionOf(two!).label).toBe("down function");
    expect(facts.order.after(one!)).toEqual([]);
    expect(facts.transactions.sameTransaction(one!, two!)).toBe(false);
    expect(facts.transactions.inTransaction(three!)).toBe(false);
  });

  it("a rollback file is a rollback in every statement", () => {
    const { facts, all } = factsOf("DROP TABLE t;", {}, { role: "rollback" });
    expect(facts.sections.isRollback(all[0]!)).toBe(true);
  });
});
