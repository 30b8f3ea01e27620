import { describe, expect, it } from "vitest";
import rule from "../../rules/standard-conforming-strings-off.js";
import { expectDocsExamples, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at, withSettings } = ruleTestKit(rule);

describe("standard-conforming-strings-off", () => {
  it("reports SET … off in every form PostgreSQL takes", () => {
    const sql = [
      "SET standard_conforming_strings = off;",
      "SET standard_conforming_strings TO 'false';",
      "SET SESSION standard_conforming_strings = 0;",
      "SET LOCAL Standard_Conforming_Strings = of;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 38), at(2, 1, 2, 43), at(3, 1, 3, 44), at(4, 1, 4, 43)]);
  });

  it("reports set_config(…, 'off', …), also in a DO block", () => {
    expect(findingsOf(rule, "SELECT 1;\nSELECT set_config('standard_conforming_strings', 'off', false);")).toEqual([at(2, 1, 2, 63)]);
    expect(findingsOf(rule, "DO $$ BEGIN SET standard_conforming_strings = off; END $$;")).toEqual([at(1, 13, 1, 50)]);
  });

  it("explains what changes and how to write escapes instead", () => {
    const { message, help, explanation } = lintSql("SET standard_conforming_strings = off;", { rules: [rule] }).findings[0]!;
    expect(message).toBe("This turns standard_conforming_strings off: later '...' strings read backslashes as escapes");
    expect(help).toBe("Leave standard_conforming_strings on, and write escapes explicitly: E'it\\'s' or 'it''s', E'C:\\\\path' or 'C:\\path'");
    expect(explanation).toContain("reads a backslash in a '...' string as an escape");
    expect(help).toContain("E'it\\'s'");
  });

  it("stays silent when the setting is turned on, reset, or changed for other sessions, and for other settings", () => {
    const sql = [
      "SET standard_conforming_strings = on;",
      "RESET standard_conforming_strings;",
      "SET standard_conforming_strings TO DEFAULT;",
      "ALTER DATABASE app SET standard_conforming_strings = off;",
      "SET escape_string_warning = off;",
      "SELECT set_config('standard_conforming_strings', 'on', false), set_config('search_path', 'off', false);",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
    expect(withSettings("SELECT 'a\\';", { standardConformingStrings: false })).toEqual([]);
  });

  it("reports the examples of its docs page, and none of the safe ones", () => {
    expectDocsExamples(rule);
  });

  it("keeps the message within 100 characters, whatever the statement", () => {
    const sqls = ["SET LOCAL standard_conforming_strings TO off;", `SELECT set_config('standard_conforming_strings', 'off', false) AS ${"n".repeat(60)};`];
    for (const sql of sqls) {
      const { findings } = lintSql(sql, { rules: [rule] });
      expect(findings).toHaveLength(1);
      expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
    }
  });
});
