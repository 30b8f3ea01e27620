/**
 * PGlite's freshly initialised data folder, kept per user: starting PGlite runs initdb in a WebAssembly instance of
 * its own, which takes ≈2 s and stays in memory for the rest of the run (≈240 MB); started from the saved folder (a
 * tar of it, `loadDataDir`), PGlite needs neither (0.6 s, 334 instead of 576 MB peak for an empty database).
 *
 * The folder is the database verify's migrations run on: one planted there (a table that makes a failing migration
 * pass) would change verify's findings. So it is kept in the user's own cache folder (src/files/user-cache.ts: owned
 * by the user, writable by no one else) and authenticated like the `--cache` files, with an HMAC-SHA256 under the
 * per-user cache secret; a file that fails either check is not used, and PGlite runs initdb as without one. It is
 * made once per PGlite version and start parameters, from the database as initdb leaves it, before any migration.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { cacheSecret } from "../files/cache-secret.js";
import { macOf, sameMac } from "../files/cache-mac.js";
import { keepNewest, readOwnFile, userCacheFolder, writeOwnFile } from "../files/user-cache.js";

/** The hex HMAC, then a line break, then the tar. */
const MAC_LENGTH = 64;
/** Data folders kept (one per PGlite version and start parameters, ≈40 MB each): the most recently made. */
const KEPT = 2;

export interface PgliteTemplate {
  /** The saved data folder (a tar), when there is one this user made and it checks out. */
  read(): Uint8Array | undefined;
  /** Saves a data folder as initdb left it; false when it could not be written (the next run runs initdb again). */
  write(tar: Uint8Array): boolean;
}

/**
 * The template of this PGlite version and these start parameters for the user of `env`; undefined without a cache
 * secret (the template is then neither read nor made) or with `MIGSAFE_NO_PGLITE_TEMPLATE=1`.
 */
export function pgliteTemplate(env: Readonly<Record<string, string | undefined>>, pgliteVersion: string, startParams: readonly string[]): PgliteTemplate | undefined {
  if (env.MIGSAFE_NO_PGLITE_TEMPLATE === "1") return undefined;
  const secret = cacheSecret(env);
  if (!secret.ok) return undefined;
  const identity = [pgliteVersion, process.arch, ...startParams].join("\0");
  const file = path.join(userCacheFolder(env, "pglite"), `datadir-${createHash("sha256").update(identity).digest("hex").slice(0, 32)}.tar`);
  const label = `migsafe pglite data folder ${identity}`;
  return {
    read() {
      const bytes = readOwnFile(file);
      if (!bytes || bytes.length <= MAC_LENGTH + 1 || bytes[MAC_LENGTH] !== 0x0a) return undefined;
      const tar = bytes.subarray(MAC_LENGTH + 1);
      return sameMac(bytes.toString("latin1", 0, MAC_LENGTH), macOf(secret.secret, label, "", tar)) ? tar : undefined;
    },
    write(tar) {
      try {
        if (!writeOwnFile(file, [Buffer.from(`${macOf(secret.secret, label, "", tar)}\n`), tar])) return false;
        keepNewest(file, (name) => /^datadir-[0-9a-f]+\.tar$/.test(name), KEPT);
        return true;
      } catch {
        return false;
      }
    },
  };
}
