/**
 * verify refuses to run what acts outside its scratch database or its session, reports each such
 * statement as a dangerous verify-refused finding at its line, and runs the rest (issue 14). On PGlite:
 * the same checks run before anything reaches a database.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import os from "node:os";
import { openPgliteDatabase } from "../../src/verify/pglite-database.js";
import { migrations, verifyFindings, verifyJson } from "./verify-helpers.js";

describe("verify refuses statements that act outside the scratch database", () => {
  it("reports each one at its line, runs the rest, and says a later error may follow from it", async () => {
    const dir = migrations({
      "001_attack.sql": [
        "CREATE TABLE accounts (id bigint PRIMARY KEY);",
        "COPY (SELECT 1) TO PROGRAM 'id > /tmp/migsafe-pwned';",
        "CREATE ROLE evil SUPERUSER;",
        "ALTER SYSTEM SET work_mem = '77MB';",
        "DROP DATABASE IF EXISTS victim WITH (FORCE);",
        "SELECT pg_read_file('/etc/passwd');",
        "DO $$ BEGIN EXECUTE 'CREATE ROLE evil2'; END $$;",
        "CREATE FUNCTION leak() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN pg_read_file('/etc/passwd'); END $$;",
        "CREATE TABLE evil_schema (id int);",
        "ALTER TABLE evil_schema OWNER TO evil;",
        "SELECT leak();",
        "",
      ].join("\n"),
    });
    const result = await verifyJson([dir]);
    const findings = verifyFindings(result.findings);
    // On PGlite, verify's own sandboxed instance, the roles (lines 3 and 7) are that instance's: they run, and so does
    // the owner change that needs one (line 10). What reaches outside it, or breaks it, does not.
    expect(findings.filter((finding) => finding.ruleId === "verify-refused").map((finding) => finding.line)).toEqual([2, 4, 5, 6, 8]);
    expect(findings.find((finding) => finding.line === 2)!.message).toMatch(/^verify did not run this statement: COPY … PROGRAM runs a shell command on the server\..*The statements after it ran without it/);
    // The call fails because the refused CREATE FUNCTION did not run: the error says so.
    const errors = findings.filter((finding) => finding.ruleId === "verify-error");
    expect(errors).toMatchObject([{ line: 11, message: expect.stringMatching(/function leak\(\) does not exist.*verify did not run lines 2, 4, 5, 6, 8 \(verify-refused\): this may follow from it\./) }]);
    expect(result.exitCode).toBe(1);
  }, 60_000);

  it("refuses a --seed that acts outside the scratch database, with its position, and runs nothing", async () => {
    const dir = migrations({ "001_a.sql": "CREATE TABLE a (id int);\n" });
    const seed = path.join(dir, "seed.sql");
    fs.writeFileSync(seed, "CREATE TABLE s (id int);\nALTER SYSTEM SET work_mem = '1GB';\n");
    const result = await verifyJson(["--seed", seed, path.join(dir, "001_a.sql")]);
    expect(result).toMatchObject({ exitCode: 2, output: "" });
    expect(result.stderr).toBe(`migsafe: --seed ${seed}:2:1: verify does not run this statement: ALTER SYSTEM changes the server's configuration\n`);
  }, 60_000);

  it("never runs a file whose statements split differently when the server reads them as one text", async () => {
    // migsafe reads line 2 as one SELECT of two strings; with standard_conforming_strings off, the server would read
    // 'a\' , ' as one string and run the CREATE ROLE after it. Lint refuses the file from line 2 (it splits into
    // other statements when sent as one query), so verify applies none of it; 002 fails if the role was created.
    const dir = migrations({
      "001_a.sql": "SET standard_conforming_strings = off;\nSELECT 'a\\' , ' ; CREATE ROLE sneaky; -- ';\n",
      "002_check.sql": "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'sneaky') THEN RAISE EXCEPTION 'sneaky exists'; END IF; END $$;\n",
    });
    const result = await verifyJson([dir]);
    expect(result.findings.filter((finding) => finding.ruleId === null).map((finding) => [finding.file, finding.line])).toEqual([["001_a.sql", 2]]);
    expect(verifyFindings(result.findings).filter((finding) => finding.file === "002_check.sql")).toEqual([]);
    expect(result.stderr).toMatch(/1 did not apply/);
  }, 60_000);
});

describe("--timeout on PGlite", () => {
  it("stops a statement that runs past it (PGlite runs in a worker thread, which verify terminates), and the run with it", async () => {
    const dir = migrations({ "001_sleep.sql": "CREATE TABLE a (id int);\nSELECT pg_sleep(3600);\n", "002_next.sql": "CREATE TABLE b (id int);\n" });
    const started = Date.now();
    const result = await verifyJson(["--timeout", "1", dir]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(verifyFindings(result.findings)).toEqual([
      {
        file: "001_sleep.sql",
        line: 2,
        ruleId: "verify-error",
        message: expect.stringMatching(/the statement ran longer than --timeout \(1 s\); PGlite cannot interrupt a running statement, so verify stopped the embedded PostgreSQL/),
      },
    ]);
    expect(result.stderr).toMatch(/stopped: the statement ran longer than --timeout \(1 s\).*; 1 migration did not run; the report has what was found until then/);
    expect(result.exitCode).toBe(1);
  }, 60_000);

  it("takes a number of seconds", async () => {
    const dir = migrations({ "001_a.sql": "CREATE TABLE a (id int);\n" });
    expect(await verifyJson(["--timeout", "soon", dir])).toMatchObject({
      exitCode: 2,
      stderr: "migsafe: --timeout takes a number of seconds above 0 and up to 86,400, not 'soon'\n",
    });
  });
});

describe("on PGlite, verify's own instance in its WebAssembly sandbox", () => {
  it("reaches no file or program of the machine: what roles and dynamic SQL may do stays in the instance", async () => {
    const db = await openPgliteDatabase();
    const planted = path.join(os.tmpdir(), `migsafe-sandbox-${process.pid}`);
    try {
      // Roles are the instance's own.
      await db.exec("CREATE ROLE sandboxed; GRANT CONNECT ON DATABASE postgres TO sandboxed");
      expect(await db.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'sandboxed'")).toEqual([{ n: 1 }]);
      await expect(db.query("SELECT pg_read_file('/etc/hostname') AS text")).rejects.toThrow(/could not open file/);
      // What a server would write to its disk, or run as a shell command, PGlite writes nowhere on the machine (and
      // a COPY … PROGRAM leaves the instance unusable: verify refuses it there too).
      await db.exec(`COPY (SELECT 'x') TO '${planted}-file'`);
      await db.exec(`COPY (SELECT 1) TO PROGRAM 'touch ${planted}-program'`);
      expect([fs.existsSync(`${planted}-program`), fs.existsSync(`${planted}-file`)]).toEqual([false, false]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("applies migrations that create roles, grant to them and run dynamic SQL verify cannot see through", async () => {
    const dir = migrations({
      "001_roles.sql": [
        "CREATE ROLE reader NOLOGIN;",
        "CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);",
        "GRANT SELECT ON events TO reader;",
        "GRANT CONNECT ON DATABASE postgres TO reader;",
        "",
      ].join("\n"),
      "002_partitions.sql": [
        "CREATE FUNCTION create_partition(target text, day date) RETURNS void LANGUAGE plpgsql AS $$",
        "BEGIN",
        "  EXECUTE format('CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', target || '_' || to_char(day, 'YYYYMMDD'), target, day, day + 1);",
        "END $$;",
        "SELECT create_partition('events', DATE '2024-01-01');",
        "ALTER TABLE events_20240101 OWNER TO reader;",
        "",
      ].join("\n"),
    });
    const result = await verifyJson([dir]);
    // Run, the dynamic SQL shows what lint could not see in it: the partition's lock on its parent.
    expect(verifyFindings(result.findings).map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([["002_partitions.sql", 5, "verify-lock"]]);
    expect(verifyFindings(result.findings)[0]!.message).toMatch(/^ACCESS EXCLUSIVE on events held from line 5/);
  }, 60_000);
});
