/**
 * migsafe verify on a real PostgreSQL server (`--database-url`), through node-postgres.
 *
 * It never touches existing data. It connects to the URL's database only to run
 * `CREATE DATABASE migsafe_verify_<random> TEMPLATE template0`, runs the session in that
 * scratch database, and drops it (`WITH (FORCE)` on PostgreSQL 13+) when the session closes.
 *
 * When the role may not create databases, it falls back to a scratch schema in the URL's
 * database (`CREATE SCHEMA migsafe_verify_<random>`, dropped with `CASCADE` when the session
 * closes), and refuses a database that is not empty (see {@link nonEmptyReason}) unless
 * `allowNonEmpty` (`--i-know-this-database-is-scratch`). The session's `search_path` is the
 * scratch schema alone, set as a connection option so that a migration's `RESET search_path`
 * returns to it too; a migration that names another schema explicitly (`public.users`,
 * `SET search_path TO public`) still reaches it, which is why the database must be empty.
 * Cluster-wide objects a migration creates (roles, tablespaces) are not dropped in either mode.
 *
 * `pg` is imported when a session opens, never by lint.
 */
import { randomBytes } from "node:crypto";
import type { Client, ClientConfig, QueryResult } from "pg";
import type { VerifyDatabase } from "./database.js";

export interface ServerDatabaseOptions {
  /** Run in a scratch schema of a database that is not empty (`--i-know-this-database-is-scratch`). */
  allowNonEmpty: boolean;
}

/** Where the session runs: a scratch database, or a scratch schema of the URL's database. */
export interface Scratch {
  kind: "database" | "schema";
  /** migsafe_verify_ and 10 random hexadecimal digits. */
  name: string;
}

export interface ServerDatabase extends VerifyDatabase {
  readonly scratch: Scratch;
}

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
 * The URL with its password replaced by `***` (in the user-info part and in a `password=`
 * query parameter), for messages. Everything between `://` and the last `@` before the query
 * is taken as user info, so a password with an unescaped `@` or `/` is hidden too.
 */
export function redactDatabaseUrl(url: string): string {
  const query = url.indexOf("?");
  let head = query === -1 ? url : url.slice(0, query);
  let tail = query === -1 ? "" : url.slice(query);
  const scheme = head.indexOf("://");
  const at = head.lastIndexOf("@");
  if (scheme !== -1 && at > scheme) {
    const userInfo = head.slice(scheme + 3, at);
    const colon = userInfo.indexOf(":");
    if (colon !== -1) head = `${head.slice(0, scheme + 3)}${userInfo.slice(0, colon)}:***${head.slice(at)}`;
  }
  tail = tail.replace(/([?&]password=)[^&#]*/gi, "$1***");
  return head + tail;
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
  const [{ default: pg }, { parseIntoClientConfig }] = await Promise.all([import("pg"), import("pg-connection-string")]);
  let config: ClientConfig;
  try {
    config = parseIntoClientConfig(url);
  } catch (error) {
    throw new ServerDatabaseError(`invalid database URL "${shown}": ${hidePassword(errorText(error), undefined)}`);
  }
  const password = typeof config.password === "string" ? config.password : undefined;
  const hide = (text: string) => hidePassword(text, password);
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

    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
      scratch = { kind: "database", name };
    } catch (error) {
      if (sqlstate(error) !== "42501") {
        throw new ServerDatabaseError(`cannot create the scratch database ${name} at ${place}: ${hide(errorText(error))}`);
      }
    }
    if (scratch) {
      await admin.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS 'migsafe verify scratch database, dropped when the run ends'`);
      try {
        session = await connect({ database: name });
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
        await admin.query(`CREATE SCHEMA ${quoteIdent(name)}`);
      } catch (error) {
        throw new ServerDatabaseError(
          `cannot create a scratch database or schema at ${place} (the role may create neither): ${hide(errorText(error))}`,
        );
      }
      scratch = { kind: "schema", name };
      const startupOptions = [config.options, `-c search_path=${name}`].filter(Boolean).join(" ");
      session = await connect({ options: startupOptions });
    }

    const opened = scratch;
    const client = session!;
    let closing: Promise<void> | undefined;
    return {
      description: `PostgreSQL ${versionText} at ${place} (scratch ${opened.kind} ${opened.name})`,
      majorVersion,
      scratch: opened,
      async exec(sql: string): Promise<void> {
        await client.query(sql);
      },
      async query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
        const result = await client.query({ text: sql, values: params ? [...params] : [] });
        // Without parameters node-postgres uses the simple protocol, which answers each statement of a list.
        const results = result as unknown as QueryResult | QueryResult[];
        const last = Array.isArray(results) ? results[results.length - 1] : results;
        return (last?.rows ?? []) as Row[];
      },
      close(): Promise<void> {
        closing ??= (async () => {
          await client.end().catch(() => {});
          try {
            await dropScratch(admin, opened, majorVersion).catch(async (error: unknown) => {
              // The admin connection may have died during a long run: drop through a new one.
              let again: Client | undefined;
              try {
                again = await connect({});
                await dropScratch(again, opened, majorVersion);
              } catch {
                throw error;
              } finally {
                await again?.end().catch(() => {});
              }
            });
          } catch (error) {
            throw new ServerDatabaseError(
              `could not drop the scratch ${opened.kind} ${opened.name} at ${place}: ${hide(errorText(error))}; ` +
                `drop it by hand: DROP ${opened.kind.toUpperCase()} ${opened.name}${opened.kind === "schema" ? " CASCADE" : ""};`,
            );
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
    await admin.end().catch(() => {});
    throw error instanceof ServerDatabaseError
      ? error
      : new ServerDatabaseError(`PostgreSQL at ${place}: ${hide(errorText(error))}`, sqlstate(error));
  }
}

async function dropScratch(admin: Client, scratch: Scratch, majorVersion: number): Promise<void> {
  if (scratch.kind === "database") {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch.name)}${majorVersion >= 13 ? " WITH (FORCE)" : ""}`);
  } else {
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(scratch.name)} CASCADE`);
  }
}

/** The text with the password, when it is long enough not to be an ordinary word, replaced by `***`. */
function hidePassword(text: string, password: string | undefined): string {
  return password && password.length >= 4 ? text.split(password).join("***") : text;
}
