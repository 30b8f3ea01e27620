import { describe, expect, it } from "vitest";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import type { LintSettings } from "../../src/engine/rule.js";

function lint(source: string, filePath = "src/migrations/1_x.ts", settings: Partial<LintSettings> = {}) {
  const result = lintEmbeddedSource(source, filePath, { rules: allRules, settings: { ...DEFAULT_SETTINGS, ...settings } });
  return {
    dropped: result.findings.filter((f) => f.ruleId === "drop-table").map((f) => source.slice(f.range.start, f.range.end)),
    errors: result.errors.map((e) => e.message),
    notes: (result.notes ?? []).map((n) => `${n.line}: ${n.message}`),
  };
}

const wrap = (body: string) => `export class M {\n  async up(queryRunner) {\n${body}\n  }\n}\n`;

describe("branches of other databases are not linted", () => {
  it("if/else on the connection's type: only PostgreSQL's branch, one --debug note per skipped branch", () => {
    const source = wrap(
      [
        '    if (queryRunner.connection.options.type === "sqlite") {',
        "      await queryRunner.query(`DROP TABLE \"temporary_users\"`);",
        "    } else {",
        "      await queryRunner.query(`DROP TABLE pg_users`);",
        "    }",
      ].join("\n"),
    );
    const { dropped, notes } = lint(source);
    expect(dropped).toEqual(["DROP TABLE pg_users"]);
    expect(notes).toEqual(['3: skipped the branch of if (queryRunner.connection.options.type === "sqlite"): not PostgreSQL\'s']);
  });

  it("!== postgres, isPostgres flags, instanceof drivers, includes, && and ?:", () => {
    const source = wrap(
      [
        '    if (queryRunner.connection.driver.options.type !== "postgres") { await queryRunner.query("DROP TABLE a"); }',
        '    if (this.isMySQL) { await queryRunner.query("DROP TABLE b"); }',
        '    if (queryRunner.connection.driver instanceof SqliteDriver) { await queryRunner.query("DROP TABLE c"); }',
        '    if (["mysql", "mariadb"].includes(dbType)) { await queryRunner.query("DROP TABLE d"); }',
        '    isSqlite && (await queryRunner.query("DROP TABLE e"));',
        '    await queryRunner.query(isPostgres ? "DROP TABLE f" : "DROP TABLE `g`");',
        '    if (DriverUtils.isPostgresFamily(queryRunner.connection.driver)) { await queryRunner.query("DROP TABLE h"); }',
      ].join("\n"),
    );
    const { dropped, errors } = lint(source);
    expect(dropped).toEqual(["DROP TABLE f", "DROP TABLE h"]);
    expect(errors).toEqual([]);
  });

  it("switch on the database type: the cases PostgreSQL reaches, through fall-through and default", () => {
    const source = wrap(
      [
        "    switch (queryRunner.connection.options.type) {",
        '      case "sqlite":',
        '        await queryRunner.query("DROP TABLE a");',
        "        break;",
        '      case "postgres":',
        '      case "cockroachdb":',
        '        await queryRunner.query("DROP TABLE b");',
        "        break;",
        "      default:",
        '        await queryRunner.query("DROP TABLE c");',
        "    }",
      ].join("\n"),
    );
    expect(lint(source).dropped).toEqual(["DROP TABLE b"]);
  });

  it("what follows `if (isPostgres) { …; return; }` runs only on other databases", () => {
    const source = wrap(['    if (dialect === "postgres") {', '      await queryRunner.query("DROP TABLE a");', "      return;", "    }", '    await queryRunner.query("DROP TABLE b");'].join("\n"));
    const { dropped, notes } = lint(source);
    expect(dropped).toEqual(["DROP TABLE a"]);
    expect(notes).toEqual(["7: skipped what follows if (dialect === \"postgres\"), which ends the function on PostgreSQL: not PostgreSQL's"]);
  });

  it("functions named for another database (sqliteUpQueryRunner) are skipped", () => {
    const source = "export class M {\n  async sqliteUpQueryRunner(queryRunner) { await queryRunner.query('DROP TABLE a'); }\n  async up(queryRunner) { await queryRunner.query('DROP TABLE b'); }\n}\n";
    const { dropped, notes } = lint(source);
    expect(dropped).toEqual(["DROP TABLE b"]);
    expect(notes).toEqual(["2: skipped the function sqliteUpQueryRunner is named for sqlite: not PostgreSQL's"]);
  });

  it("a file under a folder named for another database is skipped whole", () => {
    const source = wrap('    await queryRunner.query("DROP TABLE `a`");');
    for (const folder of ["migrations/mysql", "mysqldb", "sqlite/migrations"]) {
      expect(lint(source, `src/${folder}/1_x.ts`)).toEqual({ dropped: [], errors: [], notes: [expect.stringMatching(/^1: skipped the whole file: it is under the folder (mysql|mysqldb|sqlite)\//)] });
    }
  });

  it("a file whose SQL is another database's (MySQL's backticks, SQLite's AUTOINCREMENT) is skipped whole, not a syntax error", () => {
    const mysql = wrap('    await queryRunner.query("DROP TABLE a");\n    await queryRunner.query("ALTER TABLE `chat_flow` ADD `category` TEXT");');
    expect(lint(mysql)).toEqual({ dropped: [], errors: [], notes: ["4: skipped the whole file: its SQL is MySQL's (backtick-quoted names on line 4), not PostgreSQL's"] });
    const sqlite = wrap('    await queryRunner.query(`CREATE TABLE "t" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL)`);');
    expect(lint(sqlite).notes).toEqual(["3: skipped the whole file: its SQL is SQLite's (AUTOINCREMENT on line 3), not PostgreSQL's"]);
  });

  it("otherDatabases: [] turns all of it off; a name added there is skipped", () => {
    const source = wrap('    if (queryRunner.connection.options.type === "sqlite") { await queryRunner.query("DROP TABLE a"); }\n    if (db.type === "duckdb") { await queryRunner.query("DROP TABLE b"); }');
    expect(lint(source, undefined, { otherDatabases: [] }).dropped).toHaveLength(2);
    expect(lint(source, undefined, { otherDatabases: ["duckdb"] }).dropped).toEqual(["DROP TABLE a"]);
    expect(lint(source, "src/sqlite/1_x.ts", { otherDatabases: [] }).dropped).toHaveLength(2);
  });

  it("tests that are not about the database keep both branches", () => {
    const source = wrap('    if (options.type === "full") { await queryRunner.query("DROP TABLE a"); } else { await queryRunner.query("DROP TABLE b"); }');
    expect(lint(source).dropped).toHaveLength(2);
  });
});
