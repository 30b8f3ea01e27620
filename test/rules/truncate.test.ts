import { describe, expect, it } from "vitest";
import rule from "../../rules/truncate.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("truncate", () => {
  it("reports TRUNCATE with and without the TABLE keyword", () => {
    expect(findingsOf(rule, "SELECT 1;\nTRUNCATE events;\nTRUNCATE TABLE ONLY public.events;")).toEqual([at(2, 1, 2, 16), at(3, 1, 3, 34)]);
  });

  it("reports several tables in one finding naming them, with the lock and no rewrite", () => {
    const result = lintSql("TRUNCATE events, audit.log;", { rules: [rule] });
    expect(result.findings).toHaveLength(1);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^TRUNCATE events, audit\.log deletes every row of these tables for good/);
    expect(explanation).toContain("ACCESS EXCLUSIVE");
    expect(explanation).toContain("Nothing is scanned or rewritten");
    expect(explanation).not.toContain("CASCADE");
    expect(help).toContain("CREATE TABLE events_backup AS TABLE events");
    expect(explanation).toContain("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE <condition> LIMIT 1000)");
  });

  it("explains CASCADE and RESTART IDENTITY", () => {
    const result = lintSql("TRUNCATE audit.log RESTART IDENTITY CASCADE;", { rules: [rule] });
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toContain("CASCADE also empties every table with a foreign key to it");
    expect(explanation).toContain("RESTART IDENTITY resets the sequences");
    expect(help).toContain("CREATE TABLE audit.log_backup AS TABLE audit.log");
  });

  it("does not report a table created earlier in the file, and names only the others", () => {
    expect(findingsOf(rule, "CREATE TABLE tmp (id int);\nTRUNCATE tmp;")).toEqual([]);
    const result = lintSql("CREATE TABLE tmp (id int);\r\nTRUNCATE TABLE tmp, events CASCADE;", { rules: [rule] });
    expect(result.findings.map((f) => f.loc)).toEqual([{ start: { line: 2, column: 1 }, end: { line: 2, column: 35 } }]);
    expect(result.findings[0]!.explanation).toMatch(/^TRUNCATE events deletes every row of the table /);
  });

  it("reports a table truncated before the file creates it", () => {
    expect(findingsOf(rule, "TRUNCATE tmp;\nCREATE TABLE tmp (id int);")).toEqual([at(1, 1, 1, 13)]);
  });

  it("does not report a rollback emptying a table its forward migration created", () => {
    const files = { "db/006_imports.sql": "CREATE TABLE imports (id int);" };
    const filePath = "db/006_imports.rollback.sql";
    expect(findingsOf(rule, "TRUNCATE imports;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "TRUNCATE events;", { filePath, files })).toEqual([at(1, 1, 1, 16)]);
  });

  it("does not report text in comments and strings", () => {
    expect(findingsOf(rule, "-- TRUNCATE events;\n/* TRUNCATE events; */\nSELECT 'TRUNCATE events';\nDELETE FROM events;")).toEqual([]);
  });

  it("reports TRUNCATE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  TRUNCATE events;\nEND\n$$;")).toEqual([at(3, 3, 3, 18)]);
  });
});

describe("truncate: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("TRUNCATE events, event_tags;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("TRUNCATE events, event_tags deletes every row of these tables (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Delete only the rows that must go, in batches; to empty events, keep a copy first (CREATE TABLE events_backup AS TABLE events)");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "TRUNCATE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a, nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b RESTART IDENTITY CASCADE;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
