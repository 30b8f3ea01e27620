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

/**
 * A corpus project's migrations in their original folders (the corpus names a file by its path with `/` → `__`),
 * with a package.json at the top, so that migsafe --cache keeps its cache inside `target`.
 */
export function restoreLayout(projectFolder, target) {
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, "package.json"), '{ "private": true }\n');
  for (const name of fs.readdirSync(projectFolder)) {
    const destination = path.join(target, ...name.split("__"));
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.copyFileSync(path.join(projectFolder, name), destination);
  }
  return target;
}

/**
 * The one-file-changed case: each call removes the migration the previous call added and adds a new one at the end
 * of a Diesel history (`migrations/<version>_<name>/up.sql` and `down.sql`), as a developer's next commit does.
 * The number of files stays the same after the first call.
 */
export function appendDieselMigration(historyFolder) {
  let count = 0;
  return () => {
    count++;
    const migrations = path.join(historyFolder, "migrations");
    for (const name of fs.readdirSync(migrations)) if (name.startsWith("2099-")) fs.rmSync(path.join(migrations, name), { recursive: true });
    const folder = path.join(migrations, `2099-01-01-${String(count).padStart(6, "0")}_bench`);
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, "up.sql"), `ALTER TABLE person ADD COLUMN bench_${count} int;\n`);
    fs.writeFileSync(path.join(folder, "down.sql"), `ALTER TABLE person DROP COLUMN bench_${count};\n`);
  };
}

/** Three small staged migrations, as a pre-commit hook passes them (each with its rollback beside it). */
export function writeStagedMigrations(target) {
  fs.mkdirSync(target, { recursive: true });
  const statements = [
    ["001_add_column", "ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;", "ALTER TABLE users DROP COLUMN IF EXISTS nickname;"],
    ["002_create_table", "CREATE TABLE IF NOT EXISTS notes (id bigint PRIMARY KEY, body text NOT NULL);", "DROP TABLE IF EXISTS notes;"],
    ["003_add_index", "CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_body_idx ON notes (body);", "DROP INDEX CONCURRENTLY IF EXISTS notes_body_idx;"],
  ];
  const files = [];
  let bytes = 0;
  for (const [name, up, down] of statements) {
    const file = path.join(target, `${name}.sql`);
    fs.writeFileSync(file, `${up}\n`);
    fs.writeFileSync(path.join(target, `${name}_rollback.sql`), `${down}\n`);
    files.push(file);
    bytes += fs.statSync(file).size;
  }
  return { files, bytes };
}
