import { beforeAll, describe, expect, it } from "vitest";
import { loadParser } from "../../src/parser/pg.js";
import { factsOf } from "./facts-of.js";

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

  it("a rollback file is a rollback in every statement", () => {
    const { facts, all } = factsOf("DROP TABLE t;", {}, { role: "rollback" });
    expect(facts.sections.isRollback(all[0]!)).toBe(true);
  });
});
