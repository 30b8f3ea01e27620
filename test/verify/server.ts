/**
 * The real PostgreSQL server that the server tests use: MIGSAFE_TEST_DATABASE_URL, a superuser
 * URL (it creates roles and databases). `.ci/run` starts one with scripts/ci-postgres.sh; locally:
 *
 *   env="$(scripts/ci-postgres.sh start)" && eval "$env"    # … and later: scripts/ci-postgres.sh stop
 *
 * Without it the server tests skip with that reason, except in CI (`CI` set), where they fail:
 * a CI run that silently skipped them would prove nothing.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { test } from "vitest";

export function testDatabaseUrl(): string | undefined {
  const url = process.env.MIGSAFE_TEST_DATABASE_URL;
  return url && url.trim() !== "" ? url.trim() : undefined;
}

export const MISSING_SERVER =
  'MIGSAFE_TEST_DATABASE_URL is not set: start a PostgreSQL server with env="$(scripts/ci-postgres.sh start)" && eval "$env"';

/** True when the server tests must fail rather than skip without a server. */
export function serverRequired(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * Registers the one test that stands for a file's server tests when there is no server:
 * it fails in CI and skips with the reason elsewhere.
 */
export function testMissingServer(what: string): void {
  test(`${what} (needs a PostgreSQL server)`, (context) => {
    if (serverRequired()) throw new Error(`${MISSING_SERVER} (CI is set, so the server tests must run)`);
    console.warn(`${what}: skipped. ${MISSING_SERVER}`);
    context.skip(MISSING_SERVER);
  });
}

/** `url` with some of its parts replaced (user, password, host, port, database). */
export function withUrl(url: string, parts: { user?: string; password?: string; host?: string; port?: number; database?: string }): string {
  const u = new URL(url);
  if (parts.user !== undefined) u.username = encodeURIComponent(parts.user);
  if (parts.password !== undefined) u.password = encodeURIComponent(parts.password);
  if (parts.host !== undefined) u.hostname = parts.host;
  if (parts.port !== undefined) u.port = String(parts.port);
  if (parts.database !== undefined) u.pathname = `/${encodeURIComponent(parts.database)}`;
  return u.toString();
}

/** A plain node-postgres connection (the test's own, outside any verify session). */
export async function connectClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** A name no other test run uses: prefix + 8 hexadecimal digits. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString("hex")}`;
}
