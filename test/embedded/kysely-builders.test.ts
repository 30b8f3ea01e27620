import { describe, expect, it } from "vitest";
import { findBuilderCalls } from "../../src/embedded/builders.js";
import { parseScript, normalizeTargets, scanProgram } from "../../src/embedded/extract.js";
import { HoleNames } from "../../src/embedded/holes.js";
import { embeddedMigrationSql } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS, settingsOptions } from "../../src/config/settings.js";

/** Each builder statement of the source: its SQL, whether verify may run it, the rules that judge it; and the calls left unwritten. */
function written(source: string) {
  const ast = parseScript(source, "m.ts");
  const holes = new HoleNames();
  const scope = { targets: normalizeTargets(undefined), ...scanProgram(ast, source, { up: ["up"], down: ["down"] }), holes };
  const unrendered: string[] = [];
  const calls = findBuilderCalls(ast, source, scope, unrendered).map((call) => ({ sql: call.sql, runnable: call.runnable === true, rules: call.rules }));
  return { calls, unrendered };
}

const up = (body: string) => `import { type Kysely, sql } from 'kysely'\nexport async function up(db: Kysely<unknown>): Promise<void> {\n${body}\n}\n`;

describe("Kysely's schema builder, written as Kysely's PostgreSQL dialect sends it", () => {
  it("a table: quoted names, data types as given, column and table constraints, in call order", () => {
    const { calls, unrendered } = written(
      up(`  await db.schema
    .createTable('list_item')
    .ifNotExists()
    .addColumn('uri', 'varchar', (col) => col.primaryKey())
    .addColumn('listUri', 'varchar(255)', (col) => col.notNull().references('list.uri').onDelete('cascade'))
    .addColumn('count', 'integer', (col) => col.defaultTo(0).notNull())
    .addColumn('note', 'text', (col) => col.defaultTo("it's"))
    .addColumn('createdAt', 'timestamptz', (col) => col.defaultTo(sql\`now()\`))
    .addColumn('sortAt', 'varchar', (col) => col.generatedAlwaysAs(sql\`least("createdAt", "uri")\`).stored())
    .addUniqueConstraint('list_item_unique', ['listUri', 'uri'])
    .addForeignKeyConstraint('list_item_list_fkey', ['listUri'], 'list', ['uri'], (cb) => cb.onDelete('set null'))
    .execute()`),
    );
    expect(unrendered).toEqual([]);
    expect(calls).toEqual([
      {
        sql:
          'create table if not exists "list_item" ("uri" varchar primary key, "listUri" varchar(255) not null references "list" ("uri") on delete cascade, ' +
          `"count" integer default 0 not null, "note" text default 'it''s', "createdAt" timestamptz default now(), ` +
          '"sortAt" varchar generated always as (least("createdAt", "uri")) stored, constraint "list_item_unique" unique ("listUri", "uri"), ' +
          'constraint "list_item_list_fkey" foreign key ("listUri") references "list" ("uri") on delete set null)',
        runnable: true,
        rules: ["require-lock-timeout"],
      },
    ]);
  });

  it("changes of a table, indexes, types, views and drops, under withSchema", () => {
    const { calls, unrendered } = written(
      up(`  await db.schema.alterTable('label').addColumn('exp', 'varchar').dropColumn('old').renameColumn('a', 'b').execute()
  await db.schema.alterTable('label').alterColumn('exp', (col) => col.setNotNull()).execute()
  await db.schema.alterTable('label').addPrimaryKeyConstraint('label_pkey', ['src', 'uri']).dropConstraint('label_old').execute()
  await db.schema.createIndex('label_uri_idx').unique().on('label').using('btree').columns(['uri', 'src']).execute()
  await db.schema.createIndex('label_lower_idx').on('label').expression(sql\`lower(uri)\`).where(sql\`"neg" = false\`).execute()
  await db.schema.withSchema('mod').createType('reason').asEnum(['spam', "it's"]).execute()
  await db.schema.dropView('stats').materialized().ifExists().execute()
  await db.schema.withSchema('mod').dropTable('old').ifExists().cascade().execute()
  await db.schema.dropIndex('label_uri_idx').execute()`),
    );
    expect(unrendered).toEqual([]);
    expect(calls.map((call) => call.sql)).toEqual([
      'alter table "label" add column "exp" varchar, drop column "old", rename column "a" to "b"',
      'alter table "label" alter column "exp" set not null',
      'alter table "label" add constraint "label_pkey" primary key ("src", "uri"), drop constraint "label_old"',
      'create unique index "label_uri_idx" on "label" using btree ("uri", "src")',
      'create index "label_lower_idx" on "label" (lower(uri)) where "neg" = false',
      `create type "mod"."reason" as enum ('spam', 'it''s')`,
      'drop materialized view if exists "stats"',
      'drop table if exists "mod"."old" cascade',
      'drop index "label_uri_idx"',
    ]);
    // A drop keeps drop-table's judgement, as when lint read it as Knex's dropTable.
    expect(calls[7]!.rules).toEqual(["drop-table", "require-lock-timeout"]);
  });

  it("leaves a chain it cannot write whole to lint's other readings, and says which call it could not write", () => {
    const { calls, unrendered } = written(
      up(`  await db.schema.createView('stats').as(db.selectFrom('label').selectAll()).execute()
  await db.schema.createIndex('label_neg_idx').on('label').column('neg').where('neg', '=', false).execute()
  await db.schema.alterTable(TABLES.label).addColumn('x', 'text').execute()
  await db.schema.createTable('t').addColumn('id', 'serial', (col) => { return col.primaryKey() }).execute()
  await db.schema.createSchema('s').constructor().execute()
  await db.schema.alterTable('label').addColumn('x', 'text', (col) => col.toString()).execute()
  await db.schema.alterTable('label').addColumn('y', 'text', (col) => col.onDelete('cascade')).execute()`),
    );
    expect(unrendered).toEqual(["db.schema.as(…)", "db.schema.where(…)", "db.schema.alterTable(…)", "db.schema.addColumn(…)", "db.schema.constructor(…)", "db.schema.toString(…)", "db.schema.onDelete(…)"]);
    // The createTable is still read as a builder (as before Kysely's chains were written): a table the file makes.
    expect(calls).toEqual([{ sql: 'CREATE TABLE "t" ()', runnable: false, rules: [] }]);
  });

  it("send nothing for a chain that is never executed: no statement, where Knex's awaited chain is one", () => {
    const kysely = written(up("  await db.schema.dropTable('signing_key')\n  await db.schema.alterTable('label').dropColumn('exp').execute()"));
    expect(kysely).toEqual({ calls: [{ sql: 'alter table "label" drop column "exp"', runnable: true, rules: ["require-lock-timeout"] }], unrendered: [] });
    const knex = written("exports.up = async (knex) => {\n  await knex.schema.dropTable('signing_key')\n}\n");
    expect(knex.calls).toEqual([{ sql: 'DROP TABLE "signing_key"', runnable: true, rules: ["drop-table"] }]);
  });

  it("make a migration verify runs when every chain is written, and one it does not run otherwise", () => {
    const options = { rules: allRules, ...settingsOptions(DEFAULT_SETTINGS) };
    const runnable = embeddedMigrationSql(up("  await db.schema.createTable('a').addColumn('id', 'serial', (col) => col.primaryKey()).execute()"), "m.ts", options);
    expect("sql" in runnable && runnable.sql).toBe('create table "a" ("id" serial primary key)\n;\n');
    const notRunnable = embeddedMigrationSql(up("  await db.schema.createIndex('i').on('a').column('id').where('id', '>', 1).execute()"), "m.ts", options);
    expect(notRunnable).toEqual({ problem: "it calls db.schema.where(…), whose SQL migsafe does not write" });
  });
});
