// The inputs of the benchmark: the real-world corpus, the corpus replicated into a scratch folder, and one small
// migration with its rollback. The scratch folder is made once per run and removed by `cleanup()`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fg from "fast-glob";

export const SQL_GLOB = "**/*.sql";

/** The .sql files under `folder`, sorted, with their total size in bytes. */
export function listSqlFiles(folder) {
  const files = fg.sync(SQL_GLOB, { cwd: folder, absolute: true }).sort();
  const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  return { files, bytes };
}

export function createScratch() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-bench-"));
  let removed = false;
  const cleanup = () => {
    if (removed) return;
    removed = true;
    fs.rmSync(folder, { recursive: true, force: true });
  };
  return { folder, cleanup };
}

/** Copies every file of `corpus` into `times` sibling folders (copy-01/…, copy-02/…) under `target`. */
export function replicate(corpus, corpusFiles, times, target) {
  const made = new Set();
  for (let copy = 1; copy <= times; copy++) {
    const copyRoot = path.join(target, `copy-${String(copy).padStart(2, "0")}`);
    for (const file of corpusFiles) {
      const destination = path.join(copyRoot, path.relative(corpus, file));
      const folder = path.dirname(destination);
      if (!made.has(folder)) {
        fs.mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      fs.copyFileSync(file, destination);
    }
  }
  return target;
}

/**
 * One small migration in a folder of its own, as a pre-commit hook passes it. Its rollback file sits beside it
 * (migsafe's require-rollback is quiet); only the migration is passed to the tools and counted as input.
 */
export function writeSmallMigration(target) {
  fs.mkdirSync(target, { recursive: true });
  const migration = path.join(target, "001_add_column.sql");
  fs.writeFileSync(migration, "ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;\n");
  fs.writeFileSync(path.join(target, "001_add_column_rollback.sql"), "ALTER TABLE users DROP COLUMN IF EXISTS nickname;\n");
  return { file: migration, bytes: fs.statSync(migration).size };
}
