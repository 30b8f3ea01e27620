/**
 * SIGINT and SIGTERM stop migsafe verify: the running statement is cancelled, the scratch database dropped, and the
 * findings so far reported, with exit code 130 or 143 (issue 14). Runs the built CLI (dist/cli.js; `npm test` builds).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, testDatabaseUrl, testMissingServer, uniqueName } from "../verify/server.js";
import { migrations } from "./verify-helpers.js";

const CLI = path.resolve(import.meta.dirname, "../../dist/cli.js");

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `migsafe verify`, sends `signal` once `ready()` says so, and waits for the process to end. */
function interrupt(args: string[], env: Record<string, string>, signal: NodeJS.Signals, ready: () => Promise<boolean>): Promise<Exited> {
  const child = spawn(process.execPath, [CLI, "verify", "--format", "compact", ...args], { env: { ...process.env, DATABASE_URL: "", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  void (async () => {
    for (let tries = 0; tries < 600 && child.exitCode === null; tries++) {
      if (await ready()) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill(signal);
  })();
  return exited;
}

const FOLDER = {
  "001_fails.sql": "CREATE TABLE a (id int);\nALTER TABLE missing ADD COLUMN x int;\n",
  "002_sleeps.sql": "SELECT pg_sleep(3600), 'MARKER';\n",
  "003_never.sql": "CREATE TABLE c (id int);\n",
};

describe("SIGINT and SIGTERM on PGlite", () => {
  it("stops the statement PGlite runs and exits 130 with the findings so far", async () => {
    const dir = migrations(FOLDER);
    const started = Date.now();
    // PGlite shows no activity from outside: the signal comes once the first migration has had time to run.
    const result = await interrupt([dir], {}, "SIGINT", async () => Date.now() - started > 15_000);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/stopped: interrupted by SIGINT; 1 migration did not run; the report has what was found until then/);
    expect(result.stdout).toMatch(/001_fails\.sql:2:\d+: dangerous verify-error Fails on PostgreSQL 18: relation "missing" does not exist/);
    expect(Date.now() - started).toBeLessThan(45_000);
  }, 60_000);
});

const url = testDatabaseUrl();

describe("SIGINT and SIGTERM on a server", () => {
  if (!url) {
    testMissingServer("signals during verify on a server");
    return;
  }
  let admin: pg.Client;
  beforeAll(async () => {
    admin = await connectClient(url);
  });
  afterAll(async () => {
    await admin.end();
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s cancels the running query, drops the scratch database and exits %i with the findings so far", async (signal, code) => {
    const marker = uniqueName("marker_");
    const dir = migrations({ ...FOLDER, "002_sleeps.sql": FOLDER["002_sleeps.sql"].replace("MARKER", marker) });
    let scratch: string | undefined;
    const sleeping = async () => {
      const rows = await admin.query<{ datname: string }>("SELECT datname FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()", [`%${marker}%`]);
      scratch = rows.rows[0]?.datname;
      return scratch !== undefined;
    };
    const result = await interrupt(["--database-url", url, dir], {}, signal, sleeping);
    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(/001_fails\.sql:2:\d+: dangerous verify-error Fails on PostgreSQL 15: relation "missing" does not exist/);
    expect(result.stdout).not.toMatch(/002_sleeps\.sql\S* dangerous verify-error/);
    expect(result.stderr).toContain(`stopped: interrupted by ${signal}`);
    expect(scratch).toMatch(/^migsafe_verify_/);
    expect((await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [scratch])).rowCount).toBe(0);
    expect((await admin.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()", [`%${marker}%`])).rowCount).toBe(0);
  }, 60_000);
});
