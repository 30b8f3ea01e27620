import { describe, expect, it } from "vitest";
import { findBuilderCalls } from "../../src/embedded/builders.js";
import { parseScript, normalizeTargets, scanProgram } from "../../src/embedded/extract.js";
import { HoleNames } from "../../src/embedded/holes.js";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

/** The SQL of each builder call of the source, placeholders shown as the expressions. */
function rendered(source: string): string[] {
  const ast = parseScript(source, "m.ts");
  const holes = new HoleNames();
  const scope = { targets: normalizeTargets(undefined), ...scanProgram(ast, source, { up: ["up"], down: ["down"] }), holes };
  return findBuilderCalls(ast, source, scope).map((call) => holes.show(call.sql));
}

describe("node-pg-migrate builders, rendered as node-pg-migrate renders them", () => {
  it("columns with their types, shorthands, NOT NULL, defaults, keys and references", () => {
    const source = [
      "const tableName = Project.tableName;",
      "pgm.createTable('projects', {",
      "  id: 'id',",
      "  title: { type: 'TEXT', notNull: true },",
      "  count: { type: 'int', notNull: true, default: 0 },",
      "  created_at: { type: 'TIMESTAMP', notNull: true, default: pgm.func('now()') },",
      "  owner_id: { type: 'uuid', references: 'users', onDelete: 'CASCADE' },",
      "}, { ifNotExists: true });",
      "pgm.addColumn(tableName, { is_public: { type: 'BOOLEAN', default: false, notNull: true }, note: 'string' });",
      "pgm.addColumns('projects', { legacy: { type: 'text' } }, { ifNotExists: true });",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `CREATE TABLE IF NOT EXISTS "projects" ("id" serial PRIMARY KEY, "title" TEXT NOT NULL, "count" integer DEFAULT 0 NOT NULL, "created_at" TIMESTAMP DEFAULT now() NOT NULL, "owner_id" uuid REFERENCES "users" ON DELETE CASCADE)`,
      `ALTER TABLE \${tableName} ADD "is_public" BOOLEAN DEFAULT FALSE NOT NULL, ADD "note" text`,
      `ALTER TABLE "projects" ADD IF NOT EXISTS "legacy" text`,
    ]);
  });

  it("alterColumn: default, type with USING, NOT NULL", () => {
    const source = [
      "pgm.alterColumn('items', 'salt', { type: 'TEXT' });",
      "pgm.alterColumn('items', 'id', { type: 'UUID', using: 'id::uuid', notNull: true, default: pgm.func('uuid_generate_v4()') });",
      "pgm.alterColumn('items', 'created_at', { default: null, allowNull: true });",
      "pgm.alterColumn('items', 'x', {});",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `ALTER TABLE "items" ALTER "salt" SET DATA TYPE TEXT`,
      `ALTER TABLE "items" ALTER "id" SET DEFAULT uuid_generate_v4(), ALTER "id" SET DATA TYPE UUID USING id::uuid, ALTER "id" SET NOT NULL`,
      `ALTER TABLE "items" ALTER "created_at" DROP DEFAULT, ALTER "created_at" DROP NOT NULL`,
    ]);
  });

  it("constraints, named as node-pg-migrate names them", () => {
    const source = [
      "const columns = ['id', 'asset_pack_id'];",
      "pgm.addConstraint('assets', 'assets_pkey', { primaryKey: columns });",
      "pgm.addConstraint('assets', 'fk', { foreignKeys: { columns: ['pack_id'], references: 'packs', onDelete: 'CASCADE' } });",
      "pgm.addConstraint('assets', null, { unique: ['a', 'b'], check: 'a > 0' });",
      "pgm.addConstraint('assets', 'positive', 'CHECK (a > 0)');",
      "pgm.dropConstraint('assets', 'assets_pkey', { ifExists: true });",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `ALTER TABLE "assets" ADD CONSTRAINT "assets_pkey" PRIMARY KEY ("id", "asset_pack_id")`,
      `ALTER TABLE "assets" ADD CONSTRAINT "fk" FOREIGN KEY ("pack_id") REFERENCES "packs" ON DELETE CASCADE`,
      `ALTER TABLE "assets" ADD CONSTRAINT "assets_chck" CHECK (a > 0), ADD CONSTRAINT "assets_uniq_a_b" UNIQUE ("a", "b")`,
      `ALTER TABLE "assets" ADD CONSTRAINT "positive" CHECK (a > 0)`,
      `ALTER TABLE "assets" DROP CONSTRAINT IF EXISTS "assets_pkey"`,
    ]);
  });

  it("indexes: the generated name, unique, concurrently, method, where; dropIndex finds the same name", () => {
    const source = [
      "pgm.createIndex('users', 'email');",
      "pgm.addIndex('users', ['a', 'b'], { unique: true, concurrently: true, method: 'gin', where: 'deleted_at IS NULL' });",
      "pgm.createIndex({ schema: 'app', name: 'users' }, 'lower(email)', { name: 'users_lower_email' });",
      "pgm.dropIndex('users', ['a', 'b'], { unique: true, concurrently: true, ifExists: true });",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `CREATE INDEX "users_email_index" ON "users" ("email")`,
      `CREATE UNIQUE INDEX CONCURRENTLY "users_a_b_unique_index" ON "users" USING gin ("a", "b") WHERE deleted_at IS NULL`,
      `CREATE INDEX "users_lower_email" ON "app"."users" (lower(email))`,
      `DROP INDEX CONCURRENTLY IF EXISTS "users_a_b_unique_index"`,
    ]);
  });

  it("drops, renames, types, extensions, functions, triggers", () => {
    const source = [
      "const columns = { a: { type: 'text' }, b: { type: 'text' } };",
      "pgm.dropColumns('t', Object.keys(columns), { ifExists: true });",
      "pgm.dropTable('t', { cascade: true });",
      "pgm.renameTable('t', 'u');",
      "pgm.renameColumn('t', 'a', 'b');",
      "pgm.createType('mood', ['happy', 'sad']);",
      "pgm.addTypeValue('mood', 'meh', { ifNotExists: true, after: 'happy' });",
      "pgm.dropType('mood');",
      "pgm.createExtension('pg_trgm', { ifNotExists: true });",
      "pgm.dropFunction('touch', [], { ifExists: true });",
      "pgm.createTrigger('t', 'touch_t', { when: 'BEFORE', operation: ['INSERT', 'UPDATE'], level: 'ROW', function: 'touch' });",
      "pgm.refreshMaterializedView('stats', { concurrently: true });",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `ALTER TABLE "t" DROP IF EXISTS "a", DROP IF EXISTS "b"`,
      `DROP TABLE "t" CASCADE`,
      `ALTER TABLE "t" RENAME TO "u"`,
      `ALTER TABLE "t" RENAME "a" TO "b"`,
      `CREATE TYPE "mood" AS ENUM ('happy', 'sad')`,
      `ALTER TYPE "mood" ADD VALUE IF NOT EXISTS 'meh' AFTER 'happy'`,
      `DROP TYPE "mood"`,
      `CREATE EXTENSION IF NOT EXISTS "pg_trgm"`,
      `DROP FUNCTION IF EXISTS "touch"()`,
      `CREATE TRIGGER "touch_t" BEFORE INSERT OR UPDATE ON "t" FOR EACH ROW EXECUTE PROCEDURE "touch"()`,
      `REFRESH MATERIALIZED VIEW CONCURRENTLY "stats"`,
    ]);
  });

  it("every rule judges them as the same SQL written by hand, at the builder call", () => {
    const source = [
      "export const up = (pgm) => {",
      "  pgm.addColumn('items', { thumbnail: { type: 'TEXT', notNull: true } });",
      "  pgm.addConstraint('items', 'items_pack_fk', { foreignKeys: { columns: 'pack_id', references: 'packs' } });",
      "  pgm.alterColumn('items', 'salt', { type: 'text' });",
      "};",
    ].join("\n");
    const result = lintEmbeddedSource(source, "migrations/1_x.ts", { rules: allRules, settings: DEFAULT_SETTINGS });
    const found = result.findings.map((f) => `${f.ruleId} ${f.loc.start.line}:${f.loc.start.column}`);
    expect(found).toEqual(
      expect.arrayContaining(["not-null-without-backfill 2:3", "require-lock-timeout 2:3", "constraint-missing-not-valid 3:3", "change-column-type 4:3"]),
    );
  });
});

