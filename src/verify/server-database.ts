/**
 * migsafe verify on a real PostgreSQL server (`--database-url`), through node-postgres.
 *
 * It connects to the URL's database only to run `CREATE DATABASE migsafe_verify_<random>
 * TEMPLATE template0`, runs the session in that scratch database, and drops it (`WITH (FORCE)`
 * on PostgreSQL 13+) when the session closes; an error dropping it is thrown, never swallowed.
 * It drops and alters nothing it did not create. What the migrations may do is bounded by
 * src/verify/refusals.ts (checked before anything runs) and, when the URL's role is a superuser,
 * by the role they run as: a fresh role (`migsafe_verify_<random>`, NOLOGIN, no attribute) that
 * owns the scratch database, set as the session's `role` at connection (so `RESET ROLE` returns
 * to it), and dropped at the end.
 *
 * Every statement runs under `statement_timeout` and `lock_timeout` (set at connection), and
 * under a watchdog that cancels it (`pg_cancel_backend` from the admin connection) shortly after
 * the timeout, since a migration may turn statement_timeout off. A session that ends (a
 * migration that terminates its own backend) is opened again on the next call.
 *
 * When the role may not create databases, it falls back to a scratch schema in the URL's
 * database (`CREATE SCHEMA migsafe_verify_<random>`, dropped with `CASCADE` when the session
 * closes), and refuses a database that is not empty (see {@link nonEmptyReason}) unless
 * `allowNonEmpty` (`--i-know-this-database-is-scratch`). The session's `search_path` is the
 * scratch schema alone, set as a connection option so that a migration's `RESET search_path`
 * returns to it too; a migration that names another schema explicitly (`public.users`,
 * `SET search_path TO public`) still reaches it, which is why the database must be empty.
 * Cluster-wide objects (roles, tablespaces) are among what verify refuses to run.
 *
 * `pg` is imported when a session opens, never by lint.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type * as Pg from "pg";
import type { Client, ClientConfig, QueryConfig, QueryResult } from "pg";
import { loadOptional } from "../optional-dependency.js";
import { DEFAULT_TIMEOUT_MS, timeoutText, type VerifyDatabase } from "./database.js";

export interface ServerDatabaseOptions {
  /** Run in a scratch schema of a database that is not empty (`--i-know-this-database-is-scratch`). */
  allowNonEmpty: boolean;
  /** The longest a statement may run or wait for a lock, in milliseconds (--timeout). Default: 60 s. */
  timeoutMs?: number;
}

/** Where the session runs: a scratch database, or a scratch schema of the URL's database. */
export interface Scratch {
  kind: "database" | "schema";
  /** migsafe_verify_ and 10 random hexadecimal digits. */
  name: string;
}

export interface ServerDatabase extends VerifyDatabase {
  readonly scratch: Scratch;
  /** The unprivileged role the migrations run as, when the URL's role is a superuser. */
  readonly role: string | undefined;
}

/** How long after --timeout the watchdog cancels a statement that the server's statement_timeout did not end. */
const WATCHDOG_GRACE_MS = 1000;

/** An error migsafe words itself: one line, password redacted; `code` is PostgreSQL's SQLSTATE when it gave one. */
export class ServerDatabaseError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "ServerDatabaseError";
  }
}

/** The prefix of every scratch database and schema. */
export const SCRATCH_PREFIX = "migsafe_verify_";

/** Seconds to wait for a connection when the URL gives no `connect_timeout`. */
const CONNECT_TIMEOUT_SECONDS = 10;

/**
 * The URL (or key=value connection string) with its password replaced by `***`, for messages.
 * Everything between `://` and the last `@` is taken as user info, so a password with an
 * unescaped `@`, `/`, `?` or `#` is hidden too (a `@` in the query hides more than the password,
 * never less); so are a `password=` parameter and a key=value string's `password=…`, quoted or not.
 */
