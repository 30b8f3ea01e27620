import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forwardOnlyReason, type FolderAccess } from "../../src/engine/forward-only.js";

const BY_VERSION = new Intl.Collator("en", { numeric: true }).compare;
const FOLDER = "/p/migrations";
const WITH_ROLLBACK = "ALTER TABLE t ADD COLUMN c int;\n-- migrate:down\nALTER TABLE t DROP COLUMN c;\n";
const WITHOUT = "ALTER TABLE t ADD COLUMN c int;\n";

/** A folder of SQL migrations in memory; `remembered` keeps answers for the run, as the engine's file access does. */
function folder(files: Record<string, string>, remembering: boolean): FolderAccess {
  const remembered = new Map<string, unknown>();
  return {
    exists: (file) => Object.hasOwn(files, path.basename(file)) && path.dirname(file) === FOLDER,
    read: (file) => (path.dirname(file) === FOLDER ? files[path.basename(file)] : undefined),
    list: (dir) => (dir === FOLDER ? Object.keys(files) : []),
    ...(remembering
      ? {
          remember<T>(key: string, compute: () => T): T {
            if (!remembered.has(key)) remembered.set(key, compute());
            return remembered.get(key) as T;
          },
        }
      : {}),
  };
}

/** The definition: a reason when the folder holds other migrations and none of those that sort before this one has a rollback. */
function expected(name: string, files: Record<string, string>): string | undefined {
  const names = Object.keys(files);
  if (names.length < 2) return undefined;
  const earlier = names.filter((other) => BY_VERSION(other, name) < 0);
  if (earlier.some((other) => files[other] === WITH_ROLLBACK)) return undefined;
  const before = earlier.length === 0 ? "it is the first migration of its folder" : `none of the ${earlier.length} migrations before it in its folder has a rollback (no rollback file, down section with SQL, or rollback block)`;
  return `${before}: the project goes forward only, at least so far`;
}

describe("forwardOnlyReason", () => {
  it("answers as the definition does, for every file of a folder, asked in any order, with and without a run's memory", () => {
    const name = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom("a", "b", "users", "Users")).map(([version, word]) => `${version}_${word}.sql`);
    fc.assert(
      fc.property(fc.dictionary(name, fc.boolean(), { minKeys: 1, maxKeys: 12 }), fc.boolean(), fc.integer(), (rollbacks, remembering, seed) => {
        const files = Object.fromEntries(Object.entries(rollbacks).map(([file, has]) => [file, has ? WITH_ROLLBACK : WITHOUT]));
        const access = folder(files, remembering);
        const order = Object.keys(files).sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 17 + seed) % 5) || a.localeCompare(b));
        for (const file of order) expect(forwardOnlyReason(path.join(FOLDER, file), access, () => undefined), file).toBe(expected(file, files));
      }),
      { numRuns: 500 },
    );
  });

  it("reads each migration of a large folder at most once in a run over all of them", () => {
    const files = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`${i + 1}_m.sql`, WITHOUT]));
    const access = folder(files, true);
    let reads = 0;
    const counted: FolderAccess = { ...access, read: (file) => (reads++, access.read(file)) };
    for (const file of Object.keys(files)) forwardOnlyReason(path.join(FOLDER, file), counted, () => undefined);
    expect(reads).toBeLessThanOrEqual(400);
  });
});
