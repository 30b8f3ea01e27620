import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import changeColumnType from "../../rules/change-column-type.js";
import notNullWithoutBackfill from "../../rules/not-null-without-backfill.js";
import requireLockTimeout from "../../rules/require-lock-timeout.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { lintFile } from "../../src/embedded/lint-file.js";
import { createRunDiskAccess, diskAccess } from "../../src/engine/lint-source.js";
import type { LintOptions } from "../../src/engine/lint.js";
import type { Rule } from "../../src/engine/rule.js";
import { findingsOf, located } from "../helpers.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

/** A Flyway folder of migrations (file name → SQL), in a fresh temporary folder; returns the folder. */
function folderOf(files: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-history-"));
  folders.push(folder);
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), sql);
  return folder;
}

/** The findings of `rule` on one file of the folder, as a run over the folder lints it. */
function lintIn(folder: string, name: string, rule: Rule, options: Partial<LintOptions> = {}) {
  const result = lintFile(path.join(folder, name), { rules: [rule], settings: DEFAULT_SETTINGS, ...options }, createRunDiskAccess());
  return result.findings.map((finding) => ({ ...located(finding), message: `${finding.message}\n${finding.explanation ?? ""}` }));
}

const at = (line: number, column: number, endLine: number, endColumn: number, ruleId: string) => ({ ruleId, line, column, endLine, endColumn });

describe("change-column-type across the files of a folder", () => {
  const widen = "ALTER TABLE users ALTER COLUMN name TYPE varchar(255);\n";

  it("stays silent on a varchar widening whose old type an earlier migration set", () => {
    const folder = folderOf({ "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(64));\n", "V2__widen.sql": widen });
    expect(lintIn(folder, "V2__widen.sql", changeColumnType)).toEqual([]);
  });

  it("follows the runner's order (V10 after V9) and the renames of earlier migrations", () => {
    const folder = folderOf({
      "V9__users.sql": "CREATE TABLE people (id bigint PRIMARY KEY, full_name varchar(300));\n",
      "V10__rename.sql": "ALTER TABLE people RENAME TO users;\nALTER TABLE users RENAME COLUMN full_name TO name;\n",
      "V11__widen.sql": widen,
    });
    // varchar(300) to varchar(255) narrows: the message names the old type and the migration that set it.
    expect(lintIn(folder, "V11__widen.sql", changeColumnType)).toMatchObject([
      {
        ...at(1, 19, 1, 54, "change-column-type"),
        message: expect.stringContaining("name is varchar(300) (as the earlier migration V9__users.sql set it), and varchar(300) to varchar(255) is not a binary-compatible change."),
      },
    ]);
  });

  it("falls back to today's message when no earlier migration set the type, or one that did not parse touched it", () => {
    const alone = folderOf({ "V2__widen.sql": widen });
    const broken = folderOf({
      "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(64));\n",
      "V2__oops.sql": "ALTER TABLE users ALTER COLUMN name TYPE varchar(100) garbage;\n",
      "V3__widen.sql": widen,
    });
    for (const [folder, name] of [[alone, "V2__widen.sql"], [broken, "V3__widen.sql"]] as const) {
      expect(lintIn(folder, name, changeColumnType)).toMatchObject([
        { ...at(1, 19, 1, 54, "change-column-type"), message: expect.stringContaining("whose current type comes from an earlier migration") },
      ]);
    }
  });

  it("is today's behaviour for a file linted without a run (ESLint, one file)", () => {
    const folder = folderOf({ "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(64));\n", "V2__widen.sql": widen });
    const result = lintFile(path.join(folder, "V2__widen.sql"), { rules: [changeColumnType], settings: DEFAULT_SETTINGS }, diskAccess);
    expect(result.findings.map(located)).toMatchObject([at(1, 19, 1, 54, "change-column-type")]);
  });
});

describe("not-null-without-backfill across the files of a folder", () => {
  it("stays silent on SET NOT NULL of a column an earlier migration made NOT NULL: PostgreSQL does not scan again", () => {
    const folder = folderOf({
      "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);\n",
      "V2__not_null.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\n",
    });
    expect(lintIn(folder, "V2__not_null.sql", notNullWithoutBackfill)).toMatchObject([at(2, 19, 2, 49, "not-null-without-backfill")]);
  });

  it("reports it again after an earlier migration dropped the NOT NULL", () => {
    const folder = folderOf({
      "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
      "V2__nullable.sql": "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n",
      "V3__not_null.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
    });
    expect(lintIn(folder, "V3__not_null.sql", notNullWithoutBackfill)).toMatchObject([at(1, 19, 1, 50, "not-null-without-backfill")]);
  });
});

