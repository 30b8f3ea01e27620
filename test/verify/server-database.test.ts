import net from "node:net";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseError } from "../../src/verify/database.js";
import { openServerDatabase, redactDatabaseUrl, ServerDatabaseError } from "../../src/verify/server-database.js";
import { connectClient, testDatabaseUrl, testMissingServer, uniqueName, withUrl } from "./server.js";

describe("redactDatabaseUrl", () => {
  test("hides the password of the user info and of a password parameter", () => {
    expect(redactDatabaseUrl("postgres://app:s3cret@db.example:5432/app")).toBe("postgres://app:***@db.example:5432/app");
    expect(redactDatabaseUrl("postgresql://app:p@ss/w@rd@db/app?sslmode=require")).toBe("postgresql://app:***@db/app?sslmode=require");
    expect(redactDatabaseUrl("postgres://app@db/app?sslmode=require&password=s3cret")).toBe("postgres://app@db/app?sslmode=require&password=***");
    expect(redactDatabaseUrl("postgres:///app?host=/run/postgresql")).toBe("postgres:///app?host=/run/postgresql");
    expect(redactDatabaseUrl("postgres://app@db/app")).toBe("postgres://app@db/app");
  });
});

describe("openServerDatabase without a server", () => {
  test("refuses what is not a postgres URL, without its password", async () => {
    await expect(openServerDatabase("mysql://app:s3cret@db/app", { allowNonEmpty: false })).rejects.toThrow(
      new ServerDatabaseError('invalid database URL "mysql://app:***@db/app": expected postgres://user:password@host:port/database'),
    );
  });

  test("reports a refused connection on one line", async () => {
    const port = await closedPort();
    const error = await openServerDatabase(`postgres://app:s3cret@127.0.0.1:${port}/app`, { allowNonEmpty: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerDatabaseError);
    expect((error as Error).message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${port}/app as app: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

const url = testDatabaseUrl();

describe("openServerDatabase on a server", () => {
  if (!url) {
    testMissingServer("scratch database, schema fallback, errors");
    return;
  }
  const target = new URL(url);
  const place = `${target.hostname}:${target.port || 5432}/${target.pathname.slice(1)}`;
  let admin: pg.Client;
  let version: string;
  let versionNum: number;
  const roles: string[] = [];
  const databases: string[] = [];

  beforeAll(async () => {
    admin = await connectClient(url);
    const rows = (await admin.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n")).rows;
    version = String(rows[0].v).split(" ")[0]!;
    versionNum = Number(rows[0].n);
  });

  afterAll(async () => {
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  const databaseExists = async (name: string) =>
    (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;

  /** A role that may log in with a password but not create databases, and an empty database it owns. */
  const restrictedRole = async () => {
    const role = uniqueName("migsafe_nocreatedb_");
    const database = uniqueName("migsafe_test_");
    await admin.query(`CREATE ROLE ${role} LOGIN NOCREATEDB PASSWORD 'pw-${role}'`);
    roles.push(role);
    await admin.query(`CREATE DATABASE ${database} OWNER ${role} TEMPLATE template0`);
    databases.unshift(database);
    const roleUrl = withUrl(url, { user: role, password: `pw-${role}`, database });
    return { role, database, roleUrl };
  };

  test("runs in a scratch database created from template0 and drops it at close", async () => {
    const before = await admin.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1");
    const db = await openServerDatabase(url, { allowNonEmpty: false });
    const name = db.scratch.name;
    expect(db.scratch).toEqual({ kind: "database", name: expect.stringMatching(/^migsafe_verify_[0-9a-f]{10}$/) });
    // The test server's URL names a superuser: the migrations run as a role verify creates.
    expect(db.description).toBe(`PostgreSQL ${version} at ${place} (scratch database ${name}, as the unprivileged role ${name})`);
    expect(db.majorVersion).toBe(Math.floor(versionNum / 10000));
    expect(await databaseExists(name)).toBe(true);
    expect(await db.query("SELECT current_database() AS db, current_setting('search_path') AS path")).toEqual([
      { db: name, path: '"$user", public' },
    ]);
    await db.exec("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL); INSERT INTO users VALUES (1, 'a@example.com')");
    await db.close();
    expect(await databaseExists(name)).toBe(false);
    await db.close(); // a second close does nothing
    await expect(db.exec("SELECT 1")).rejects.toThrow();
    const after = await admin.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1");
    expect(after.rows).toEqual(before.rows);
  });

  test("exec, query and errors: one session, SQLSTATE and position from PostgreSQL", async () => {
    const db = await openServerDatabase(url, { allowNonEmpty: false });
    try {
      await db.exec("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, score numeric); CREATE INDEX users_email_idx ON users (email)");
      await db.exec("INSERT INTO users VALUES (1, 'a@example.com', 1.5), (9007199254740993, 'b@example.com', NULL)");
      // int8 as PGlite reads it: a number when exact, else a bigint; numeric stays a string.
      expect(await db.query("SELECT id, email, score FROM users WHERE id > $1 ORDER BY id", [0])).toEqual([
        { id: 1, email: "a@example.com", score: "1.5" },
        { id: 9007199254740993n, email: "b@example.com", score: null },
      ]);
      expect(await db.query("SELECT 1 AS a; SELECT 2 AS b")).toEqual([{ b: 2 }]);

      const missing = databaseError(await db.exec("SELECT * FROM nope").catch((e: unknown) => e));
      expect(missing).toEqual({ message: 'relation "nope" does not exist', code: "42P01", position: 15 });
      const nulls = databaseError(await db.exec("INSERT INTO users (id) VALUES (2)").catch((e: unknown) => e));
      expect(nulls).toEqual({
        message: 'null value in column "email" of relation "users" violates not-null constraint',
        code: "23502",
        detail: "Failing row contains (2, null, null).",
      });

      // Locks are visible in pg_locks under the session's own pid, as verify reads them.
      await db.exec("BEGIN; CREATE INDEX users_score_idx ON users (score)");
      expect(
        await db.query(
          `SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation = 'users'::regclass ORDER BY mode`,
        ),
      ).toEqual([{ mode: "ShareLock" }]);
      await db.exec("ROLLBACK");
    } finally {
      await db.close();
    }
  });

  test("drops the scratch database at close even inside a failed transaction", async () => {
    const db = await openServerDatabase(url, { allowNonEmpty: false });
    await db.exec("BEGIN; CREATE TABLE t (id int)");
    await expect(db.exec("SELECT 1/0")).rejects.toThrow("division by zero");
    await db.close();
    expect(await databaseExists(db.scratch.name)).toBe(false);
  });

  test("a role that may not create databases gets a scratch schema in an empty database", async () => {
    const { database, roleUrl } = await restrictedRole();
    const db = await openServerDatabase(roleUrl, { allowNonEmpty: false });
    const name = db.scratch.name;
    expect(db.scratch).toEqual({ kind: "schema", name: expect.stringMatching(/^migsafe_verify_[0-9a-f]{10}$/) });
    expect(db.description).toBe(`PostgreSQL ${version} at ${target.hostname}:${target.port || 5432}/${database} (scratch schema ${name})`);
    await db.exec("CREATE TABLE users (id bigint PRIMARY KEY)");
    // The scratch schema is the connection's own search_path: RESET returns to it.
    await db.exec("SET search_path TO public; RESET search_path; CREATE TABLE orders (id bigint)");
    expect(await db.query("SELECT current_database() AS db, current_setting('search_path') AS path")).toEqual([{ db: database, path: name }]);
    const check = await connectClient(withUrl(url, { database }));
    try {
      const tables = async () =>
        (await check.query("SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).rows.map((r) => r.t);
      expect(await tables()).toEqual([`${name}.orders`, `${name}.users`]);
      await db.close();
      expect(await tables()).toEqual([]);
      expect((await check.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [name])).rowCount).toBe(0);
    } finally {
      await check.end();
    }
  });

  test("refuses a database that is not empty, unless told it is scratch", async () => {
    const { role, database, roleUrl } = await restrictedRole();
    const owner = await connectClient(withUrl(url, { database }));
    try {
      await owner.query(`CREATE TABLE public.users (id bigint PRIMARY KEY); INSERT INTO public.users VALUES (7); CREATE SCHEMA billing AUTHORIZATION ${role}`);
      const refusal = await openServerDatabase(roleUrl, { allowNonEmpty: false }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ServerDatabaseError);
      expect((refusal as Error).message).toBe(
        `refusing to verify in database "${database}" at ${target.hostname}:${target.port || 5432}: the role may not create databases, ` +
          `and a scratch schema would share the database with 1 schema (billing) and 2 relations in public (public.users, public.users_pkey); ` +
          `use an empty database, or pass --i-know-this-database-is-scratch if nothing in it matters`,
      );
      expect((await owner.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'migsafe\\_verify\\_%'")).rows).toEqual([{ n: 0 }]);

      const db = await openServerDatabase(roleUrl, { allowNonEmpty: true });
      expect(db.scratch.kind).toBe("schema");
      // The session sees only its scratch schema: users here is a new, empty table.
      await db.exec("CREATE TABLE users (id bigint PRIMARY KEY); DROP TABLE IF EXISTS users CASCADE; CREATE TABLE users (id bigint)");
      expect(await db.query("SELECT count(*)::int AS n FROM users")).toEqual([{ n: 0 }]);
      await db.close();
      expect((await owner.query("SELECT id::int FROM public.users")).rows).toEqual([{ id: 7 }]);
      expect((await owner.query("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1")).rows).toEqual([
        { nspname: "billing" },
        { nspname: "public" },
      ]);
    } finally {
      await owner.end();
    }
  });

  test("a wrong password fails on one line that names the role, not the password", async () => {
    const { role, database } = await restrictedRole();
    const badUrl = withUrl(url, { user: role, password: "not-the-password", database });
    const error = await openServerDatabase(badUrl, { allowNonEmpty: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerDatabaseError);
    expect((error as ServerDatabaseError).code).toBe("28P01");
    expect((error as Error).message).toBe(
      `cannot connect to PostgreSQL at ${target.hostname}:${target.port || 5432}/${database} as ${role}: ` +
        `password authentication failed for user "${role}" (SQLSTATE 28P01)`,
    );
  });

  test("a database that does not exist", async () => {
    const error = await openServerDatabase(withUrl(url, { database: "migsafe_no_such_db" }), { allowNonEmpty: false }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `cannot connect to PostgreSQL at ${target.hostname}:${target.port || 5432}/migsafe_no_such_db as ${decodeURIComponent(target.username)}: ` +
        `database "migsafe_no_such_db" does not exist (SQLSTATE 3D000)`,
    );
  });

  test("connects through a unix socket, with and without a user in the URL", async () => {
    const dirs = String((await admin.query("SHOW unix_socket_directories")).rows[0].unix_socket_directories);
    const socket = dirs.split(",")[0]!.trim();
    const port = target.port || "5432";
    const database = target.pathname.slice(1);
    const user = decodeURIComponent(target.username);
    for (const socketUrl of [
      `postgres:///${database}?host=${socket}&port=${port}&user=${user}`,
      `postgresql://${user}@/${database}?host=${encodeURIComponent(socket)}&port=${port}`,
    ]) {
      const db = await openServerDatabase(socketUrl, { allowNonEmpty: false });
      try {
        expect(db.description).toBe(`PostgreSQL ${version} at ${socket}:${port}/${database} (scratch database ${db.scratch.name}, as the unprivileged role ${db.scratch.name})`);
        expect(await db.query("SELECT inet_server_addr() IS NULL AS unix")).toEqual([{ unix: true }]);
      } finally {
        await db.close();
      }
      expect(await databaseExists(db.scratch.name)).toBe(false);
    }
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
