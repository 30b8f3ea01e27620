import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { MigrationFacts } from "../../src/facts/index.js";
import { downSectionStart } from "../../src/facts/rollback-block.js";
import { isSavedReplay, SchemaReplay, type SavedReplay, type SchemaBefore } from "../../src/facts/schema-before.js";
import { NO_ROLLBACK } from "../../src/facts/sections.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { SourceText } from "../../src/source/source-text.js";

function replayFile(replay: SchemaReplay, at: number, sql: string): void {
  const parsed = parseFile(new SourceText(sql));
  const facts = new MigrationFacts(parsed, DEFAULT_SETTINGS, { ...NO_ROLLBACK, downSectionStart: downSectionStart(parsed.comments) });
  replay.replay(at, { path: `${at}.sql`, parsed, statements: facts.order.statements, names: facts.names, isRollback: (statement) => facts.sections.isRollback(statement) });
}

const tables = ["t", "u", "app.t"];
const columns = ["a", "b", "c"];

/** Everything a rule can ask of the schema before a file, about the names the generated migrations use. */
function answers(before: SchemaBefore): unknown {
  const names = tables.map((table) => (table.includes(".") ? { schema: "app", name: "t" } : { schema: "public", name: table }));
  return names.map((name) => ({
    table: before.table(name),
    columns: columns.map((column) => before.column(name, column)),
    index: before.hasIndex({ schema: name.schema, name: `${name.name}_i` }),
    enum: before.enumValues({ schema: "public", name: "mood" }),
    foreignKeys: ["fk", `${name.name}_a_fkey`].map((constraint) => before.foreignKey(name, constraint)),
  }));
}

const statement = fc.oneof(
  fc.constantFrom(...tables).map((table) => `CREATE TABLE ${table} (a int, b text NOT NULL);`),
  fc.tuple(fc.constantFrom(...tables), fc.constantFrom(...columns), fc.constantFrom("int", "bigint", "varchar(5)")).map(([table, column, type]) => `ALTER TABLE ${table} ADD COLUMN ${column} ${type};`),
  fc.tuple(fc.constantFrom(...tables), fc.constantFrom(...columns)).map(([table, column]) => `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE bigint, ALTER COLUMN ${column} SET NOT NULL;`),
  fc.tuple(fc.constantFrom(...tables), fc.constantFrom(...columns), fc.constantFrom(...columns)).map(([table, from, to]) => `ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to};`),
  fc.constantFrom("ALTER TABLE t RENAME TO u;", "ALTER TABLE u RENAME TO t;", "ALTER TABLE t SET SCHEMA app;", "DROP TABLE u;", "DROP TABLE IF EXISTS t;"),
  fc.constantFrom(...tables).map((table) => `CREATE INDEX ${table.replace("app.", "")}_i ON ${table} (a);`),
  fc.tuple(fc.constantFrom(...tables), fc.constantFrom(...tables)).map(([table, referenced]) => `ALTER TABLE ${table} ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES ${referenced};`),
  fc.tuple(fc.constantFrom(...tables), fc.constantFrom(...tables)).map(([table, referenced]) => `ALTER TABLE ${table} ADD COLUMN a int REFERENCES ${referenced};`),
  fc.constantFrom(...tables).map((table) => `ALTER TABLE ${table} DROP CONSTRAINT fk;`),
  fc.constantFrom("ALTER TABLE t RENAME CONSTRAINT fk TO t_a_fkey;", "ALTER TABLE u RENAME CONSTRAINT u_a_fkey TO fk;"),
  fc.constantFrom("CREATE TYPE mood AS ENUM ('sad', 'ok');", "ALTER TYPE mood ADD VALUE 'happy';", "DROP INDEX t_i;", "DO $$ BEGIN ALTER TABLE t ADD COLUMN c int; END $$;", "SELEC broken;"),
);
const migration = fc.array(statement, { minLength: 1, maxLength: 3 }).map((statements) => statements.join("\n"));

describe("a replay kept between runs", () => {
  it("answers, restored from its JSON and replayed on, exactly as the replay that never stopped", () => {
    fc.assert(
      fc.property(fc.array(migration, { minLength: 1, maxLength: 8 }), fc.nat(), (files, cut) => {
        const split = cut % (files.length + 1);
        const whole = new SchemaReplay();
        files.forEach((sql, at) => replayFile(whole, at, sql));
        const first = new SchemaReplay();
        files.slice(0, split).forEach((sql, at) => replayFile(first, at, sql));
        const saved: unknown = JSON.parse(JSON.stringify(first.saved));
        expect(isSavedReplay(saved)).toBe(true);
        const restored = SchemaReplay.restored(saved as SavedReplay);
        files.slice(split).forEach((sql, i) => replayFile(restored, split + i, sql));
        for (let at = 0; at <= files.length; at++) expect(answers(restored.before(at))).toEqual(answers(whole.before(at)));
      }),
      { numRuns: 60 },
    );
  });

  it("is refused when its JSON is not what migsafe writes", () => {
    const saved = new SchemaReplay().saved;
    expect(isSavedReplay(saved)).toBe(true);
    expect(isSavedReplay({ ...saved, nextId: "1" })).toBe(false);
    expect(isSavedReplay({ ...saved, relations: [["public.t", [[0, 2]]]] })).toBe(false);
    expect(isSavedReplay({ ...saved, columns: [["1:a", [["0", {}]]]] })).toBe(false);
    expect(isSavedReplay(null)).toBe(false);
  });
});