describe("a table created by an earlier migration of the same change", () => {
  const files = {
    "V1__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(10));\n",
    "V2__lines.sql": "CREATE TABLE order_lines (id bigint PRIMARY KEY, note varchar(10));\n",
    "V3__alter.sql": "ALTER TABLE order_lines ALTER COLUMN note TYPE integer USING note::integer;\nALTER TABLE orders ALTER COLUMN note TYPE integer USING note::integer;\n",
  };

  it("is new: its locks and rewrites are not reported, those of a table in production are", () => {
    const folder = folderOf(files);
    const change = ["V2__lines.sql", "V3__alter.sql"].map((name) => path.join(folder, name));
    expect(lintIn(folder, "V3__alter.sql", changeColumnType, { change })).toMatchObject([at(2, 20, 2, 70, "change-column-type")]);
    expect(lintIn(folder, "V3__alter.sql", requireLockTimeout, { change })).toMatchObject([at(2, 1, 2, 70, "require-lock-timeout")]);
  });

  it("is an old table without --changed-since or --staged", () => {
    const folder = folderOf(files);
    expect(lintIn(folder, "V3__alter.sql", changeColumnType)).toMatchObject([at(1, 25, 1, 75, "change-column-type"), at(2, 20, 2, 70, "change-column-type")]);
    expect(lintIn(folder, "V3__alter.sql", requireLockTimeout)).toMatchObject([at(1, 1, 1, 75, "require-lock-timeout")]);
  });
});

describe("not-null-without-backfill within one file", () => {
  it("reports the first SET NOT NULL of a column, not the same again later (PostgreSQL does nothing then)", () => {
    const sql = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n";
    expect(findingsOf(notNullWithoutBackfill, sql)).toMatchObject([at(1, 19, 1, 50, "not-null-without-backfill")]);
  });

  it("reports it again after a DROP NOT NULL", () => {
    const sql = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n";
    expect(findingsOf(notNullWithoutBackfill, sql)).toMatchObject([at(1, 19, 1, 50, "not-null-without-backfill"), at(3, 19, 3, 50, "not-null-without-backfill")]);
  });
});

describe("a foreign key an earlier migration created, dropped", () => {
  const setup =
    "CREATE TABLE apps (id bigint PRIMARY KEY);\nCREATE TABLE profiles (id bigint PRIMARY KEY, app_id bigint);\n" +
    "ALTER TABLE profiles ADD CONSTRAINT profiles_apps_app FOREIGN KEY (app_id) REFERENCES apps (id);\n" +
    "CREATE TABLE orders (id bigint, app_id bigint REFERENCES apps);\n";

  it("locks the table it references ACCESS EXCLUSIVE, under the name the key was given or the one PostgreSQL gave it", () => {
    // Found by verify on openmeter's history (Atlas names its keys): the lock facts said nothing of apps.
    const folder = folderOf({
      "V1__init.sql": setup,
      "V2__drop.sql": "ALTER TABLE profiles DROP CONSTRAINT profiles_apps_app;\n",
      "V3__drop.sql": "ALTER TABLE orders DROP CONSTRAINT orders_app_id_fkey;\n",
    });
    for (const [file, table] of [["V2__drop.sql", "profiles"], ["V3__drop.sql", "orders"]] as const) {
      const [finding] = lintIn(folder, file, requireLockTimeout);
      expect(finding?.message).toContain(`ALTER TABLE ${table} takes an ACCESS EXCLUSIVE lock on ${table}`);
      expect(finding?.message).toContain("It also takes an ACCESS EXCLUSIVE lock on apps");
    }
  });

  it("locks the table a dropped key referenced when a key of the same name added back references another (openmeter)", () => {
    const folder = folderOf({
      "V1__init.sql": setup,
      "V2__swap.sql": "ALTER TABLE profiles DROP CONSTRAINT profiles_apps_app, ADD CONSTRAINT profiles_apps_app FOREIGN KEY (id) REFERENCES profiles (id);\n",
    });
    expect(lintIn(folder, "V2__swap.sql", requireLockTimeout)[0]?.message).toContain("It also takes an ACCESS EXCLUSIVE lock on apps");
  });

  it("follows a renamed key and a renamed table, and forgets a key dropped since", () => {
    const folder = folderOf({
      "V1__init.sql": setup,
      "V2__rename.sql": "ALTER TABLE profiles RENAME CONSTRAINT profiles_apps_app TO profiles_app;\nALTER TABLE apps RENAME TO applications;\n",
      "V3__drop.sql": "ALTER TABLE profiles DROP CONSTRAINT profiles_app;\n",
      "V4__readd.sql": "ALTER TABLE profiles DROP CONSTRAINT IF EXISTS profiles_app;\n",
    });
    expect(lintIn(folder, "V3__drop.sql", requireLockTimeout)[0]?.message).toContain("It also takes an ACCESS EXCLUSIVE lock on applications");
    expect(lintIn(folder, "V4__readd.sql", requireLockTimeout)[0]?.message).not.toContain("It also takes");
  });
});