export function redactDatabaseUrl(url: string): string {
  let shown = url;
  const scheme = shown.indexOf("://");
  const at = shown.lastIndexOf("@");
  if (scheme !== -1 && at > scheme) {
    const userInfo = shown.slice(scheme + 3, at);
    const colon = userInfo.indexOf(":");
    if (colon !== -1) shown = `${shown.slice(0, scheme + 3)}${userInfo.slice(0, colon)}:***${shown.slice(at)}`;
  }
  return shown
    .replace(/([?&]password=)[^&#]*/gi, "$1***")
    .replace(/(^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)/gi, "$1$2***");
}

/**
 * "host:port/database" (as node-postgres will connect: its defaults filled in), for the line
 * that announces a DATABASE_URL taken from the environment; the redacted URL when it does not parse.
 */
export async function describeServer(url: string): Promise<string> {
  if (!/^postgres(ql)?:\/\//i.test(url)) return redactDatabaseUrl(url);
  try {
    const { parse } = await loadConnectionString();
    const config = parse(url);
    return `${config.host || "localhost"}:${config.port || 5432}/${config.database || config.user || ""}`;
  } catch {
    return redactDatabaseUrl(url);
  }
}

const PG_PURPOSE = "migsafe verify with a DATABASE_URL (it connects with node-postgres)";

// require(), not import(): the command's linter is a script compiled from V8's code cache (src/cli/code-cache.ts),
// and Node 20 gives such code no import() ("A dynamic import callback was not specified").
async function loadPg(): Promise<typeof Pg> {
  return loadOptional(["pg"], PG_PURPOSE, async () => createRequire(import.meta.url)("pg") as typeof Pg);
}

/** The parser of connection strings node-postgres itself uses: its own dependency, resolved from its folder. */
interface ConnectionString {
  parse(url: string): { host?: string | null; port?: string | null; database?: string | null; user?: string };
  parseIntoClientConfig(url: string): ClientConfig;
}

async function loadConnectionString(): Promise<ConnectionString> {
  return loadOptional(["pg"], PG_PURPOSE, async () => {
    const require = createRequire(import.meta.url);
    return createRequire(require.resolve("pg"))("pg-connection-string") as ConnectionString;
  });
}

/** The text of an error from node-postgres or the network, on one line, with its SQLSTATE. */
function errorText(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; errors?: unknown };
  let message = typeof e?.message === "string" ? e.message : String(error);
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) throws an AggregateError with no message.
  if (message === "" && Array.isArray(e?.errors)) message = e.errors.map((inner) => errorText(inner)).join("; ");
  if (message === "" && typeof e?.code === "string") message = e.code;
  const code = sqlstate(error);
  message = message.replace(/\s*\n\s*/g, " ").trim();
  return code && !message.includes(code) ? `${message} (SQLSTATE ${code})` : message;
}

/** The SQLSTATE of an error PostgreSQL sent (node-postgres gives those a severity); undefined for network errors (ECONNREFUSED…). */
function sqlstate(error: unknown): string | undefined {
  const e = error as { code?: unknown; severity?: unknown };
  return typeof e?.code === "string" && typeof e.severity === "string" ? e.code : undefined;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** PGlite's reading of int8: a number when it is exact, else a bigint (node-postgres gives strings). */
function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

const INT8_OID = 20;

/**
 * Why the database is not empty, or undefined when it is. A database is empty when it holds
 * no schema besides `public`, `information_schema` and PostgreSQL's own (`pg_*`), and no
 * relation of any kind (table, view, materialized view, sequence, index, foreign table,
 * composite type) in `public`. Objects that belong to an extension do not count (PostGIS's
 * `spatial_ref_sys`, an extension's own schema), nor the `migsafe_verify_*` schemas of other
 * verify sessions. Functions and types in `public` do not count: they hold no data.
 */
async function nonEmptyReason(client: Client): Promise<string | undefined> {
  const extensionMember = (catalog: string, column: string) =>
    `EXISTS (SELECT FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${column} AND d.deptype = 'e')`;
  const schemas = await client.query<{ name: string }>(
    `SELECT n.nspname AS name FROM pg_namespace n
      WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND n.nspname NOT LIKE '${SCRATCH_PREFIX.replace(/_/g, "\\_")}%'
        AND NOT ${extensionMember("pg_namespace", "n.oid")}
      ORDER BY 1`,
  );
  const relations = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'public') AND NOT ${extensionMember("pg_class", "c.oid")}
      ORDER BY 1`,
  );
  const parts: string[] = [];
  const list = (names: string[]) => names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "");
  if (schemas.rows.length > 0) {
    parts.push(`${schemas.rows.length} schema${schemas.rows.length === 1 ? "" : "s"} (${list(schemas.rows.map((r) => r.name))})`);
  }
  if (relations.rows.length > 0) {
    const names = relations.rows.map((r) => `public.${r.name}`);
    parts.push(`${names.length} relation${names.length === 1 ? "" : "s"} in public (${list(names)})`);
  }
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

/**
 * Opens a verify session on the server at `url` (`postgres://` or `postgresql://`; a unix
 * socket as `postgres:///db?host=/run/postgresql`). Every error is thrown as an Error with one
 * line that names the server with the password redacted.
 */
export async function openServerDatabase(url: string, options: ServerDatabaseOptions): Promise<ServerDatabase> {
  const shown = redactDatabaseUrl(url);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new ServerDatabaseError(`invalid database URL "${shown}": expected postgres://user:password@host:port/database`);
  }
  const [pg, { parseIntoClientConfig }] = await Promise.all([loadPg(), loadConnectionString()]);
  let config: ClientConfig;
  try {
    config = parseIntoClientConfig(url);
  } catch (error) {
    throw new ServerDatabaseError(`invalid database URL "${shown}": ${hidePassword(errorText(error), undefined)}`);
  }
  const password = typeof config.password === "string" ? config.password : undefined;
  const hide = (text: string) => hidePassword(text, password);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const connectTimeout = Number((config as Record<string, unknown>).connect_timeout);
  config = {
    ...config,
    application_name: config.application_name ?? "migsafe verify",
    connectionTimeoutMillis: (connectTimeout > 0 ? connectTimeout : CONNECT_TIMEOUT_SECONDS) * 1000,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID && format !== "binary" ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  };

  /** Connects with `config` plus `overrides`; a failure names where and as whom. */
  const connect = async (overrides: Partial<ClientConfig>): Promise<Client> => {
    const client = new pg.Client({ ...config, ...overrides });
    // A backend that goes away emits "error" on the client, which would crash the process unheard:
    // the next query fails with "Connection terminated" instead.
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      const where = `${client.host}:${client.port}/${client.database ?? ""}`;
      const who = client.user ? ` as ${client.user}` : "";
      throw new ServerDatabaseError(`cannot connect to PostgreSQL at ${where}${who}: ${hide(errorText(error))}`, sqlstate(error));
    }
    return client;
  };

  const admin = await connect({});
  const place = `${admin.host}:${admin.port}/${admin.database ?? ""}`;
  let scratch: Scratch | undefined;
  let role: string | undefined;
  let session: Client | undefined;
  let majorVersion = 0;
  /** Why there is no scratch database, for the refusal. */
  let noDatabase = "the role may not create databases";
  try {
    const version = await admin.query<{ num: string; text: string }>(
      "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text",
    );
    majorVersion = Math.floor(Number(version.rows[0]!.num) / 10000);
    const versionText = version.rows[0]!.text.split(" ")[0]!;
    const name = SCRATCH_PREFIX + randomBytes(5).toString("hex");
    const superuser = (await admin.query<{ super: boolean }>("SELECT rolsuper AS super FROM pg_catalog.pg_roles WHERE rolname = current_user")).rows[0]?.super === true;
    if (superuser) {
      await admin.query(`CREATE ROLE ${quoteIdent(name)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`);
      role = name;
    }
    const owner = role ? ` OWNER ${quoteIdent(role)}` : "";

    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}${owner} TEMPLATE template0`);
      scratch = { kind: "database", name };
    } catch (error) {
      if (sqlstate(error) !== "42501") {
        throw new ServerDatabaseError(`cannot create the scratch database ${name} at ${place}: ${hide(errorText(error))}`);
      }
    }
    // Set at connection, a setting is also what RESET returns to.
    const settings = [`-c statement_timeout=${timeoutMs}`, `-c lock_timeout=${timeoutMs}`, ...(role ? [`-c role=${role}`] : [])];
    let sessionConfig: Partial<ClientConfig> = { options: [config.options, ...settings].filter(Boolean).join(" ") };
    if (scratch) {
      await admin.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS 'migsafe verify scratch database, dropped when the run ends'`);
      sessionConfig = { ...sessionConfig, database: name };
      try {
        session = await connect(sessionConfig);
      } catch (error) {
        // A server whose pg_hba.conf lets the role in only to named databases: use a schema instead.
        const code = sqlstate(error);
        if (code !== "28000" && code !== "42501") throw error;
        await dropScratch(admin, scratch, majorVersion);
        scratch = undefined;
        noDatabase = "the server does not let the role connect to a new database";
      }
    }
    if (!scratch) {
      const database = admin.database ?? "";
      if (!options.allowNonEmpty) {
        const reason = await nonEmptyReason(admin);
        if (reason) {
          throw new ServerDatabaseError(
            `refusing to verify in database "${database}" at ${admin.host}:${admin.port}: ${noDatabase}, ` +
              `and a scratch schema would share the database with ${reason}; use an empty database, ` +
              `or pass --i-know-this-database-is-scratch if nothing in it matters`,
          );
        }
      }
      try {
        await admin.query(`CREATE SCHEMA ${quoteIdent(name)}${role ? ` AUTHORIZATION ${quoteIdent(role)}` : ""}`);
      } catch (error) {
        throw new ServerDatabaseError(
          `cannot create a scratch database or schema at ${place} (the role may create neither): ${hide(errorText(error))}`,
        );
      }
      scratch = { kind: "schema", name };
      sessionConfig = { options: [sessionConfig.options, `-c search_path=${name}`].join(" ") };
      session = await connect(sessionConfig);
    }

    const opened = scratch;
    const runsAs = role;
    let client = session!;
    let ended = false;
    const watch = (watched: Client) => watched.on("end", () => (ended = true));
    const backendPid = async (of: Client) => Number((await of.query<{ pid: number }>("SELECT pg_catalog.pg_backend_pid() AS pid")).rows[0]?.pid);
    let pid = await backendPid(client);
    watch(client);
    /** The session, opened again when a migration ended it (pg_terminate_backend, a FATAL error). */
    const current = async (): Promise<Client> => {
      if (ended) {
        client = await connect(sessionConfig);
        ended = false;
        watch(client);
        pid = await backendPid(client);
      }
      return client;
    };
    let closing: Promise<void> | undefined;
    /** Runs a query on the session under the watchdog: past --timeout and a grace, the admin connection cancels it. */
    const watched = async <T>(send: (session: Client) => Promise<T>): Promise<T> => {
      const session = await current();
      let fired = false;
      const timer = setTimeout(() => {
        fired = true;
        admin.query("SELECT pg_catalog.pg_cancel_backend($1)", [pid]).catch(() => {});
      }, timeoutMs + WATCHDOG_GRACE_MS);
      try {
        return await send(session);
      } catch (error) {
        if (fired && sqlstate(error) === "57014") throw Object.assign(new Error(`canceling statement: ${timeoutText(timeoutMs)}`), { code: "57014", severity: "ERROR" });
        // node-postgres words a backend gone away without a SQLSTATE: say it is the session that ended.
        if (ended && !sqlstate(error)) throw Object.assign(new Error(`the session ended: ${errorText(error)}`), { code: "08006", severity: "FATAL" });
        throw error;
      } finally {
        clearTimeout(timer);
      }
    };
    return {
      description: `PostgreSQL ${versionText} at ${place} (scratch ${opened.kind} ${opened.name}${runsAs ? `, as the unprivileged role ${runsAs}` : ""})`,
      majorVersion,
      scratch: opened,
      role: runsAs,
      notices: runsAs
        ? [`the role ${admin.user ?? ""} is a superuser: verify runs the migrations as ${runsAs}, a role it created with no privilege but owning the scratch ${opened.kind}, and drops it at the end`]
        : [],
      async exec(sql: string): Promise<void> {
        await watched((session) => session.query(sql));
      },
      async run(sql: string): Promise<void> {
        // node-postgres's types do not know queryMode yet (pg 8.11+).
        await watched((session) => session.query({ text: sql, queryMode: "extended" } as QueryConfig));
      },
      async query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
        const result = await watched((session) => session.query({ text: sql, values: params ? [...params] : [] }));
        // Without parameters node-postgres uses the simple protocol, which answers each statement of a list.
        const results = result as unknown as QueryResult | QueryResult[];
        const last = Array.isArray(results) ? results[results.length - 1] : results;
        return (last?.rows ?? []) as Row[];
      },
      async cancel(): Promise<void> {
        if (!ended) await admin.query("SELECT pg_catalog.pg_cancel_backend($1)", [pid]).catch(() => {});
      },
      close(): Promise<void> {
        closing ??= (async () => {
          await client.end().catch(() => {});
          try {
            await dropCreated(admin, opened, runsAs, majorVersion).catch(async (error: unknown) => {
              // The admin connection may have died during a long run: drop through a new one.
              let again: Client | undefined;
              try {
                again = await connect({});
                await dropCreated(again, opened, runsAs, majorVersion);
              } catch {
                throw error;
              } finally {
                await again?.end().catch(() => {});
              }
            });
          } catch (error) {
            const by = `DROP ${opened.kind.toUpperCase()} ${opened.name}${opened.kind === "schema" ? " CASCADE" : ""};${runsAs ? ` DROP ROLE ${runsAs};` : ""}`;
            throw new ServerDatabaseError(`could not drop the scratch ${opened.kind} ${opened.name} at ${place}: ${hide(errorText(error))}; drop it by hand: ${by}`);
          } finally {
            await admin.end().catch(() => {});
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await session?.end().catch(() => {});
    if (scratch) await dropScratch(admin, scratch, majorVersion).catch(() => {});
    if (role) await admin.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => {});
    await admin.end().catch(() => {});
    throw error instanceof ServerDatabaseError
      ? error
      : new ServerDatabaseError(`PostgreSQL at ${place}: ${hide(errorText(error))}`, sqlstate(error));
  }
}

/** Drops the scratch database or schema, then the role verify created to run the migrations as. */
async function dropCreated(admin: Client, scratch: Scratch, role: string | undefined, majorVersion: number): Promise<void> {
  await dropScratch(admin, scratch, majorVersion);
  if (!role) return;
  // In schema mode, what the role owns or was granted elsewhere in the URL's database (it can reach no other).
  if (scratch.kind === "schema") await admin.query(`DROP OWNED BY ${quoteIdent(role)}`);
  await admin.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
}

async function dropScratch(admin: Client, scratch: Scratch, majorVersion: number): Promise<void> {
  if (scratch.kind === "database") {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch.name)}${majorVersion >= 13 ? " WITH (FORCE)" : ""}`);
  } else {
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(scratch.name)} CASCADE`);
  }
}

/** The text with the password (as given, and percent-encoded), when it is long enough not to be an ordinary word, replaced by `***`. */
function hidePassword(text: string, password: string | undefined): string {
  if (!password || password.length < 4) return text;
  return [password, encodeURIComponent(password)].reduce((hidden, form) => hidden.split(form).join("***"), text);
}
