import { describe, expect, it } from "vitest";
import rule from "../../rules/dynamic-sql-in-do-block.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("dynamic-sql-in-do-block", () => {
  it("reports EXECUTE at its query expression", () => {
    const sql = "SELECT 1;\nDO $$\nBEGIN\n  EXECUTE format('DROP TABLE %I', 'users_old');\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 11, 4, 47)]);
  });

  it("quotes the generated SQL and says what cannot be checked, with a concrete help", () => {
    const sql = "DO $$\nBEGIN\n  EXECUTE format('DROP TABLE %I', 'users_old');\nEND\n$$;";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toContain("(format('DROP TABLE %I', 'users_old'))");
    expect(finding!.message).toContain("locks");
    expect(finding!.help).toContain("Write the statements out");
    expect(finding!.help).toContain("SELECT format(…)");
  });

  it("shortens a long generated statement in the message", () => {
    const long = `'ALTER TABLE ' || quote_ident(t) || ' ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()'`;
    const sql = `DO $$\nDECLARE t text := 'users';\nBEGIN\n  EXECUTE ${long};\nEND\n$$;`;
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toContain("('ALTER TABLE ' || quote_ident(t) || ' ADD COLUMN created_at…)");
  });

  it("reports every EXECUTE, FOR … IN EXECUTE and nested blocks included, each at its place", () => {
    const sql = [
      "DO $body$",
      "DECLARE",
      "  r record;",
      "BEGIN",
      "  FOR r IN EXECUTE 'SELECT tablename FROM pg_tables' LOOP",
      "    IF r.tablename LIKE 'tmp_%' THEN",
      "      EXECUTE 'DROP TABLE ' || quote_ident(r.tablename);",
      "    END IF;",
      "  END LOOP;",
      "  BEGIN",
      "    EXECUTE 'TRUNCATE audit';",
      "  END;",
      "END",
      "$body$;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(5, 20, 5, 53), at(7, 15, 7, 56), at(11, 13, 11, 29)]);
  });

  it("does not report plain SQL in a DO block, PERFORM, or EXECUTE of a prepared statement", () => {
    const sql = "PREPARE q AS SELECT 1;\nEXECUTE q;\nDO $$\nBEGIN\n  UPDATE users SET a = 1;\n  PERFORM pg_sleep(0);\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report EXECUTE in comments, strings, or a function body", () => {
    const sql = [
      "-- DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;",
      "/* DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$; */",
      "SELECT 'DO $$ BEGIN EXECUTE ''DROP TABLE users''; END $$;';",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT 1'; END $$;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- nettoyage des tables « tmp » 🧹\r\nDO $$\r\nBEGIN\r\n  -- été\r\n  EXECUTE 'DROP TABLE tmp_été';\r\nEND\r\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(5, 11, 5, 31)]);
  });
});
