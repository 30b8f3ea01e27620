/**
 * What every file of the cache folder shares: where the folder is, and how a file is authenticated
 * (HMAC-SHA256 under the per-user cache secret, cache-secret.ts). Only node:crypto, node:fs and node:path:
 * the small CLI entry (src/cli/entry.ts) checks a run record with these before any of the linter loads.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** HMAC-SHA256 of `body` (and `more`) after the line `label` (which names the file kind, its format and migsafe's version). */
export function macOf(secret: Buffer, label: string, body: string, more?: Uint8Array): string {
  const hmac = createHmac("sha256", secret).update(`${label}\n`).update(body);
  if (more) hmac.update(more);
  return hmac.digest("hex");
}

/** Which secret wrote a file (an HMAC of a constant): tells "another machine's cache" from "a modified one". */
export function secretIdOf(secret: Buffer): string {
  return createHmac("sha256", secret).update("migsafe cache secret id").digest("hex").slice(0, 16);
}

/** Compares two MACs in constant time. */
export function sameMac(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Where the cache lives: node_modules/.cache/migsafe in the nearest folder up from `cwd` with a package.json or node_modules, else in `cwd`. */
export function cacheFolder(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) || fs.existsSync(path.join(dir, "node_modules"))) return path.join(dir, "node_modules", ".cache", "migsafe");
    if (path.dirname(dir) === dir) return path.join(path.resolve(cwd), "node_modules", ".cache", "migsafe");
  }
}
