import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-not-null.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const DROP = "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;";

describe("drop-not-null", () => {
  it("reports DROP NOT NULL on an existing column at the action", () => {
    expect(findingsOf(rule, `SELECT 1;\n${DROP}`)).toEqual([at(2, 19, 2, 51)]);
  });

  it("explains what breaks, the lock and the missing rewrite, and gives the safe order", () => {
    const [finding] = lintSql('ALTER TABLE app."User" ALTER "firstName" DROP NOT NULL;', { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE app\."User" ALTER COLUMN "firstName" DROP NOT NULL lets NULLs into "firstName"/);
    expect(finding!.explanation).toContain("ORM models");
    expect(finding!.explanation).toContain("catalog-only (no rewrite, no scan)");
    expect(finding!.explanation).toContain('ACCESS EXCLUSIVE lock on app."User"');
    expect(finding!.help).toMatch(/^Deploy readers that handle a NULL "firstName" first/);
    expect(finding!.help).toContain("keep NOT NULL and SET DEFAULT … instead");
  });

  it("does not report the safe alternative of the docs page", () => {
    expect(findingsOf(rule, "ALTER TABLE users ALTER COLUMN email SET DEFAULT '';")).toEqual([]);
  });

  it("reports each action of a multi-action ALTER TABLE at its own place", () => {
    const sql = "ALTER TABLE users\n  ALTER COLUMN email DROP NOT NULL,\n  ALTER COLUMN name SET NOT NULL,\n  ALTER phone DROP NOT NULL;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 35), at(4, 3, 4, 28)]);
  });

  it("does not report a column or table created earlier in the file, or by the same statement", () => {
    expect(findingsOf(rule, `ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '';\n${DROP}`)).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '', ALTER COLUMN email DROP NOT NULL;")).toEqual([]);
    expect(findingsOf(rule, `CREATE TABLE users (id int, email text NOT NULL);\n${DROP}`)).toEqual([]);
  });

  it("does not report a NOT NULL dropped for a while and set again later in the file", () => {
    const sql = `${DROP}\nUPDATE users SET email = lower(email);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;`;
    expect(findingsOf(rule, sql)).toEqual([]);
    expect(findingsOf(rule, `ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n${DROP}`)).toEqual([at(2, 19, 2, 51)]);
  });

  it("follows the table, not its name, to the later SET NOT NULL", () => {
    const renamed = `${DROP}\nALTER TABLE users RENAME TO accounts;\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;`;
    expect(findingsOf(rule, renamed)).toEqual([]);
    const searchPath = `SET search_path TO app;\n${DROP}\nALTER TABLE app.users ALTER COLUMN email SET NOT NULL;`;
    expect(findingsOf(rule, searchPath)).toEqual([]);
    const otherSchema = `${DROP}\nALTER TABLE app.users ALTER COLUMN email SET NOT NULL;`;
    expect(findingsOf(rule, otherSchema)).toEqual([at(1, 19, 1, 51)]);
  });

  it("does not report rollbacks: a rollback file or a down section restores the old nullability", () => {
    const files = { "db/005_email.up.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;" };
    expect(findingsOf(rule, DROP, { filePath: "db/005_email.down.sql", files })).toEqual([]);
    expect(findingsOf(rule, DROP, { filePath: "db/005_email_rollback.sql", files: { "db/005_email.sql": "" } })).toEqual([]);
    const goose = `-- +goose Up\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n-- +goose Down\n${DROP}`;
    expect(findingsOf(rule, goose)).toEqual([]);
    expect(findingsOf(rule, DROP, { filePath: "db/005_email.up.sql", files: { "db/005_email.down.sql": "" } })).toEqual([at(1, 19, 1, 51)]);
  });

  it("does not report other object kinds or other actions", () => {
    expect(findingsOf(rule, "ALTER FOREIGN TABLE f ALTER COLUMN a DROP NOT NULL;\nALTER TABLE users ALTER COLUMN email DROP DEFAULT;")).toEqual([]);
  });

  it("reports DROP NOT NULL run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, `DO $$\nBEGIN\n  ${DROP}\nEND\n$$;`)).toEqual([at(3, 21, 3, 53)]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, `-- ${DROP}\n/* ${DROP} */\nSELECT '${DROP}';`)).toEqual([]);
  });
});

describe("drop-not-null: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER TABLE users ALTER COLUMN email DROP NOT NULL lets NULLs in where readers expect none");
    expect(finding!.help).toBe("Deploy readers that handle a NULL email first; if writers should still set it, keep NOT NULL and SET DEFAULT … instead");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "ALTER TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t ALTER COLUMN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_c DROP NOT NULL;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
