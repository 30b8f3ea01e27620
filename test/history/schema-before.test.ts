import type { TypeName } from "@pgsql/types";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { MigrationFacts } from "../../src/facts/index.js";
import { downSectionStart } from "../../src/facts/rollback-block.js";
import { SchemaReplay } from "../../src/facts/schema-before.js";
import { NO_ROLLBACK } from "../../src/facts/sections.js";
import { typeDisplay } from "../../src/parser/ast.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { SourceText } from "../../src/source/source-text.js";

/** Replays the files in order; each is `[path, sql]`. */
function replayed(files: [string, string][], change: string[] = []): SchemaReplay {
  const replay = new SchemaReplay(new Set(change));
  files.forEach(([path, sql], at) => {
    const parsed = parseFile(new SourceText(sql));
    const facts = new MigrationFacts(parsed, DEFAULT_SETTINGS, { ...NO_ROLLBACK, downSectionStart: downSectionStart(parsed.comments) });
    replay.replay(at, { path, parsed, statements: facts.order.statements, names: facts.names, isRollback: (statement) => facts.sections.isRollback(statement) });
  });
  return replay;
}

const t = { schema: "public", name: "t" };
const type = (typeName: TypeName | undefined) => (typeName ? typeDisplay(typeName) : undefined);

