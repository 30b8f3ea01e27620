import { describe, expect, it } from "vitest";
import rule from "../../rules/rename-type.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

describe("rename-type", () => {
  it("reports ALTER TYPE ... RENAME TO and ALTER DOMAIN ... RENAME TO at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nALTER TYPE mood RENAME TO feeling;\nALTER DOMAIN email RENAME TO address;")).toEqual([at(2, 1, 2, 34), at(3, 1, 3, 37)]);
  });

  it("names both names, what breaks, the missing lock, and the domain bridge in the same schema", () => {
    const { explanation, help } = lintSql('ALTER TYPE app."Role" RENAME TO member_role;', { rules: [rule] }).findings[0]!;
    expect(explanation).toMatch(/^Renaming type app\."Role" to app\.member_role breaks running code that names app\."Role" \(casts such as '…'::app\."Role"/);
    expect(explanation).toContain('fails with "type … does not exist" as soon as this commits');
    expect(explanation).toContain("Columns, function signatures, views and other types that use it follow the rename");
    expect(explanation).toContain("It takes no table lock and rewrites nothing");
    expect(explanation).toContain('BEGIN; ALTER TYPE app."Role" RENAME TO member_role; CREATE DOMAIN app."Role" AS app.member_role; COMMIT;');
    expect(explanation).toContain('DROP DOMAIN app."Role"; in a later migration');
    expect(help).toBe('Rename and keep the old name as a domain in one transaction: CREATE DOMAIN app."Role" AS app.member_role');
    expect(lintSql("ALTER DOMAIN email RENAME TO address;", { rules: [rule] }).findings[0]!.explanation).toMatch(/^Renaming domain email to address /);
  });

  it("reports ALTER TYPE ... RENAME VALUE with both values, what breaks, and the add-and-migrate alternative", () => {
    const result = lintSql("ALTER TYPE order_status RENAME VALUE 'shipped' TO 'it''s out';", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 62)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^ALTER TYPE order_status RENAME VALUE 'shipped' TO 'it''s out' changes the value in every row at once/);
    expect(explanation).toContain('running code that writes or compares \'shipped\' fails with "invalid input value for enum order_status"');
    expect(explanation).toContain("It takes no table lock and rewrites nothing");
    expect(explanation).toContain("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'it''s out';");
    expect(explanation).toContain("an enum value cannot be dropped");
    expect(help).toContain("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'it''s out'");
  });

  it("does not report a type created earlier in the file, or given its name by an earlier rename", () => {
    expect(findingsOf(rule, "CREATE TYPE mood AS ENUM ('sad');\nALTER TYPE mood RENAME TO feeling;\nALTER TYPE feeling RENAME VALUE 'sad' TO 'blue';")).toEqual([]);
    expect(findingsOf(rule, "CREATE TYPE mood_new AS ENUM ('sad');\nALTER TYPE mood_new RENAME TO mood2;\nALTER TYPE mood2 RENAME TO mood3;")).toEqual([]);
    expect(findingsOf(rule, "ALTER TYPE mood RENAME TO feeling;\nALTER TYPE feeling RENAME VALUE 'sad' TO 'blue';")).toEqual([at(1, 1, 1, 34), at(2, 1, 2, 48)]);
  });

  it("does not report Prisma's enum swap in one transaction, reports it as a gap outside one, and follows assumeInTransaction", () => {
    const swap = 'ALTER TYPE "Role" RENAME TO "Role_old";\nALTER TYPE "Role_new" RENAME TO "Role";\nDROP TYPE "Role_old";';
    expect(findingsOf(rule, `CREATE TYPE "Role_new" AS ENUM ('USER');\nBEGIN;\n${swap}\nCOMMIT;`)).toEqual([]);
    expect(withSettings(`CREATE TYPE "Role_new" AS ENUM ('USER');\n${swap}`, { assumeInTransaction: true })).toEqual([]);
    const gap = lintSql(`CREATE TYPE "Role_new" AS ENUM ('USER');\n${swap}`, { rules: [rule] });
    expect(gap.findings.map(located)).toEqual([at(2, 1, 2, 39)]);
    expect(gap.findings[0]!.explanation).toContain('leaves no type named "Role" until a later statement of this file takes the name again outside this transaction');
    expect(gap.findings[0]!.help).toMatch(/^Run the rename and the statement that takes "Role" again in one transaction/);
  });

  it("does not report a rename in a rollback file, and checks a down section against the up section's renames", () => {
    const files = { "db/009_status.up.sql": "ALTER TYPE status RENAME VALUE 'a' TO 'b';" };
    expect(findingsOf(rule, "ALTER TYPE status RENAME VALUE 'b' TO 'a';\nALTER TYPE s2 RENAME TO s1;", { filePath: "db/009_status.down.sql", files })).toEqual([]);
    const sql =
      "-- +goose Up\nALTER TYPE status RENAME VALUE 'a' TO 'b';\nALTER TYPE mood RENAME TO feeling;\n-- +goose Down\n" +
      "ALTER TYPE status RENAME VALUE 'b' TO 'a';\nALTER TYPE feeling RENAME TO mood;\nALTER TYPE status RENAME VALUE 'c' TO 'd';\nALTER TYPE other RENAME TO thing;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 42), at(3, 1, 3, 34), at(7, 1, 7, 42), at(8, 1, 8, 33)]);
  });

  it("reports renames run by a DO block at their place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\nEND\n$$;")).toEqual([at(3, 3, 3, 47)]);
  });

  it("does not report other renames, ADD VALUE, attributes, or text in comments and strings", () => {
    const sql =
      "ALTER TABLE users RENAME TO accounts;\nALTER TYPE mood ADD VALUE 'happy';\nALTER TYPE address RENAME ATTRIBUTE zip TO postcode;\n" +
      "-- ALTER TYPE mood RENAME TO feeling;\nSELECT 'ALTER TYPE mood RENAME VALUE ''a'' TO ''b''';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports the docs page's examples and not its safe alternatives", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("rename-type: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("ALTER TYPE order_status RENAME VALUE 'shipped' TO 'dispatched';", { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER TYPE order_status RENAME VALUE 'shipped' TO 'dispatched' breaks code still writing 'shipped'");
    expect(finding!.help).toBe("Add the new value instead (ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'dispatched'), deploy code writing it, then move the rows in batches");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "ALTER TYPE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t RENAME TO nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_u;",
      "ALTER TYPE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t RENAME VALUE 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a' TO 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b';",
    ];
    expectFitsOnALine(rule, statements);
  });
});
