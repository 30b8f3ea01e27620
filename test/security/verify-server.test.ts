/**
 * migsafe verify on a real server (MIGSAFE_TEST_DATABASE_URL, a superuser; scripts/ci-postgres.sh): a hostile
 * migration cannot act outside the scratch database (issue 14), the migrations run as an unprivileged role,
 * every statement is bounded by --timeout, the scratch database's drop error is reported, and a migration that
 * ends its session is a verify-error of its file.
 */
import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, testDatabaseUrl, testMissingServer, uniqueName, withUrl } from "../verify/server.js";
import { migrations, verifyFindings, verifyJson } from "./verify-helpers.js";

const url = testDatabaseUrl();

describe("verify on a server", () => {
  if (!url) {
    testMissingServer("verify's attacks on a server");
    return;
  }
  let admin: pg.Client;
  const victim = uniqueName("migsafe_victim_");
  const evil = uniqueName("migsafe_evil_");
  const proof = path.join(fs.mkdtempSync("/tmp/migsafe-verify-"), "pwned");
  let victimUrl: string;

  beforeAll(async () => {
    admin = await connectClient(url);
    await admin.query(`CREATE DATABASE ${victim} TEMPLATE template0`);
    const data = await connectClient(withUrl(url, { database: victim }));
    await data.query("CREATE TABLE precious (id int); INSERT INTO precious VALUES (1), (2)");
    await data.end();
    victimUrl = withUrl(url, { database: victim });
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${victim} WITH (FORCE)`);
    for (const role of [evil, `${evil}_2`]) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query("ALTER SYSTEM RESET work_mem");
    await admin.end();
  });

  const scratchOf = (stderr: string) => /scratch database (migsafe_verify_[0-9a-f]+)/.exec(stderr)?.[1];
  const exists = async (catalog: "pg_database" | "pg_roles", name: string) =>
    (await admin.query(`SELECT 1 FROM ${catalog} WHERE ${catalog === "pg_database" ? "datname" : "rolname"} = $1`, [name])).rowCount === 1;

  it("runs no shell command, creates no role, changes no setting and drops no database; reports each statement and checks the rest", async () => {
    const dir = migrations({
      "001_attack.sql": [
        `COPY (SELECT 1) TO PROGRAM 'id > ${proof}';`,
        `CREATE ROLE ${evil} SUPERUSER;`,
        "ALTER SYSTEM SET work_mem = '77MB';",
        `DROP DATABASE IF EXISTS ${victim} WITH (FORCE);`,
        `DO $$ BEGIN EXECUTE 'CREATE ROLE ${evil}_2'; END $$;`,
        "CREATE TABLE checked (id int);",
        "ALTER TABLE checked ADD COLUMN ref int REFERENCES missing (id);",
        "",
      ].join("\n"),
    });
    const result = await verifyJson(["--database-url", victimUrl, dir]);
    expect(verifyFindings(result.findings).map((finding) => [finding.line, finding.ruleId])).toEqual([
      [1, "verify-refused"],
      [2, "verify-refused"],
      [3, "verify-refused"],
      [4, "verify-refused"],
      [5, "verify-refused"],
      [7, "verify-error"],
    ]);
    expect(result.exitCode).toBe(1);
    expect(fs.existsSync(proof)).toBe(false);
    expect(await exists("pg_roles", evil)).toBe(false);
    expect(await exists("pg_roles", `${evil}_2`)).toBe(false);
    expect((await admin.query("SELECT 1 FROM pg_file_settings WHERE name = 'work_mem'")).rowCount).toBe(0);
    const data = await connectClient(victimUrl);
    expect((await data.query("SELECT count(*)::int AS n FROM precious")).rows[0].n).toBe(2);
    await data.end();
    expect(await exists("pg_database", scratchOf(result.stderr)!)).toBe(false);
    expect(result.stderr).toMatch(/verified 1 migration on .*; 1 did not apply\n/);
  }, 60_000);

  it("runs the migrations of a superuser's URL as a fresh unprivileged role that owns the scratch database, and drops it", async () => {
    const dir = migrations({
      "001_who.sql": "CREATE TABLE who AS SELECT current_user AS name, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super;\n",
      "002_check.sql": "DO $$ BEGIN IF (SELECT super FROM who) THEN RAISE EXCEPTION 'ran as a superuser'; END IF; END $$;\nRESET ALL;\nDO $$ BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN RAISE EXCEPTION 'superuser again'; END IF; END $$;\n",
    });
    const result = await verifyJson(["--database-url", url, dir]);
    expect(verifyFindings(result.findings)).toEqual([]);
    const scratch = scratchOf(result.stderr)!;
    expect(result.stderr).toContain(`is a superuser: verify runs the migrations as ${scratch}, a role it created with no privilege but owning the scratch database, and drops it at the end`);
    expect(await exists("pg_roles", scratch)).toBe(false);
    expect(await exists("pg_database", scratch)).toBe(false);
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it("ends a statement that runs past --timeout, even when the migration turns statement_timeout off", async () => {
    const dir = migrations({
      "001_sleep.sql": "SELECT pg_sleep(3600);\n",
      "002_no_timeout.sql": "SET statement_timeout = 0;\nSELECT pg_sleep(3600);\n",
      "003_after.sql": "CREATE TABLE after_timeouts (id int);\n",
    });
    const started = Date.now();
    const result = await verifyJson(["--database-url", url, "--timeout", "1", dir]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(verifyFindings(result.findings).map((finding) => [finding.file, finding.line, finding.ruleId, finding.message.replace(/ An earlier.*/, "")])).toEqual([
      ["001_sleep.sql", 1, "verify-error", "PostgreSQL 15 rejects this statement: canceling statement due to statement timeout (SQLSTATE 57014)."],
      ["002_no_timeout.sql", 2, "verify-error", "PostgreSQL 15 rejects this statement: canceling statement: the statement ran longer than --timeout (1 s) (SQLSTATE 57014). Its transaction (from line 1) was rolled back."],
    ]);
    expect(await exists("pg_database", scratchOf(result.stderr)!)).toBe(false);
  }, 60_000);

  it("reports a migration that ends its own session as a verify-error of that file, and runs the next ones", async () => {
    const marker = uniqueName("marker_");
    const dir = migrations({
      "001_refused.sql": "SELECT pg_terminate_backend(pg_backend_pid());\n",
      "002_killed.sql": `SELECT pg_sleep(20), '${marker}';\n`,
      "003_after.sql": "CREATE TABLE after_kill (id int);\nALTER TABLE after_kill ADD COLUMN x int REFERENCES missing (id);\n",
    });
    const running = verifyJson(["--database-url", url, dir]);
    // The session ends from outside, as a migration that terminated itself by means verify cannot see would end it.
    for (let tries = 0; tries < 200; tries++) {
      const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()", [`%'${marker}'%`]);
      if (killed.rowCount) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const result = await running;
    expect(verifyFindings(result.findings).map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ["001_refused.sql", 1, "verify-refused"],
      ["002_killed.sql", 1, "verify-error"],
      ["003_after.sql", 2, "verify-error"],
    ]);
    expect(verifyFindings(result.findings)[1]!.message).toMatch(/terminating connection due to administrator command \(SQLSTATE 57P01\)/);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(1);
  }, 60_000);

  it("reports the scratch database it could not drop, with the statement to drop it by hand, and exits 2", async () => {
    const marker = uniqueName("marker_");
    const dir = migrations({ "001_slow.sql": `SELECT pg_sleep(3), '${marker}';\n` });
    const running = verifyJson(["--database-url", url, dir]);
    let scratch: string | undefined;
    for (let tries = 0; tries < 200 && !scratch; tries++) {
      const rows = await admin.query<{ datname: string }>("SELECT datname FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()", [`%'${marker}'%`]);
      scratch = rows.rows[0]?.datname;
      if (!scratch) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A template database cannot be dropped.
    await admin.query("UPDATE pg_database SET datistemplate = true WHERE datname = $1", [scratch]);
    const result = await running;
    try {
      expect(result.stderr).toContain(`migsafe: could not drop the scratch database ${scratch} at `);
      expect(result.stderr).toContain(`cannot drop a template database (SQLSTATE 42809); drop it by hand: DROP DATABASE ${scratch}; DROP ROLE ${scratch};`);
      expect(result.exitCode).toBe(2);
    } finally {
      await admin.query("UPDATE pg_database SET datistemplate = false WHERE datname = $1", [scratch]);
      await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${scratch}`);
    }
  }, 60_000);
});