describe("the schema earlier migrations leave", () => {
  it("knows a column's type, NOT NULL and who set the type, file by file", () => {
    const replay = replayed([
      ["1.sql", "CREATE TABLE t (id int PRIMARY KEY, name varchar(64), note text NOT NULL);"],
      ["2.sql", "ALTER TABLE t ALTER COLUMN name TYPE varchar(128), ALTER COLUMN name SET NOT NULL;"],
      ["3.sql", "SELECT 1;"],
    ]);
    expect(replay.before(0).table(t)).toBeUndefined();
    const after1 = replay.before(1);
    expect(after1.table(t)).toEqual({ createdBy: "1.sql", inChange: false });
    expect(type(after1.column(t, "name")?.type)).toBe("varchar(64)");
    expect(after1.column(t, "name")?.notNull).toBe(false);
    expect(after1.column(t, "id")?.notNull).toBe(true);
    expect(after1.column(t, "note")?.notNull).toBe(true);
    const after2 = replay.before(2);
    expect(type(after2.column(t, "name")?.type)).toBe("varchar(128)");
    expect(after2.column(t, "name")).toMatchObject({ notNull: true, typeSetBy: "2.sql" });
  });

  it("follows renames of tables and columns, SET SCHEMA and drops", () => {
    const replay = replayed([
      ["1.sql", "CREATE TABLE t (a varchar(10));"],
      ["2.sql", "ALTER TABLE t RENAME TO u; ALTER TABLE u RENAME COLUMN a TO b;"],
      ["3.sql", "ALTER TABLE u SET SCHEMA app;"],
      ["4.sql", "DROP TABLE app.u;"],
    ]);
    const u = { schema: "public", name: "u" };
    expect(replay.before(2).table(t)).toBeUndefined();
    expect(replay.before(2).column(u, "a")).toBeUndefined();
    expect(type(replay.before(2).column(u, "b")?.type)).toBe("varchar(10)");
    expect(type(replay.before(3).column({ schema: "app", name: "u" }, "b")?.type)).toBe("varchar(10)");
    expect(replay.before(3).table(u)).toBeUndefined();
    expect(replay.before(4).table({ schema: "app", name: "u" })).toBeUndefined();
  });

  it("knows indexes and enum labels", () => {
    const replay = replayed([
      ["1.sql", "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); CREATE TYPE mood AS ENUM ('sad', 'ok');"],
      ["2.sql", "ALTER TYPE mood ADD VALUE 'happy'; ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'; DROP INDEX t_a;"],
    ]);
    expect(replay.before(1).hasIndex({ schema: "public", name: "t_a" })).toBe(true);
    expect(replay.before(1).enumValues({ schema: "public", name: "mood" })).toEqual(["sad", "ok"]);
    expect(replay.before(2).hasIndex({ schema: "public", name: "t_a" })).toBe(false);
    expect(replay.before(2).enumValues({ schema: "public", name: "mood" })).toEqual(["sad", "fine", "happy"]);
  });

  it("resolves names through the file's search_path", () => {
    const replay = replayed([["1.sql", "SET search_path TO app; CREATE TABLE t (a int);"]]);
    expect(replay.before(1).table(t)).toBeUndefined();
    expect(type(replay.before(1).column({ schema: "app", name: "t" }, "a")?.type)).toBe("integer");
  });

  it("knows a column a migration added to a table that came before the folder", () => {
    const replay = replayed([["1.sql", "ALTER TABLE legacy ADD COLUMN c varchar(5) NOT NULL DEFAULT '';"]]);
    const legacy = { schema: "public", name: "legacy" };
    expect(replay.before(1).table(legacy)).toEqual({ createdBy: undefined, inChange: false });
    expect(replay.before(1).column(legacy, "c")).toMatchObject({ notNull: true, typeSetBy: "1.sql" });
  });

  it("leaves unknown what a statement that did not parse or a DO block mentions: no answer, never a wrong one", () => {
    const replay = replayed([
      ["1.sql", "CREATE TABLE t (a varchar(10)); CREATE TABLE other (b text);"],
      ["2.sql", "ALTER TABLE t ALTER COLUMN a TYPE mystery garbage garbage;"],
      ["3.sql", "DO $$ BEGIN EXECUTE 'ALTER TABLE other ALTER COLUMN b TYPE int'; END $$;"],
    ]);
    expect(type(replay.before(1).column(t, "a")?.type)).toBe("varchar(10)");
    expect(replay.before(2).table(t)).toBeUndefined();
    expect(replay.before(2).column(t, "a")).toBeUndefined();
    expect(type(replay.before(2).column({ schema: "public", name: "other" }, "b")?.type)).toBe("text");
    expect(replay.before(3).column({ schema: "public", name: "other" }, "b")).toBeUndefined();
  });

  it("skips the rollback section of a file", () => {
    const replay = replayed([["1.sql", "-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n"]]);
    expect(replay.before(1).table(t)).toEqual({ createdBy: "1.sql", inChange: false });
  });

  it("keeps ADD COLUMN IF NOT EXISTS of a column that is there already from changing it", () => {
    const replay = replayed([
      ["1.sql", "CREATE TABLE t (a text);"],
      ["2.sql", "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int;"],
    ]);
    expect(type(replay.before(2).column(t, "a")?.type)).toBe("text");
  });

  it("says a table is in the change when a migration of the change created it", () => {
    const replay = replayed(
      [
        ["1.sql", "CREATE TABLE t (a int);"],
        ["2.sql", "CREATE TABLE u (a int);"],
      ],
      ["2.sql"],
    );
    expect(replay.before(2).table(t)?.inChange).toBe(false);
    expect(replay.before(2).table({ schema: "public", name: "u" })?.inChange).toBe(true);
  });
});

describe("DO blocks in earlier migrations", () => {
  it("leave known what they only read or write rows of, and unknown what their schema changes touch", () => {
    const replay = replayed([
      ["1.sql", "CREATE TABLE t (a varchar(10)); CREATE TABLE u (b text);"],
      ["2.sql", "DO $$ BEGIN INSERT INTO t (a) VALUES ('x'); IF true THEN ALTER TABLE u ALTER COLUMN b TYPE int; END IF; END $$;"],
    ]);
    expect(type(replay.before(2).column(t, "a")?.type)).toBe("varchar(10)");
    expect(replay.before(2).column({ schema: "public", name: "u" }, "b")).toBeUndefined();
  });

  it("leave unknown what a body that did not parse mentions", () => {
    const replay = replayed([
      ["1.sql", "CREATE TABLE t (a varchar(10));"],
      ["2.sql", "DO $$ BEGIN ALTER TABLE t ALTER COLUMN a TYPE garbage garbage; END $$;"],
    ]);
    expect(replay.before(2).column(t, "a")).toBeUndefined();
  });
});