describe("the other ORMs' builders", () => {
  it("Sequelize addColumn with its PostgreSQL type, NOT NULL and database default; bulkDelete as the DELETE it runs", () => {
    const source = [
      "queryInterface.addColumn('users', 'role', { type: Sequelize.STRING, allowNull: false, defaultValue: 'member' });",
      "queryInterface.addColumn('users', 'at', { type: DataTypes.DATE, defaultValue: Sequelize.NOW });",
      "queryInterface.addColumn('users', 'kind', { type: Sequelize.ENUM('a', 'b') });",
      "queryInterface.addColumn('users', 'ids', Sequelize.ARRAY(Sequelize.UUID));",
      "queryInterface.addColumn('users', 'odd', { type: 'unique' });",
      "queryInterface.bulkDelete('share_subscriptions', {}, { transaction });",
      "queryInterface.bulkDelete('users', { id: ids });",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `ALTER TABLE "users" ADD COLUMN "role" VARCHAR(255) NOT NULL DEFAULT 'member'`,
      `ALTER TABLE "users" ADD COLUMN "at" TIMESTAMP WITH TIME ZONE DEFAULT now()`,
      `ALTER TABLE "users" ADD COLUMN "kind" "enum_users_kind"`,
      `ALTER TABLE "users" ADD COLUMN "ids" UUID[]`,
      `ALTER TABLE "users" ADD COLUMN "odd" text`,
      `DELETE FROM "share_subscriptions"`,
      `DELETE FROM "users" WHERE \${{ id: ids }}`,
    ]);
  });

  it("Knex alterTable in a loop over a constant list of tables: each table in turn; over anything else, a name computed at run time", () => {
    const source = [
      "const TABLES = ['_nango_connections', '_nango_syncs'];",
      "for (const name of TABLES) {",
      "  await knex.schema.alterTable(name, (table) => { table.boolean('deleted').defaultTo(false); });",
      "}",
      "for (const name of tablesFromConfig) {",
      "  await knex.schema.alterTable(name, (table) => { table.dropColumn('old'); });",
      "}",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `ALTER TABLE "_nango_connections" ADD COLUMN "deleted" boolean DEFAULT FALSE`,
      `ALTER TABLE "_nango_syncs" ADD COLUMN "deleted" boolean DEFAULT FALSE`,
      `ALTER TABLE \${name} DROP COLUMN "old"`,
    ]);
  });

  it("Knex schema calls migsafe does not write keep the file from verify; another object's schema is not Knex's", () => {
    const unrenderedOf = (source: string) => {
      const ast = parseScript(source, "m.js");
      const holes = new HoleNames();
      const scope = { targets: normalizeTargets(undefined), ...scanProgram(ast, source, { up: ["up"], down: ["down"] }), holes };
      const unrendered: string[] = [];
      findBuilderCalls(ast, source, scope, unrendered);
      return unrendered;
    };
    expect(unrenderedOf("exports.up = async (knex) => {\n  await knex.schema.createView('v', (view) => view.as(knex('t')));\n  await knex.schema.withSchema('s').createTable('t', (t) => { t.text('a'); });\n};\n")).toEqual([
      "knex.schema.createView",
      "knex.schema.withSchema('s').createTable",
      "knex.schema.withSchema",
    ]);
    expect(unrenderedOf("exports.up = async (knex) => {\n  this.schema.parse(input);\n  await knex.schema.hasTable('t');\n};\n")).toEqual([]);
  });

  it("Knex alterTable: columns with type, NOT NULL and default, indexes, unique and foreign keys, drops; `.alter()` as Knex alters a column", () => {
    const source = [
      "knex.schema.alterTable('users', (table) => {",
      "  table.string('email', 100).notNullable().unique();",
      "  table.uuid('token').defaultTo(knex.raw('uuid_generate_v4()'));",
      "  table.timestamp('seen_at').defaultTo(knex.fn.now()).index();",
      "  table.integer('team_id').references('id').inTable('teams').onDelete('CASCADE');",
      "  table.index(['a', 'b'], 'users_a_b');",
      "  table.dropUnique(['email']);",
      "  table.setNullable('name');",
      "  table.string('kind').alter().notNullable();",
      "  table.integer('rank').defaultsTo(0);",
      "});",
    ].join("\n");
    expect(rendered(source)).toEqual([
      `ALTER TABLE "users" ADD COLUMN "email" varchar(100) NOT NULL;\nALTER TABLE "users" ADD CONSTRAINT "users_email_unique" UNIQUE ("email")`,
      `ALTER TABLE "users" ADD COLUMN "token" uuid DEFAULT uuid_generate_v4()`,
      `ALTER TABLE "users" ADD COLUMN "seen_at" timestamptz DEFAULT CURRENT_TIMESTAMP;\nCREATE INDEX "users_seen_at_index" ON "users" ("seen_at")`,
      `ALTER TABLE "users" ADD COLUMN "team_id" integer;\nALTER TABLE "users" ADD CONSTRAINT "users_team_id_foreign" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON DELETE CASCADE`,
      `CREATE INDEX "users_a_b" ON "users" ("a", "b")`,
      `ALTER TABLE "users" DROP CONSTRAINT "users_email_unique"`,
      `ALTER TABLE "users" ALTER COLUMN "name" DROP NOT NULL`,
      // Knex drops the default and NOT NULL, sets the type again, then sets what the chain asks for.
      `ALTER TABLE "users" ALTER COLUMN "kind" DROP DEFAULT;\nALTER TABLE "users" ALTER COLUMN "kind" DROP NOT NULL;\n` +
        `ALTER TABLE "users" ALTER COLUMN "kind" TYPE varchar(255) USING ("kind"::varchar(255));\nALTER TABLE "users" ALTER COLUMN "kind" SET NOT NULL`,
      // defaultsTo is Knex's other name for defaultTo.
      `ALTER TABLE "users" ADD COLUMN "rank" integer DEFAULT 0`,
    ]);
  });
});
