import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-database.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("drop-database", () => {
  it("reports DROP DATABASE at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP DATABASE analytics;")).toEqual([at(2, 1, 2, 24)]);
  });

  it("reports IF EXISTS and names the database", () => {
    const result = lintSql('DROP DATABASE IF EXISTS "Analytics";', { rules: [rule] });
    expect(result.findings.map((f) => f.loc)).toEqual([{ start: { line: 1, column: 1 }, end: { line: 1, column: 36 } }]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP DATABASE "Analytics" deletes the database /);
    expect(explanation).toContain("fails while any session is connected");
    expect(explanation).not.toContain("FORCE");
    expect(explanation).toContain('ALTER DATABASE "Analytics" ALLOW_CONNECTIONS false');
    expect(help).toContain('pg_dump -Fc "Analytics"');
  });

  it("says WITH (FORCE) terminates the connections", () => {
    for (const sql of ["DROP DATABASE analytics WITH (FORCE);", "DROP DATABASE analytics (force);"]) {
      const result = lintSql(sql, { rules: [rule] });
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]!.explanation).toContain("WITH (FORCE) first terminates every connection");
    }
  });

  it("counts positions after CRLF lines and multi-byte text", () => {
    expect(findingsOf(rule, "-- Ωmega 😀\r\n\r\nDROP DATABASE analytics WITH (FORCE);")).toEqual([at(3, 1, 3, 37)]);
  });

  it("does not report a database created earlier in the file", () => {
    expect(findingsOf(rule, "CREATE DATABASE scratch;\nDROP DATABASE scratch;")).toEqual([]);
  });

  it("does not report a rollback dropping the database its forward migration created", () => {
    const files = { "db/005_scratch.sql": "CREATE DATABASE scratch;" };
    const filePath = "db/005_scratch-rollback.sql";
    expect(findingsOf(rule, "DROP DATABASE scratch;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DROP DATABASE analytics;", { filePath, files })).toEqual([at(1, 1, 1, 24)]);
  });

  it("does not report other statements or text in comments and strings", () => {
    const sql = "DROP TABLE analytics;\nALTER DATABASE analytics RENAME TO old;\n-- DROP DATABASE analytics;\n/* DROP DATABASE x; */\nSELECT 'DROP DATABASE x';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP DATABASE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP DATABASE analytics;\nEND\n$$;")).toEqual([at(3, 3, 3, 26)]);
  });
});

describe("drop-database: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DROP DATABASE analytics;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP DATABASE analytics deletes the database and everything in it, with no rollback");
    expect(finding!.help).toBe("Do not drop databases from a migration: back it up (pg_dump -Fc analytics), then drop it by hand once nothing uses it");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP DATABASE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_d;",
      "DROP DATABASE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_d WITH (FORCE);",
    ];
    expectFitsOnALine(rule, statements);
  });
});
