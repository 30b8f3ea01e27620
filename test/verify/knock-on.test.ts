import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/engine/rule.js";
import { knockOnOf, migrationLabel, noteKnockOns, wordsOfSql, type Unmade } from "../../src/verify/knock-on.js";

const finding = (): Finding => ({ ruleId: "verify-error", severity: "dangerous", message: "Fails", help: "h", range: { start: 0, end: 1 }, loc: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } }, docsUrl: "" });
const cause = (file: string, sql: string): Unmade => ({ file, finding: finding(), words: wordsOfSql(sql), knockOns: [] });

describe("knock-on failures", () => {
  const unmade = [cause("/m/001.sql", 'CREATE TABLE "Orders" (id int); CREATE FUNCTION touch() RETURNS void AS $$ $$ LANGUAGE sql;')];

  it("follow from a cause whose SQL names what the error says does not exist, in another migration", () => {
    expect(knockOnOf({ message: 'relation "Orders" does not exist', code: "42P01" }, unmade, "/m/002.sql")).toBe(unmade[0]);
    expect(knockOnOf({ message: "function touch() does not exist", code: "42883" }, unmade, "/m/002.sql")).toBe(unmade[0]);
    expect(knockOnOf({ message: "column o.id does not exist", code: "42703" }, unmade, "/m/002.sql")).toBe(unmade[0]);
  });

  it("not from another kind of error, a name the cause does not mention, or the same migration", () => {
    expect(knockOnOf({ message: 'duplicate key value violates unique constraint "orders_pkey"', code: "23505" }, unmade, "/m/002.sql")).toBeUndefined();
    expect(knockOnOf({ message: 'relation "users" does not exist', code: "42P01" }, unmade, "/m/002.sql")).toBeUndefined();
    expect(knockOnOf({ message: 'relation "orders" does not exist', code: "42P01" }, unmade, "/m/001.sql")).toBeUndefined();
  });

  it("are listed in the cause's explanation, at most ten of them, and counted", () => {
    const one = cause("/m/001.sql", "CREATE TABLE t (id int)");
    one.knockOns.push(...Array.from({ length: 12 }, (_, i) => `0${i + 2}.sql:1 relation "t" does not exist (42P01)`));
    expect(noteKnockOns([one])).toBe(12);
    expect(one.finding?.explanation).toMatch(/^Fails 12 later migrations then failed on what this did not make, reported here instead of as findings of their own: 02\.sql:1 .*011\.sql:1 relation "t" does not exist \(42P01\); and 2 more\.$/);
  });

  it("name a migration by its folder when every migration has the same file name", () => {
    expect(migrationLabel("/p/migrations/20240101_init/migration.sql")).toBe("20240101_init/migration.sql");
    expect(migrationLabel("/p/migrations/001_init.sql")).toBe("001_init.sql");
  });
});
