import { describe, expect, it } from "vitest";
import rule from "../../rules/domain-constraint.js";
import { docsSqlBlocks, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

/** The SQL blocks of a section of the rule's docs page. */
const docsSql = (section: string): string => docsSqlBlocks("domain-constraint", section).join("\n");

describe("domain-constraint", () => {
  it("reports ALTER DOMAIN … ADD CONSTRAINT … CHECK with the SHARE locks on every table using the domain", () => {
    const sql = "ALTER DOMAIN public.posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0);";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 76)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER DOMAIN public.posint ADD CONSTRAINT posint_positive blocks writes to its tables (SHARE)");
    expect(finding!.help).toBe(
      "Add it NOT VALID (ALTER DOMAIN public.posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0) NOT VALID), then VALIDATE CONSTRAINT posint_positive in a separate transaction",
    );
    expect(finding!.explanation).toMatch(
      /^ALTER DOMAIN public\.posint ADD CONSTRAINT posint_positive CHECK \(…\) checks every stored value of every column of type public\.posint, in every table that uses the domain/,
    );
    expect(finding!.explanation).toContain("SHARE lock on each of those tables, which blocks INSERT, UPDATE and DELETE on the table; reads go on");
    expect(finding!.explanation).toContain("ALTER DOMAIN public.posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0) NOT VALID;");
    expect(finding!.explanation).toContain("ALTER DOMAIN public.posint VALIDATE CONSTRAINT posint_positive;");
    expect(finding!.explanation).toContain("Up to PostgreSQL 18, VALIDATE still holds SHARE");
    const steps = "ALTER DOMAIN public.posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0) NOT VALID;";
    expect(lintSql(steps, { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, steps)).toEqual([]);
  });

  it("names an unnamed check and keeps its condition on one line", () => {
    const [finding] = lintSql("ALTER DOMAIN d ADD CHECK (\n  VALUE > 0 -- positive\n  AND VALUE < 100\n);", { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER DOMAIN d ADD CHECK blocks writes to every table using d (SHARE)");
    expect(finding!.help).toBe("Add it NOT VALID (ALTER DOMAIN d ADD CONSTRAINT d_check CHECK (VALUE > 0 AND VALUE < 100) NOT VALID), then VALIDATE CONSTRAINT d_check in a separate transaction");
  });

  it("reports SET NOT NULL and ADD … NOT NULL, which cannot be NOT VALID, advising NOT NULL on the columns", () => {
    const sql = "ALTER DOMAIN email SET NOT NULL;\nALTER DOMAIN email ADD CONSTRAINT email_nn NOT NULL;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 32), at(2, 1, 2, 52)]);
    const [set, add] = lintSql(sql, { rules: [rule] }).findings;
    expect(set!.message).toBe("ALTER DOMAIN email SET NOT NULL blocks writes to every table using email (SHARE)");
    expect(set!.help).toBe(
      "Put NOT NULL on the columns instead, or ALTER DOMAIN email ADD CONSTRAINT email_not_null CHECK (VALUE IS NOT NULL) NOT VALID and validate it later",
    );
    expect(set!.explanation).toMatch(/^ALTER DOMAIN email SET NOT NULL checks every stored value/);
    expect(set!.explanation).toContain("put NOT NULL on the columns instead");
    expect(set!.explanation).toContain("ALTER DOMAIN email ADD CONSTRAINT email_not_null CHECK (VALUE IS NOT NULL) NOT VALID;");
    expect(add!.message).toBe("ALTER DOMAIN email ADD CONSTRAINT email_nn NOT NULL blocks writes to every table using email (SHARE)");
    expect(add!.explanation).toMatch(/^ALTER DOMAIN email ADD CONSTRAINT email_nn NOT NULL checks/);
    expect(add!.explanation).toContain("ALTER DOMAIN email ADD CONSTRAINT email_nn CHECK (VALUE IS NOT NULL) NOT VALID;");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_domain_that_keeps_going_and_on";
    const sqls = [
      `ALTER DOMAIN app.${long} ADD CONSTRAINT ${long}_check CHECK (VALUE ~ '^[0-9]{5}$' AND length(VALUE) < 100 AND VALUE <> '00000');`,
      `ALTER DOMAIN app.${long} SET NOT NULL;`,
      `ALTER DOMAIN ${long} ADD CONSTRAINT ${long}_nn NOT NULL;`,
    ];
    for (const sql of sqls) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("does not report CREATE DOMAIN, NOT VALID checks, VALIDATE, or the other ALTER DOMAIN forms", () => {
    const sql = [
      "CREATE DOMAIN us_zip AS text CHECK (VALUE ~ '^[0-9]{5}$') NOT NULL;",
      "ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;",
      "ALTER DOMAIN posint VALIDATE CONSTRAINT pos;",
      "ALTER DOMAIN posint DROP NOT NULL;",
      "ALTER DOMAIN posint SET DEFAULT 1;",
      "ALTER DOMAIN posint DROP CONSTRAINT pos;",
      "ALTER DOMAIN posint RENAME CONSTRAINT pos TO positive;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report the safe alternative of the docs page, and reports its example", () => {
    expect(lintSql(docsSql("Use instead"), { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, docsSql("Use instead"))).toEqual([]);
    expect(findingsOf(rule, docsSql("Example")).length).toBeGreaterThan(0);
  });

  it("does not report a domain created earlier in the file, and reports one created after", () => {
    const sql = "CREATE DOMAIN posint AS int;\nCREATE TABLE t (v posint);\nALTER DOMAIN posint ADD CHECK (VALUE > 0);\nALTER DOMAIN public.posint SET NOT NULL;";
    expect(findingsOf(rule, sql)).toEqual([]);
    expect(findingsOf(rule, "ALTER DOMAIN posint SET NOT NULL;\nCREATE DOMAIN posint AS int;")).toEqual([at(1, 1, 1, 33)]);
    expect(findingsOf(rule, "CREATE DOMAIN other.posint AS int;\nALTER DOMAIN posint SET NOT NULL;")).toEqual([at(2, 1, 2, 33)]);
  });

  it("reports statements run by a DO block at their place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER DOMAIN d ADD CHECK (VALUE > 0);\nEND\n$$;")).toEqual([at(3, 3, 3, 39)]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- domaine « d » 🎉\r\nCOMMENT ON TABLE t IS 'été';\r\nALTER DOMAIN d\r\n  ADD CHECK (VALUE > 0);";
    expect(findingsOf(rule, sql)).toEqual([at(3, 1, 4, 24)]);
  });

  it("does not report SQL in comments and strings", () => {
    const sql = "-- ALTER DOMAIN d ADD CHECK (VALUE > 0);\n/* ALTER DOMAIN d SET NOT NULL; */\nSELECT 'ALTER DOMAIN d ADD CHECK (VALUE > 0);';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});
