import { describe, expect, it } from "vitest";
import rule from "../../rules/change-default.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const SET = "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';";
const DROP = "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;";

describe("change-default", () => {
  it("reports SET DEFAULT and DROP DEFAULT on an existing column at the action", () => {
    expect(findingsOf(rule, `SELECT 1;\n${SET}\n${DROP.replace("status", "tier")}`)).toEqual([at(2, 19, 2, 59), at(3, 19, 3, 49)]);
  });

  it("says that existing rows keep their values, names the lock, and gives the explicit backfill", () => {
    const [finding] = lintSql("ALTER TABLE public.users ALTER status SET DEFAULT 'active'::text;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("SET DEFAULT 'active'::text on public.users.status only affects new rows, not existing ones");
    expect(finding!.help).toBe(
      "If existing rows should change too, backfill them in batches: UPDATE public.users SET status = 'active'::text WHERE status IS DISTINCT FROM 'active'::text AND id BETWEEN … AND …",
    );
    expect(finding!.explanation).toMatch(/^ALTER TABLE public\.users ALTER COLUMN status SET DEFAULT 'active'::text only changes what rows inserted from now on get/);
    expect(finding!.explanation).toContain("the existing rows of public.users keep the values they have");
    expect(finding!.explanation).toContain("catalog-only (no rewrite, no scan)");
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE");
    expect(finding!.explanation).toContain("UPDATE public.users SET status = 'active'::text WHERE status IS DISTINCT FROM 'active'::text AND id BETWEEN … AND …;");
  });

  it("leaves the row filter to the author when the default is not a constant", () => {
    const [finding] = lintSql("ALTER TABLE users ALTER COLUMN created_at SET DEFAULT now();", { rules: [rule] }).findings;
    expect(finding!.message).toBe("SET DEFAULT now() on users.created_at only affects new rows, not existing ones");
    expect(finding!.help).toBe("If existing rows should change too, backfill them in batches: UPDATE users SET created_at = now() WHERE <rows that should change> AND id BETWEEN … AND …");
  });

  it("warns that DROP DEFAULT makes inserts that omit the column store NULL or fail", () => {
    const [finding] = lintSql(DROP, { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP DEFAULT on users.status: INSERTs that omit status now store NULL, or fail if NOT NULL");
    expect(finding!.help).toBe("Deploy code that always sets status on INSERT before dropping its default");
    expect(finding!.explanation).toMatch(/^ALTER TABLE users ALTER COLUMN status DROP DEFAULT only changes rows inserted from now on/);
    expect(finding!.explanation).toContain("every INSERT that omits status now stores NULL instead of the default, or fails if status is NOT NULL");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_column_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} ALTER COLUMN ${long} SET DEFAULT '{"kind": "a rather long json document", "with": ["several", "values"]}'::jsonb;`,
      `ALTER TABLE app.${long} ALTER COLUMN ${long} DROP DEFAULT;`,
    ];
    for (const sql of sqls) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("does not report a SET DEFAULT whose file also updates the column, as the docs page suggests", () => {
    expect(findingsOf(rule, `${SET}\nUPDATE users SET status = 'active' WHERE status IS NULL AND id BETWEEN 1 AND 10000;`)).toEqual([]);
    expect(findingsOf(rule, `UPDATE users SET status = 'active' WHERE status IS NULL;\n${SET}`)).toEqual([]);
    expect(findingsOf(rule, `${SET}\nDO $$\nBEGIN\n  UPDATE users SET status = 'active' WHERE status IS NULL;\nEND\n$$;`)).toEqual([]);
    expect(findingsOf(rule, `${SET}\nUPDATE users SET name = 'x';\nUPDATE accounts SET status = 'active';`)).toEqual([at(1, 19, 1, 59)]);
  });

  it("reports each action of a multi-action ALTER TABLE at its own place", () => {
    const sql = "ALTER TABLE users\n  ALTER COLUMN a SET DEFAULT 0,\n  ADD COLUMN note text,\n  ALTER b DROP DEFAULT;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 31), at(4, 3, 4, 23)]);
  });

  it("does not report a column or table created earlier in the file, or by the same statement", () => {
    expect(findingsOf(rule, `ALTER TABLE users ADD COLUMN status text;\nUPDATE users SET status = 'active';\n${SET}`)).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE users ADD COLUMN status text, ALTER COLUMN status SET DEFAULT 'active';")).toEqual([]);
    expect(findingsOf(rule, `CREATE TABLE users (id int, status text);\n${SET}\n${DROP}`)).toEqual([]);
  });

  it("reports a column added after the statement", () => {
    expect(findingsOf(rule, `${SET}\nALTER TABLE users ADD COLUMN status text;`)).toEqual([at(1, 19, 1, 59)]);
  });

  it("does not report a default dropped around a type change and set again", () => {
    const sql = [
      DROP,
      "ALTER TABLE users ALTER COLUMN status TYPE status_enum USING status::status_enum;",
      "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
    const oneStatement = "ALTER TABLE users ALTER status DROP DEFAULT, ALTER status TYPE status_enum USING status::status_enum, ALTER status SET DEFAULT 'active';";
    expect(findingsOf(rule, oneStatement)).toEqual([]);
  });

  it("follows the table through a rename, and resolves its name through search_path", () => {
    const renamed = [
      DROP,
      "ALTER TABLE users RENAME TO members;",
      "ALTER TABLE members ALTER COLUMN status TYPE status_enum USING status::status_enum;",
      "ALTER TABLE members ALTER COLUMN status SET DEFAULT 'active';",
    ].join("\n");
    expect(findingsOf(rule, renamed)).toEqual([]);
    expect(findingsOf(rule, `SET search_path TO app;\n${SET}\nUPDATE app.users SET status = 'active';`)).toEqual([]);
    expect(findingsOf(rule, `${SET}\nUPDATE app.users SET status = 'active';`)).toEqual([at(1, 19, 1, 59)]);
  });

  it("still reports a new default after DROP DEFAULT without a type change", () => {
    expect(findingsOf(rule, `${DROP}\n${SET}`)).toEqual([at(2, 19, 2, 59)]);
  });

  it("does not report a rollback: it puts back the default the forward migration changed, for the code that ran before it", () => {
    const files = { "db/004_status.up.sql": "ALTER TABLE users ADD COLUMN status text DEFAULT 'new';" };
    expect(findingsOf(rule, DROP, { filePath: "db/004_status.down.sql", files })).toEqual([]);
    expect(findingsOf(rule, DROP.replace("status", "tier"), { filePath: "db/004_status.down.sql", files })).toEqual([]);
    const upFiles = { "db/005_tier.up.sql": "ALTER TABLE users ALTER COLUMN tier SET DEFAULT 2;" };
    expect(findingsOf(rule, "ALTER TABLE users ALTER COLUMN tier SET DEFAULT 1;", { filePath: "db/005_tier.down.sql", files: upFiles })).toEqual([]);
    const goose = "-- +goose Up\nALTER TABLE users ALTER COLUMN tier SET DEFAULT 2;\n-- +goose Down\nALTER TABLE users ALTER COLUMN tier SET DEFAULT 1;";
    expect(findingsOf(rule, goose)).toEqual([at(2, 19, 2, 50)]);
  });

  it("does not report a column the migration drops or renames to a …deprecated name later", () => {
    expect(findingsOf(rule, `${DROP}\nALTER TABLE users DROP COLUMN status;`)).toEqual([]);
    expect(findingsOf(rule, `${DROP}\nALTER TABLE users RENAME COLUMN status TO status_deprecated;`)).toEqual([]);
    expect(findingsOf(rule, `${SET}\nALTER TABLE users RENAME COLUMN status TO "statusDeprecated";\nALTER TABLE users ADD COLUMN status text;`)).toEqual([]);
    expect(findingsOf(rule, `${DROP}\nDROP TABLE users;`)).toEqual([]);
    // Renamed to another name, another column dropped, or dropped only in the down section: still reported.
    expect(findingsOf(rule, `${DROP}\nALTER TABLE users RENAME COLUMN status TO state;`)).toEqual([at(1, 19, 1, 51)]);
    expect(findingsOf(rule, `ALTER TABLE users DROP COLUMN tier;\n${DROP}`)).toEqual([at(2, 19, 2, 51)]);
    const goose = `-- +goose Up\n${DROP}\n-- +goose Down\nALTER TABLE users DROP COLUMN status;`;
    expect(findingsOf(rule, goose)).toEqual([at(2, 19, 2, 51)]);
  });

  it("does not report a default set only for a while: the migration drops it again", () => {
    const sql = "ALTER TABLE lines ALTER COLUMN amount SET DEFAULT 0, ALTER COLUMN amount SET NOT NULL;\nALTER TABLE lines ALTER COLUMN amount DROP DEFAULT;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 19, 2, 51)]);
  });

  it("does not report other tables' kinds or other actions", () => {
    expect(findingsOf(rule, "ALTER VIEW v ALTER COLUMN a SET DEFAULT 1;\nALTER TABLE users ALTER COLUMN a SET NOT NULL;")).toEqual([]);
  });

  it("reports a default changed by a DO block at its place in the body", () => {
    expect(findingsOf(rule, `DO $$\nBEGIN\n  ${SET}\nEND\n$$;`)).toEqual([at(3, 21, 3, 61)]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, `-- ${SET}\n/* ${DROP} */\nSELECT '${DROP}';`)).toEqual([]);
  });
});
