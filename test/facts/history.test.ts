import { beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import type { ObjectKind } from "../../src/facts/index.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { loadParser } from "../../src/parser/pg.js";
import { lintSql } from "../helpers.js";
import { factsOf } from "./facts-of.js";
import { renameOf } from "../../src/facts/history.js";
import { typeDisplay } from "../../src/parser/ast.js";

beforeAll(() => loadParser());

/** For each kind: how to create it, rename it, and drop it, and the rule that reports dropping one running code knows. */
const KINDS: { kind: ObjectKind; create: (name: string) => string; rename: (from: string, to: string) => string; drop: (name: string) => string; rule: string }[] = [
  { kind: "table", create: (n) => `CREATE TABLE ${n} (id int)`, rename: (a, b) => `ALTER TABLE ${a} RENAME TO ${b}`, drop: (n) => `DROP TABLE ${n}`, rule: "drop-table" },
  { kind: "view", create: (n) => `CREATE VIEW ${n} AS SELECT 1 AS x`, rename: (a, b) => `ALTER VIEW ${a} RENAME TO ${b}`, drop: (n) => `DROP VIEW ${n}`, rule: "drop-view" },
  {
    kind: "materialized-view",
    create: (n) => `CREATE MATERIALIZED VIEW ${n} AS SELECT 1 AS x`,
    rename: (a, b) => `ALTER MATERIALIZED VIEW ${a} RENAME TO ${b}`,
    drop: (n) => `DROP MATERIALIZED VIEW ${n}`,
    rule: "drop-materialized-view",
  },
  { kind: "sequence", create: (n) => `CREATE SEQUENCE ${n}`, rename: (a, b) => `ALTER SEQUENCE ${a} RENAME TO ${b}`, drop: (n) => `DROP SEQUENCE ${n}`, rule: "drop-sequence" },
  { kind: "index", create: (n) => `CREATE INDEX ${n} ON big (x)`, rename: (a, b) => `ALTER INDEX ${a} RENAME TO ${b}`, drop: (n) => `DROP INDEX ${n}`, rule: "require-concurrent-index-drop" },
  {
    kind: "function",
    create: (n) => `CREATE FUNCTION ${n}() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
    rename: (a, b) => `ALTER FUNCTION ${a}() RENAME TO ${b}`,
    drop: (n) => `DROP FUNCTION ${n}()`,
    rule: "drop-function",
  },
  { kind: "type", create: (n) => `CREATE TYPE ${n} AS ENUM ('a')`, rename: (a, b) => `ALTER TYPE ${a} RENAME TO ${b}`, drop: (n) => `DROP TYPE ${n}`, rule: "drop-type" },
];

describe("history: renames are followed, for every kind of object", () => {
  describe.each(KINDS)("$kind", ({ kind, create, rename, drop, rule }) => {
    it("created, renamed twice, then dropped: new under its last name, and no finding", () => {
      const sql = `${create("a2")};\n${rename("a2", "a3")};\n${rename("a3", "a4")};\n${drop("a4")};`;
      const { facts, at } = factsOf(sql);
      const dropped = at(drop("a4").slice(0, 12));
      expect(facts.history.isNew(dropped, kind, "a4")).toBe(true);
      expect(facts.history.isNew(dropped, kind, "a2")).toBe(false);
      const index = kind === "index" ? "CREATE TABLE big (x int);\n" : "";
      expect(lintSql(index + sql).findings.filter((finding) => finding.ruleId === rule || finding.ruleId.startsWith("drop-"))).toEqual([]);
    });

    it("existing before the file, renamed, then dropped: not new", () => {
      const { facts, at } = factsOf(`${rename("old", "renamed")};\n${drop("renamed")};`);
      expect(facts.history.isNew(at(drop("renamed").slice(0, 12)), kind, "renamed")).toBe(false);
    });

    it("created and dropped: the DROP of the old name after a rename finds nothing of the file", () => {
      const { facts, at } = factsOf(`${create("a2")};\n${rename("a2", "a3")};\n${drop("a2")};`);
      expect(facts.history.objectAt(at(drop("a2").slice(0, 12)), kind === "function" ? "function" : kind === "type" ? "type" : "relation", { name: "a2" })).toBeUndefined();
    });
  });

  it("a table that existed before the file keeps its rows under any name: dropping it is reported", () => {
    const findings = lintSql("ALTER TABLE accounts RENAME TO accounts_old;\nDROP TABLE accounts_old;").findings;
    expect(findings.filter((finding) => finding.ruleId === "drop-table").map((finding) => [finding.loc.start.line, finding.severity])).toEqual([[2, "dangerous"]]);
  });

  it("follows SET SCHEMA, and one schema rule: an unqualified name is in the search_path's first schema", () => {
    const { facts, at } = factsOf("CREATE TABLE t (id int);\nALTER TABLE t SET SCHEMA archive;\nSET search_path TO app, public;\nCREATE TABLE u (id int);\nDROP TABLE archive.t;\nDROP TABLE app.u;\nDROP TABLE public.u;");
    expect(facts.history.isNew(at("DROP TABLE archive.t"), "table", { schema: "archive", name: "t" })).toBe(true);
    expect(facts.history.isNew(at("DROP TABLE app.u"), "table", { schema: "app", name: "u" })).toBe(true);
    expect(facts.history.isNew(at("DROP TABLE public.u"), "table", { schema: "public", name: "u" })).toBe(false);
    expect(facts.names.sameRelation({ name: "u" }, at("CREATE TABLE u"), { schema: "app", name: "u" }, at("DROP TABLE app.u"))).toBe(true);
    expect(facts.names.sameRelation({ name: "t" }, at("CREATE TABLE t"), { schema: "public", name: "t" }, at("DROP TABLE public.u"))).toBe(true);
  });

  it("records the sequences of serial and identity columns, named as PostgreSQL names them", () => {
    const { facts, at } = factsOf("CREATE TABLE app.orders (id bigserial, n int GENERATED ALWAYS AS IDENTITY);\nALTER TABLE users ADD COLUMN seq serial;\nSELECT 1;");
    const last = at("SELECT 1");
    expect(facts.history.isNew(last, "sequence", { schema: "app", name: "orders_id_seq" })).toBe(true);
    expect(facts.history.isNew(last, "sequence", { schema: "app", name: "orders_n_seq" })).toBe(true);
    expect(facts.history.isNew(last, "sequence", "users_seq_seq")).toBe(true);
    expect(lintSql("CREATE TABLE orders (id serial);\nDROP SEQUENCE orders_id_seq CASCADE;").findings.filter((f) => f.ruleId === "drop-sequence")).toEqual([]);
  });

  it("columns: created with the table or added, renamed, dropped, and changed, following the table's renames", () => {
    const sql = [
      "ALTER TABLE users ADD COLUMN email_new citext;",
      "UPDATE users SET email_new = email;",
      "ALTER TABLE users RENAME TO accounts;",
      "ALTER TABLE accounts ALTER COLUMN email_new SET DEFAULT '';",
      "ALTER TABLE accounts RENAME COLUMN email_new TO email2;",
      "ALTER TABLE accounts ALTER COLUMN email2 TYPE text;",
      "SELECT 1;",
    ].join("\n");
    const { facts, at } = factsOf(sql);
    const last = at("SELECT 1");
    expect(facts.history.isNewColumn(last, { name: "accounts" }, "email2")).toBe(true);
    expect(facts.history.isNewColumn(last, { name: "accounts" }, "email")).toBe(false);
    expect(facts.history.isNew(last, "table", "accounts")).toBe(false);
    expect(facts.history.columnChanges(last, { name: "accounts" }, "email_new").map((event) => event.change)).toEqual(["update", "set-default"]);
    expect(facts.history.columnChanges(last, { name: "accounts" }, "email2").map((event) => event.change)).toEqual(["type"]);
  });

  it("records constraints and triggers of a table, and what empties it", () => {
    const sql = "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, CONSTRAINT t_chk CHECK (id > 0));\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nTRUNCATE big;\nDELETE FROM huge;\nSELECT 1;";
    const { facts, at } = factsOf(sql);
    const created = facts.history.events.filter((event) => event.action === "create").map((event) => [event.object.kind, event.name]);
    expect(created).toEqual([
      ["table", "t"],
      ["column", "id"],
      ["constraint", "t_pk"],
      ["constraint", "t_chk"],
      ["trigger", "trg"],
    ]);
    expect(facts.history.emptiedBefore(at("SELECT 1"), { name: "big" })).toBe(at("TRUNCATE"));
    expect(facts.history.emptiedBefore(at("SELECT 1"), { name: "huge" })).toBe(at("DELETE"));
    expect(facts.history.emptiedBefore(at("TRUNCATE"), { name: "big" })).toBeUndefined();
  });

  it("a table emptied earlier in the same direction holds no rows; an up section's emptying does not count for its down section", () => {
    const { facts, at } = factsOf("TRUNCATE big;\nDELETE FROM huge WHERE id = 1;\nSELECT 1;");
    expect(facts.history.isNewOrEmptied(at("SELECT 1"), { name: "big" })).toBe(true);
    expect(facts.history.isNewOrEmptied(at("SELECT 1"), { name: "huge" })).toBe(false);
    expect(facts.history.isNewOrEmptied(at("TRUNCATE"), { name: "big" })).toBe(false);
    const sql = "-- +goose Up\nTRUNCATE big;\n-- +goose Down\nSELECT 1;";
    const goose = factsOf(sql, {}, { downSectionStart: parseFile(sql).comments[1]!.range.start });
    expect(goose.facts.history.emptiedBefore(goose.at("SELECT 1"), { name: "big" })).toBeUndefined();
  });

  describe.each([
    ["not-null-without-backfill", "ALTER TABLE t ALTER COLUMN c SET NOT NULL;"],
    ["not-null-without-backfill", "ALTER TABLE t ADD COLUMN n int NOT NULL;"],
    ["change-column-type", "ALTER TABLE t ALTER COLUMN c TYPE bigint;"],
    ["constraint-missing-not-valid", "ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0);"],
    ["unique-constraint-without-index", "ALTER TABLE t ADD CONSTRAINT k UNIQUE (c);"],
    ["add-serial-column", "ALTER TABLE t ADD COLUMN n bigserial;"],
    ["volatile-default", "ALTER TABLE t ADD COLUMN n float DEFAULT random();"],
    ["add-stored-generated-column", "ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS (c * 2) STORED;"],
    ["table-rewrite", "ALTER TABLE t SET UNLOGGED;"],
    ["require-concurrent-index", "CREATE INDEX i ON t (c);"],
    ["require-concurrent-reindex", "REINDEX TABLE t;"],
    ["drop-table", "DROP TABLE t;"],
    ["drop-column", "ALTER TABLE t DROP COLUMN c;"],
    ["schema-change-with-backfill", "BEGIN;\nALTER TABLE t ADD COLUMN n int;\nUPDATE t SET n = c;\nCOMMIT;"],
  ])("%s on a table emptied earlier in the file", (rule, sql) => {
    const findings = (text: string) => lintSql(text).findings.filter((finding) => finding.ruleId === rule);
    it("is reported on a table that may hold rows", () => expect(findings(`SELECT 1;\n${sql}`)).not.toEqual([]));
    it.each(["TRUNCATE t;", "DELETE FROM t;", "WITH gone AS (DELETE FROM t RETURNING *) SELECT 1;"])("is not reported after %s", (empty) => expect(findings(`${empty}\n${sql}`)).toEqual([]));
  });

  describe("what a dropped trigger, column or table used", () => {
    const ended = (sql: string, kind: "function" | "type" | "sequence", name: string, noArguments = true) => {
      const { facts, all } = factsOf(`${sql};\nSELECT 1;`);
      const last = all[all.length - 1]!;
      return facts.history.useEndedBefore(last, kind, { name }, noArguments)?.text.split(/\s+/).slice(0, 3).join(" ");
    };

    it("the function a trigger executes: known for a trigger the file created, any function without arguments for one that existed", () => {
      expect(ended("CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();\nDROP TRIGGER trg ON t", "function", "stamp")).toBe("DROP TRIGGER trg");
      expect(ended("CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();\nDROP TRIGGER trg ON t", "function", "other")).toBeUndefined();
      expect(ended("DROP TRIGGER trg ON t", "function", "anything")).toBe("DROP TRIGGER trg");
      expect(ended("DROP TRIGGER trg ON t", "function", "anything", false)).toBeUndefined();
      expect(ended("DROP EVENT TRIGGER api_restart", "function", "notify")).toBe("DROP EVENT TRIGGER");
      expect(ended("CREATE TABLE t (id int);\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();\nDROP TABLE t", "function", "stamp")).toBe("DROP TABLE t");
    });

    it("the type of a column: known for a column the file created, any type for a column or table that existed", () => {
      expect(ended("CREATE TABLE t (s status);\nDROP TABLE t", "type", "status")).toBe("DROP TABLE t");
      expect(ended("CREATE TABLE t (s status);\nDROP TABLE t", "type", "mood")).toBeUndefined();
      expect(ended("ALTER TABLE t ADD COLUMN s status;\nALTER TABLE t ALTER COLUMN s TYPE text", "type", "status")).toBe("ALTER TABLE t");
      expect(ended("ALTER TABLE t ADD COLUMN s status;\nALTER TABLE t ALTER COLUMN s TYPE text", "type", "mood")).toBeUndefined();
      expect(ended("ALTER TABLE t DROP COLUMN s", "type", "status")).toBe("ALTER TABLE t");
      expect(ended("DROP TABLE t", "type", "status")).toBe("DROP TABLE t");
      expect(ended("ALTER TABLE t ALTER COLUMN s TYPE text", "type", "status")).toBe("ALTER TABLE t");
    });

    it("the sequence of a default: known from nextval('…'), by PostgreSQL's <table>_<column>_seq for a serial column that existed", () => {
      expect(ended(`CREATE TABLE t (id int DEFAULT nextval('"Ids"'::regclass));\nALTER TABLE t ALTER COLUMN id DROP DEFAULT`, "sequence", "Ids")).toBe("ALTER TABLE t");
      expect(ended(`ALTER TABLE t ADD COLUMN n int DEFAULT nextval('app.counter');\nALTER TABLE t DROP COLUMN n`, "sequence", "counter")).toBeUndefined();
      expect(ended("ALTER TABLE t ALTER COLUMN id DROP DEFAULT", "sequence", "t_id_seq")).toBe("ALTER TABLE t");
      expect(ended("ALTER TABLE t ALTER COLUMN id DROP DEFAULT", "sequence", "t_other_seq")).toBeUndefined();
      expect(ended("ALTER TABLE t DROP COLUMN id", "sequence", "t_id_seq")).toBe("ALTER TABLE t");
      expect(ended("DROP TABLE t", "sequence", "t_id_seq")).toBe("DROP TABLE t");
      expect(ended("DROP TABLE t", "sequence", "u_id_seq")).toBeUndefined();
      expect(ended("DROP TABLE app.t", "sequence", "t_id_seq")).toBeUndefined();
      expect(ended("ALTER TABLE t ALTER COLUMN id SET DEFAULT nextval('fresh');\nALTER TABLE t ALTER COLUMN id DROP DEFAULT", "sequence", "fresh")).toBe("ALTER TABLE t");
    });

    it("counts only what ended earlier in the same direction", () => {
      const sql = "-- +goose Up\nDROP TRIGGER trg ON t;\n-- +goose Down\nDROP FUNCTION stamp();";
      const { facts, at } = factsOf(sql, {}, { downSectionStart: parseFile(sql).comments[1]!.range.start });
      expect(facts.history.useEndedBefore(at("DROP FUNCTION"), "function", { name: "stamp" }, true)).toBeUndefined();
    });

    it.each([
      ["drop-function", "DROP TRIGGER trg ON t;\nDROP FUNCTION stamp();"],
      ["drop-function", "DROP EVENT TRIGGER api_restart;\nDROP FUNCTION IF EXISTS extensions.notify_api_restart;"],
      ["drop-type", 'DROP TABLE "pricings";\nDROP TYPE "PricingUnit";'],
      ["drop-type", "ALTER TABLE t ALTER COLUMN role TYPE new_role USING role::text::new_role;\nDROP TYPE old_role;"],
      ["drop-sequence", "DROP TABLE t;\nDROP SEQUENCE IF EXISTS t_id_seq;"],
      ["drop-sequence", 'ALTER TABLE "Webhook" ALTER COLUMN "id" DROP DEFAULT, ALTER COLUMN "id" SET DATA TYPE TEXT;\nDROP SEQUENCE "Webhook_id_seq";'],
    ])("%s is silent right after what used the object, and reports it with CASCADE: %s", (rule, sql) => {
      const findings = (text: string) => lintSql(text).findings.filter((finding) => finding.ruleId === rule);
      expect(findings(sql)).toEqual([]);
      expect(findings(sql.replace(/;$/, " CASCADE;"))).not.toEqual([]);
      expect(findings(sql.split("\n")[1]!)).not.toEqual([]);
    });
  });

  describe("CREATE TABLE IF NOT EXISTS", () => {
    it("creates a new table, with its indexes and foreign keys, when the file does not reshape it", () => {
      const { facts, at } = factsOf("CREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX IF NOT EXISTS t_a ON t (a);\nALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES u;");
      expect(facts.history.isNew(at("CREATE INDEX"), "table", "t")).toBe(true);
      expect(facts.history.isNew(at("ALTER TABLE"), "table", "t")).toBe(true);
    });

    it("may find the table there already when a later statement changes its columns: neither it nor its columns are new", () => {
      const { facts, at } = factsOf("CREATE TABLE IF NOT EXISTS t (a int, id serial);\nCREATE INDEX t_a ON t (a);\nALTER TABLE t ADD COLUMN IF NOT EXISTS b int;\nSELECT 1;");
      expect(facts.history.isNew(at("CREATE INDEX"), "table", "t")).toBe(false);
      expect(facts.history.isNewColumn(at("SELECT 1"), { name: "t" }, "a")).toBe(false);
      expect(facts.history.isNewColumn(at("SELECT 1"), { name: "t" }, "b")).toBe(true);
      expect(facts.history.isNew(at("SELECT 1"), "sequence", "t_id_seq")).toBe(false);
      expect(facts.history.nameTakenBefore(at("SELECT 1"), "relation", { name: "t" })).toBe(false);
      for (const reshape of ["ALTER TABLE t ALTER COLUMN a TYPE bigint", "ALTER TABLE t DROP COLUMN a", "ALTER TABLE t RENAME COLUMN a TO b"]) {
        const other = factsOf(`CREATE TABLE IF NOT EXISTS t (a int);\n${reshape};`);
        expect(other.facts.history.isNew(other.at("ALTER"), "table", "t")).toBe(false);
      }
    });

    it("creates it for sure after the file dropped the name, and in another direction than the reshaping", () => {
      const dropped = factsOf("DROP TABLE IF EXISTS t;\nCREATE TABLE IF NOT EXISTS t (a int);\nALTER TABLE t ADD COLUMN b int;");
      expect(dropped.facts.history.isNew(dropped.at("ALTER"), "table", "t")).toBe(true);
      const sql = "-- +goose Up\nCREATE TABLE IF NOT EXISTS t (a int);\n-- +goose Down\nALTER TABLE t DROP COLUMN a;";
      const goose = factsOf(sql, {}, { downSectionStart: parseFile(sql).comments[1]!.range.start });
      expect(goose.facts.history.isNew(goose.at("CREATE"), "table", "t")).toBe(false);
      expect(goose.facts.history.objectAt(goose.at("ALTER"), "relation", { name: "t" })?.createdBy).toBe(goose.at("CREATE"));
    });

    it("a rollback dropping it still undoes the forward migration", () => {
      const sql = "-- migrate:up\nCREATE TABLE IF NOT EXISTS t (a int);\nALTER TABLE t ADD COLUMN IF NOT EXISTS b int;\n-- migrate:down\nDROP TABLE t;";
      const { facts, at } = factsOf(sql, {}, { downSectionStart: parseFile(sql).comments[1]!.range.start });
      expect(facts.history.isNew(at("ALTER"), "table", "t")).toBe(false);
      expect(facts.history.undoesForward(at("DROP"), "table", "t")).toBe(true);
    });

    it("the ALTERs of a table that may exist are checked", () => {
      const findings = lintSql("CREATE TABLE IF NOT EXISTS t (a int);\nALTER TABLE t ADD COLUMN IF NOT EXISTS b int;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;").findings;
      expect(findings.map((finding) => finding.ruleId)).toContain("not-null-without-backfill");
      expect(lintSql("CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;").findings.map((finding) => finding.ruleId)).not.toContain("not-null-without-backfill");
    });
  });

  it("columnTypeAt: the type the file gave a column (created, added, retyped), following renames; none from before the file or IF NOT EXISTS", () => {
    const sql = [
      "CREATE TABLE t (a varchar(10), b int);",
      "ALTER TABLE t ALTER COLUMN a TYPE varchar(20);",
      "ALTER TABLE t RENAME COLUMN a TO c;",
      "ALTER TABLE u ADD COLUMN d numeric(10, 2), ADD COLUMN IF NOT EXISTS e text;",
      "ALTER TABLE u ALTER COLUMN f TYPE text;",
      "SELECT 1;",
    ].join("\n");
    const { facts, all } = factsOf(sql);
    const typeAt = (index: number, table: string, column: string) => {
      const type = facts.history.columnTypeAt(all[index]!, { name: table }, column);
      return type ? typeDisplay(type) : undefined;
    };
    expect(typeAt(1, "t", "a")).toBe("varchar(10)");
    expect(typeAt(2, "t", "a")).toBe("varchar(20)");
    expect(typeAt(5, "t", "c")).toBe("varchar(20)");
    expect(typeAt(5, "t", "a")).toBeUndefined();
    expect(typeAt(5, "t", "b")).toBe("integer");
    expect(typeAt(5, "u", "d")).toBe("numeric(10, 2)");
    expect(typeAt(5, "u", "e")).toBeUndefined();
    expect(typeAt(4, "u", "f")).toBeUndefined();
    expect(typeAt(5, "u", "f")).toBe("text");
    // A DO block may change it in one branch and not another: unknown after it.
    const branches = factsOf("ALTER TABLE v ADD COLUMN g text;\nDO $$ BEGIN IF true THEN ALTER TABLE v ALTER COLUMN g TYPE varchar; ELSE ALTER TABLE v ALTER COLUMN g TYPE varchar; END IF; END $$;\nSELECT 1;");
    const [, , first, second, last] = branches.all;
    expect(typeDisplay(branches.facts.history.columnTypeAt(first!, { name: "v" }, "g"))).toBe("text");
    expect(branches.facts.history.columnTypeAt(second!, { name: "v" }, "g")).toBeUndefined();
    expect(branches.facts.history.columnTypeAt(last!, { name: "v" }, "g")).toBeUndefined();
  });

  it("clearsScratchTable: DROP TABLE IF EXISTS before the same transaction creates the name again as a TEMP table, or as one it drops again", () => {
    const scratch = (sql: string, settings: Parameters<typeof factsOf>[1] = { assumeInTransaction: true }) => {
      const { facts, all } = factsOf(sql, settings);
      const drop = all[0]!;
      return facts.history.clearsScratchTable(drop, { name: "map" });
    };
    expect(scratch("DROP TABLE IF EXISTS map;\nCREATE TEMP TABLE map AS SELECT 1 AS id;")).toBe(true);
    expect(scratch("DROP TABLE IF EXISTS map;\nCREATE TABLE map (id int);\nUPDATE t SET x = 1 FROM map;\nDROP TABLE map;")).toBe(true);
    // A table the migration keeps, a DROP without IF EXISTS, another transaction: another table may have had the name.
    expect(scratch("DROP TABLE IF EXISTS map;\nCREATE TABLE map (id int);")).toBe(false);
    expect(scratch("DROP TABLE map;\nCREATE TEMP TABLE map (id int);")).toBe(false);
    expect(scratch("DROP TABLE IF EXISTS map;\nCREATE TEMP TABLE map (id int);", {})).toBe(false);
    expect(scratch("DROP TABLE IF EXISTS map;\nCREATE TABLE other (id int);")).toBe(false);
  });

  it("knows the table a foreign key the file created references, under its name or PostgreSQL's, following renames and search_path", () => {
    const sql = [
      "CREATE TABLE orders (id int, user_id int REFERENCES users, CONSTRAINT by_shop FOREIGN KEY (shop_id) REFERENCES app.shops);",
      "ALTER TABLE orders ADD FOREIGN KEY (a, b) REFERENCES pairs (x, y);",
      "ALTER TABLE orders RENAME TO purchases;",
      "SET search_path TO billing;",
      "SELECT 1;",
    ].join("\n");
    const { facts, at } = factsOf(sql);
    const last = at("SELECT 1");
    const target = (constraint: string) => facts.history.foreignKeyTarget(last, { schema: "public", name: "purchases" }, constraint);
    expect(target("orders_user_id_fkey")).toEqual({ schema: "public", name: "users" });
    expect(target("by_shop")).toEqual({ schema: "app", name: "shops" });
    expect(target("orders_a_b_fkey")).toEqual({ schema: "public", name: "pairs" });
    expect(target("orders_pkey")).toBeUndefined();
    expect(facts.history.foreignKeyTarget(at("ALTER TABLE orders RENAME"), { name: "orders" }, "orders_user_id_fkey")).toEqual({ name: "users" });
  });

  it("the name a DROP or RENAME frees, taken again later in the same direction: an up section's is never in the down section", () => {
    const sql = "-- +goose Up\nDROP FUNCTION f();\n-- +goose Down\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';";
    const { facts, at } = factsOf(sql, {}, { downSectionStart: parseFile(sql).comments[1]!.range.start });
    expect(facts.history.successorOf(at("DROP FUNCTION"), "function", { name: "f" })).toBeUndefined();
    const same = factsOf("BEGIN;\nDROP VIEW v;\nCREATE VIEW v AS SELECT 1;\nCOMMIT;");
    expect(same.facts.history.successorOf(same.at("DROP VIEW"), "relation", { name: "v" })).toMatchObject({ how: "create", sameTransaction: true });
  });

  it("knows what the forward migration created, under every name it had, for a rollback only", () => {
    const forward = parseFile("CREATE TABLE audit_new (id int);\nALTER TABLE audit_new RENAME TO audit;\nALTER TABLE users ADD COLUMN note text;");
    const rollback = factsOf("DROP TABLE audit;\nDROP TABLE audit_new;\nALTER TABLE users DROP COLUMN note;", {}, { role: "rollback", forward });
    const [first, second, third] = rollback.all;
    expect(rollback.facts.history.undoesForward(first!, "table", "audit")).toBe(true);
    expect(rollback.facts.history.undoesForward(second!, "table", "audit_new")).toBe(true);
    expect(rollback.facts.history.isNewOrUndoneColumn(third!, { name: "users" }, "note")).toBe(true);
    const notRollback = factsOf("DROP TABLE audit;", {}, { role: "forward", forward });
    expect(notRollback.facts.history.undoesForward(notRollback.all[0]!, "table", "audit")).toBe(false);
  });

  it("knows a rename in a rollback that undoes one of the forward migration, of the same namespace only", () => {
    const sql = "-- +goose Up\nALTER TYPE mood RENAME TO feeling;\n-- +goose Down\nALTER TYPE feeling RENAME TO mood;\nALTER TABLE feeling RENAME TO mood;\nALTER TYPE other RENAME TO thing;";
    const { facts, all } = factsOf(sql, {}, { downSectionStart: parseFile(sql).comments[1]!.range.start });
    const undoes = all.map((statement) => facts.history.undoesForwardRename(statement, renameOf(statement)!));
    expect(undoes).toEqual([false, true, false, false]);
    const file = factsOf("ALTER TYPE x RENAME TO y;", {}, { role: "rollback" });
    expect(file.facts.history.undoesForwardRename(file.all[0]!, renameOf(file.all[0]!)!)).toBe(true);
  });

  it("treats a down section as the rollback of the up section above it, its first statement included", () => {
    const text = "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;";
    const down = parseFile(text).comments[1]!.range.start;
    const { facts, at } = factsOf(text, {}, { downSectionStart: down });
    expect(facts.sections.isRollback(at("DROP TABLE t"))).toBe(true);
    expect(facts.history.undoesForward(at("DROP TABLE t"), "table", "t")).toBe(true);
    expect(facts.sections.isRollback(at("CREATE TABLE t"))).toBe(false);
  });

  it("CREATE TABLE t2, RENAME TO t3, DROP TABLE t3: no drop-table finding and no internal error from any rule", () => {
    const sql = "CREATE TABLE t2 (id int);\nALTER TABLE t2 RENAME TO t3;\nDROP TABLE t3;";
    const result = lintSql(sql, { rules: allRules });
    expect(result.findings.filter((finding) => finding.ruleId === "internal-error" || finding.ruleId === "drop-table")).toEqual([]);
  });
});
