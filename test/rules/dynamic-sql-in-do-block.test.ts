import { describe, expect, it } from "vitest";
import rule from "../../rules/dynamic-sql-in-do-block.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("dynamic-sql-in-do-block", () => {
  it("reports EXECUTE at its query expression", () => {
    const sql = "SELECT 1;\nDO $$\nBEGIN\n  EXECUTE format('DROP TABLE %I', 'users_old');\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 11, 4, 47)]);
  });

  it("quotes the generated SQL in a short message, with a one-line help and the why in the explanation", () => {
    const sql = "DO $$\nBEGIN\n  EXECUTE format('DROP TABLE %I', 'users_old');\nEND\n$$;";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("DO block EXECUTEs SQL built at run time, not checked: format('DROP TABLE %I', 'users_old')");
    expect(finding!.help).toBe("Write the statements out, one per object, so each is checked; or render the SQL with SELECT format(…) and run migsafe on it");
    expect(finding!.explanation).toContain("(format('DROP TABLE %I', 'users_old'))");
    expect(finding!.explanation).toContain("which locks it takes");
    expect(finding!.explanation).toContain("SELECT format(…) instead of EXECUTE");
  });

  it("shortens a long generated statement in the message, which stays within 100 characters", () => {
    const long = `'ALTER TABLE ' || quote_ident(t) || ' ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()'`;
    const sql = `DO $$\nDECLARE t text := 'users';\nBEGIN\n  EXECUTE ${long};\nEND\n$$;`;
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("DO block EXECUTEs SQL built at run time, not checked: 'ALTER TABLE ' || quote_ident(t) || ' ADD COL…");
    expect(finding!.message.length).toBeLessThanOrEqual(100);
    expect(finding!.explanation).toContain(long);
    const name = "x".repeat(60);
    const longNames = `DO $$\nBEGIN\n  EXECUTE format('ALTER TABLE %I ADD COLUMN ${name} integer', '${name}');\nEND\n$$;`;
    for (const one of lintSql(longNames, { rules: [rule] }).findings) {
      expect(one.message.length).toBeLessThanOrEqual(100);
      expect(one.help.length).toBeLessThanOrEqual(160);
    }
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
    // The constant SELECT and TRUNCATE are checked as statements of the block; the DROP's table is known at run time only.
    expect(findingsOf(rule, sql)).toEqual([at(7, 15, 7, 56)]);
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
    const sql = "\uFEFF-- nettoyage des tables « tmp » 🧹\r\nDO $$\r\nBEGIN\r\n  -- été\r\n  EXECUTE 'DROP TABLE tmp_été_' || suffixe;\r\nEND\r\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(5, 11, 5, 43)]);
  });

  it("checks the EXECUTE of a constant string like the block's other statements, at its place in the file", () => {
    const sql = "\uFEFF-- été 🧹\r\nDO $$\r\nBEGIN\r\n  EXECUTE 'DROP TABLE tmp_été';\r\nEND\r\n$$;";
    expect(findingsOf(rule, sql)).toEqual([]);
    const [drop] = lintSql(sql).findings.filter((finding) => finding.ruleId === "drop-table");
    expect([drop!.loc.start.line, drop!.loc.start.column, drop!.loc.end.column]).toEqual([4, 12, 30]);
    // Doubled quotes and concatenated literals: the statement stands at the EXECUTE's expression.
    const unusual = "DO $$\nBEGIN\n  EXECUTE 'DROP TABLE ' || 'legacy';\n  EXECUTE 'DROP TABLE \"it''s\"';\nEND\n$$;";
    expect(findingsOf(rule, unusual)).toEqual([]);
    const drops = lintSql(unusual).findings.filter((finding) => finding.ruleId === "drop-table");
    expect(drops.map((finding) => [finding.loc.start.line, finding.loc.start.column, finding.message.split(" deletes")[0]])).toEqual([
      [3, 11, "DROP TABLE legacy"],
      [4, 11, 'DROP TABLE "it\'s"'],
    ]);
  });

  it("does not report an EXECUTE that only reads or renames: format() templates, concatenations, and variables assigned them", () => {
    const reads = "DO $$\nDECLARE n bigint;\nBEGIN\n  EXECUTE format('SELECT count(*) FROM %I', t) INTO n;\n  EXECUTE 'SELECT max(id) FROM ' || quote_ident(t) INTO n;\nEND\n$$;";
    expect(findingsOf(rule, reads)).toEqual([]);
    const renames = [
      "DO $$",
      "DECLARE r record; rename_sql text;",
      "BEGIN",
      "  FOR r IN SELECT relname FROM pg_class WHERE relname LIKE '%_new' LOOP",
      "    rename_sql := format('ALTER TABLE %I RENAME TO %I', r.relname, regexp_replace(r.relname, '_new$', ''));",
      "    EXECUTE rename_sql;",
      "    rename_sql := format('ALTER INDEX %I RENAME TO %I', r.relname || '_idx', 'x');",
      "    EXECUTE rename_sql;",
      "    EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', r.relname, 'a', 'b');",
      "  END LOOP;",
      "END",
      "$$;",
    ].join("\n");
    expect(findingsOf(rule, renames)).toEqual([]);
  });

  it("reports an EXECUTE that may do more than read or rename, or whose SQL it cannot see", () => {
    const sql = [
      "DO $$",
      "DECLARE s text; t text;",
      "BEGIN",
      "  s := format('ALTER TABLE %I RENAME TO %I', t, 'b');",
      "  IF t = 'x' THEN s := format('DROP TABLE %I', t); END IF;",
      "  EXECUTE s;",
      "  EXECUTE format('ALTER TABLE %I SET LOGGED', t);",
      "  EXECUTE format('SELECT * INTO %I FROM t', t);",
      "  EXECUTE t;",
      "  EXECUTE format('%s', t);",
      "END",
      "$$;",
    ].join("\n");
    expect(findingsOf(rule, sql).map((finding) => finding.line)).toEqual([6, 7, 8, 9, 10]);
  });
});
