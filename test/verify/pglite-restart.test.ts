import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempTree } from "../helpers.js";
import { openPgliteDatabase } from "../../src/verify/pglite-database.js";
import { verifyCommand } from "../../src/verify/command.js";
import { verifyMigrations } from "../../src/verify/verify.js";

// Between migrations, verify restarts PGlite from its data folder once the process has grown (WebAssembly memory is
// never given back): the database, its sequences and the session's settings carry over, and nothing verify reports
// changes. restartGrowthMb 0 restarts at every chance.

const RESTARTED = /^PGlite restarted from its data folder \(\d+ MB\) to give memory back, after the process grew by -?\d+ MB \(restart (\d+); (\d+) session settings set again\)$/;

describe("PGlite restarted to give memory back", () => {
  it("keeps the tables, their rows, the next value of a sequence, and the settings the session SET", async () => {
    const db = await openPgliteDatabase({ restartGrowthMb: 0 });
    try {
      await db.exec("CREATE TABLE note (id serial PRIMARY KEY, body text); INSERT INTO note (body) VALUES ('a'), ('b');");
      await db.exec("SET lock_timeout = '3s'; SET search_path = pg_catalog, public");
      const said = await db.releaseMemory!();
      expect(said).toMatch(RESTARTED);
      expect(RESTARTED.exec(said!)!.slice(1)).toEqual(["1", "2"]);
      // A copy of a running instance would start with crash recovery, and the sequence would jump to 34.
      await db.exec("INSERT INTO public.note (body) VALUES ('c')");
      expect(await db.query("SELECT id, body FROM public.note ORDER BY id")).toEqual([
        { id: 1, body: "a" },
        { id: 2, body: "b" },
        { id: 3, body: "c" },
      ]);
      expect(await db.query("SELECT current_setting('lock_timeout') AS lock_timeout, current_setting('search_path') AS search_path")).toEqual([
        { lock_timeout: "3s", search_path: "pg_catalog, public" },
      ]);
      expect(await db.releaseMemory!()).toMatch(/\(restart 2; 2 session settings set again\)$/);
    } finally {
      await db.close();
    }
  }, 120_000);

  it("is not done while the session holds what a new session would not have, and is once it no longer does", async () => {
    const db = await openPgliteDatabase({ restartGrowthMb: 0 });
    try {
      const reasons: (string | undefined)[] = [];
      await db.exec("CREATE TEMPORARY TABLE scratch (id int); PREPARE pick AS SELECT 1; SELECT pg_advisory_lock(7); LISTEN changes;");
      reasons.push(await db.releaseMemory!());
      await db.exec("DROP TABLE scratch; DEALLOCATE pick; SELECT pg_advisory_unlock(7); UNLISTEN changes; CREATE ROLE migrator; SET ROLE migrator;");
      reasons.push(await db.releaseMemory!());
      await db.exec("RESET ROLE");
      reasons.push(await db.releaseMemory!());
      expect(reasons.slice(0, 2)).toEqual([
        "PGlite was not restarted to give memory back: the session holds temporary objects, prepared statements, advisory locks, LISTEN channels, which a new session would not have",
        "PGlite was not restarted to give memory back: the session holds the role migrator (set by a migration), which a new session would not have",
      ]);
      expect(reasons[2]).toMatch(RESTARTED);
      expect(await db.query("SELECT count(*)::int AS roles FROM pg_catalog.pg_roles WHERE rolname = 'migrator'")).toEqual([{ roles: 1 }]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it("does nothing while the process has grown less than it allows", async () => {
    const db = await openPgliteDatabase({ restartGrowthMb: 100_000 });
    try {
      await db.exec("CREATE TABLE t (id int)");
      expect(await db.releaseMemory!()).toBeUndefined();
    } finally {
      await db.close();
    }
  }, 120_000);

  it("is set by MIGSAFE_PGLITE_RESTART_MB, and --debug says each restart", async () => {
    const dir = tempTree({ "001_a.sql": "CREATE TABLE a (id int);\n", "002_b.sql": "CREATE TABLE b (id int);\n", "003_c.sql": "CREATE TABLE c (id int);\n" }, "migsafe-pglite-restart-");
    const result = await verifyCommand(["--debug", "--format", "compact", "."], { cwd: dir, env: { MIGSAFE_PGLITE_RESTART_MB: "0" } });
    expect(result.stderr.split("\n").filter((line) => line.startsWith("migsafe: debug: PGlite restarted")).map((line) => RESTARTED.exec(line.slice("migsafe: debug: ".length))?.[1])).toEqual(["1", "2"]);
    expect(result.exitCode).toBe(0);
  }, 120_000);

  it("changes nothing verify reports: a history verified with a restart before every migration reports what it reports without", async () => {
    const files = {
      "001_accounts.sql": "CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL);\nCREATE TABLE zones (id bigserial PRIMARY KEY, name text);\n",
      "002_members.sql":
        "SET lock_timeout = '2s';\nCREATE TABLE members (id bigserial PRIMARY KEY, account_id bigint, zone_id bigint);\n" +
        "ALTER TABLE members ADD CONSTRAINT members_account FOREIGN KEY (account_id) REFERENCES accounts (id);\n" +
        "ALTER TABLE members ADD CONSTRAINT members_zone FOREIGN KEY (zone_id) REFERENCES zones (id);\n",
      "003_links.sql": "BEGIN;\nALTER TABLE zones ADD COLUMN account_id bigint REFERENCES accounts (id);\nALTER TABLE accounts ADD COLUMN zone_id bigint REFERENCES zones (id);\nCOMMIT;\n",
      "004_backfill.sql": "UPDATE members SET zone_id = 1 WHERE zone_id IS NULL;\nALTER TABLE members ALTER COLUMN zone_id SET NOT NULL;\n",
    };
    const dir = tempTree(files, "migsafe-pglite-restart-");
    const run = async (restartGrowthMb: number) => {
      const database = await openPgliteDatabase({ restartGrowthMb });
      try {
        const outcome = await verifyMigrations({ database, files: Object.keys(files).map((name) => path.join(dir, name)), rows: 5, rerun: true });
        if (!outcome.ok) throw new Error(outcome.message);
        return outcome;
      } finally {
        await database.close();
      }
    };
    const always = await run(0);
    const never = await run(100_000);
    expect(always.notes.filter((note) => RESTARTED.test(note))).toHaveLength(3);
    expect(never.notes.filter((note) => note.startsWith("PGlite"))).toEqual([]);
    // Everything but the notes, and the lock table's durations (a statement's time on the empty database).
    const report = ({ notes: _notes, locks, ...rest }: typeof always) => ({ ...rest, locks: locks.map((lock) => ({ ...lock, durationMs: 0 })) });
    expect(always.locks.length).toBeGreaterThan(3);
    expect(report(always)).toEqual(report(never));
    expect(always.notes.filter((note) => !note.startsWith("PGlite"))).toEqual(never.notes);
    expect(always.failed).toBe(0);
  }, 180_000);
});
