import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeFolder } from "./write-file.js";

/** The environment variable that gives the cache secret (CI: a repository secret, so that jobs share one cache). */
export const CACHE_SECRET_VARIABLE = "MIGSAFE_CACHE_SECRET";
const MIN_SECRET_LENGTH = 16;

export type CacheSecret = { ok: true; secret: Buffer } | { ok: false; problem: string };

/**
 * The key the cache file is authenticated with: MIGSAFE_CACHE_SECRET, else a random secret
 * kept for the user outside every project ($XDG_CONFIG_HOME/migsafe/cache-secret,
 * ~/.config/migsafe/cache-secret by default), made on first use. Whoever can write the
 * cache folder (a pull request's job, a restored CI cache, a cloned repository) but cannot
 * read the secret cannot write a cache that migsafe uses.
 */
export function cacheSecret(env: Readonly<Record<string, string | undefined>>): CacheSecret {
  const given = env[CACHE_SECRET_VARIABLE];
  if (given !== undefined && given !== "") {
    if (given.length < MIN_SECRET_LENGTH) return { ok: false, problem: `${CACHE_SECRET_VARIABLE} is shorter than ${MIN_SECRET_LENGTH} characters` };
    return { ok: true, secret: Buffer.from(given, "utf8") };
  }
  const file = secretFile(env);
  try {
    return { ok: true, secret: readOrCreateSecret(file) };
  } catch (error) {
    return { ok: false, problem: `cannot read or create the cache secret ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}

/** Where the per-user secret is kept when MIGSAFE_CACHE_SECRET is not set. */
export function secretFile(env: Readonly<Record<string, string | undefined>>): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), ".config"), "migsafe", "cache-secret");
}

function readOrCreateSecret(file: string): Buffer {
  try {
    return readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  makeFolder(path.dirname(file), 0o700);
  try {
    fs.writeFileSync(file, randomBytes(32).toString("hex"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    // Another run made it first: use that one.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readSecret(file);
}

function readSecret(file: string): Buffer {
  const stat = fs.statSync(file);
  if (!stat.isFile() || stat.size < MIN_SECRET_LENGTH || stat.size > 4096) throw Object.assign(new Error("not a secret"), { code: "EINVAL" });
  return fs.readFileSync(file);
}
