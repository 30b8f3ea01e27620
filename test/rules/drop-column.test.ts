import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-column.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("drop-column", () => {
  it("reports DROP COLUMN at the action", () => {
    expect(findingsOf(rule, "SELECT 1;\nALTER TABLE users DROP COLUMN email;")).toEqual([at(2, 19, 2, 36)]);
  });

  it("reports DROP without the COLUMN keyword, IF EXISTS, ONLY and CASCADE", () => {
    expect(findingsOf(rule, "ALTER TABLE ONLY users DROP email;\nALTER TABLE IF EXISTS public.users DROP COLUMN IF EXISTS name CASCADE;")).toEqual([
      at(1, 24, 1, 34),
      at(2, 36, 2, 70),
    ]);
  });

  it("reports each dropped column of a multi-action ALTER TABLE at its own action", () => {
    const sql = "ALTER TABLE users\n  ADD COLUMN nickname text,\n  DROP COLUMN email,\n  ALTER COLUMN id SET NOT NULL,\n  DROP name;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 20), at(5, 3, 5, 12)]);
  });

  it("names the column and table, the lock, the missing rewrite and what breaks", () => {
    const result = lintSql('ALTER TABLE app."User" DROP COLUMN "firstName" CASCADE;', { rules: [rule] });
    expect(result.findings).toHaveLength(1);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toContain('Dropping column "firstName" of app."User"');
    expect(explanation).toContain("ACCESS EXCLUSIVE");
    expect(explanation).toContain("not rewritten");
    expect(explanation).toContain("SELECT *");
    expect(explanation).toContain("CASCADE");
    expect(help).toContain('Rename it to "firstName_deprecated" first, drop it in a later release');
  });

  it("counts positions in UTF-16 code units after CRLF lines and multi-byte text", () => {
    const sql = "-- größe 😀\r\nSELECT '日本語';\r\nALTER TABLE ünïcode DROP COLUMN größe;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 21, 3, 38)]);
  });

  it("does not report a column of a table created earlier in the file", () => {
    expect(findingsOf(rule, "CREATE TABLE tmp (id int, a int);\nALTER TABLE tmp DROP COLUMN a;")).toEqual([]);
  });

  it("does not report a column added earlier in the file, but reports the others", () => {
    const sql = "ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp, DROP COLUMN email;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 36, 2, 53)]);
  });

  it("reports a column dropped before the file adds it", () => {
    expect(findingsOf(rule, "ALTER TABLE users DROP COLUMN tmp;\nALTER TABLE users ADD COLUMN tmp int;")).toEqual([at(1, 19, 1, 34)]);
  });

  it("does not report a rollback dropping the column its forward migration added", () => {
    const files = { "db/003_add_nickname.up.sql": "ALTER TABLE users ADD COLUMN nickname text;" };
    const filePath = "db/003_add_nickname.down.sql";
    expect(findingsOf(rule, "ALTER TABLE users DROP COLUMN nickname;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE users DROP COLUMN email;", { filePath, files })).toEqual([at(1, 19, 1, 36)]);
  });

  it("does not report other actions, other object kinds, or text in comments and strings", () => {
    const sql =
      "ALTER TABLE users ADD COLUMN a int, DROP CONSTRAINT users_pkey;\n" +
      "ALTER TYPE address DROP ATTRIBUTE zip;\n" +
      "-- ALTER TABLE users DROP COLUMN email;\n" +
      "/* ALTER TABLE users DROP COLUMN email; */\n" +
      "SELECT 'ALTER TABLE users DROP COLUMN email';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP COLUMN run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users DROP COLUMN email;\nEND\n$$;")).toEqual([at(3, 21, 3, 38)]);
  });
});

describe("drop-column: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("ALTER TABLE users DROP COLUMN legacy_name;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP COLUMN legacy_name of users deletes its values (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Rename it to legacy_name_deprecated first, drop it in a later release");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "ALTER TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t DROP COLUMN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_c CASCADE;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
