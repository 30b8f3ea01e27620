/**
 * The migrations of the folder a migration belongs to, in the order its runner applies them (the profile's
 * `order`): what came before a migration is what the runner has applied when it runs it. Each layout has one
 * migration folder: the folder of the files (goose, Flyway, golang-migrate, …), the folder of the migration
 * folders (Prisma's `<timestamp>_<name>/migration.sql`, Diesel's `<version>_<name>/up.sql`), temporal-sql-tool's
 * `versioned/` folder of version folders, Sqitch's plan, Drizzle's journal.
 */
import path from "node:path";
import { SCRIPT, sqitchScript, VERSION_FOLDER, type ProjectFiles } from "./detect.js";
import type { RunnerProfile } from "./profiles.js";
import { compareText } from "../files/compare-text.js";

export interface MigrationSequence {
  /** The folder whose migrations form one history. */
  folder: string;
  /** Its migration files (forward and rollback alike: the caller sets the rollbacks aside), in the runner's order, as absolute paths. */
  files: string[];
}

/** The sequence the migration at `filePath` belongs to; undefined when the runner's order cannot be read from the project's files. */
export function migrationSequence(filePath: string, profile: RunnerProfile, files: ProjectFiles): MigrationSequence | undefined {
  if (!files.list) return undefined;
  const file = path.resolve(filePath);
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (profile.order === "plan") return sqitchSequence(file, files);
  if (profile.order === "journal") return journalSequence(dir, files);
  if (profile.name === "temporal-sql-tool" && path.basename(path.dirname(dir)) === "versioned") {
    const folder = path.dirname(dir);
    const versions = files.list(folder).filter((name) => VERSION_FOLDER.test(name)).sort(byVersion);
    return { folder, files: versions.flatMap((version) => sqlFiles(path.join(folder, version), files).sort(compareText).map((name) => path.join(folder, version, name))) };
  }
  if (ONE_PER_FOLDER.has(base)) {
    // Prisma's and Diesel's layouts: one folder per migration, named so that the name order is the runner's.
    const folder = path.dirname(dir);
    const names = files.list(folder).filter((name) => files.exists(path.join(folder, name, base))).sort(compareText);
    return { folder, files: names.map((name) => path.join(folder, name, base)) };
  }
  const script = SCRIPT.test(base);
  const names = files.list(dir).filter((name) => (script ? SCRIPT.test(name) && !/\.d\.[cm]?ts$/.test(name) : /\.sql$/i.test(name)));
  return { folder: dir, files: names.sort(profile.order === "version" ? byVersion : profile.order === "class-timestamp" ? byTimestamp : compareText).map((name) => path.join(dir, name)) };
}

/** What names the sequence of a migration without listing its folder: files with the same key are in one sequence. */
export function sequenceKey(filePath: string, profile: RunnerProfile): string {
  const dir = path.dirname(path.resolve(filePath));
  const base = path.basename(filePath);
  const folder = ONE_PER_FOLDER.has(base) || profile.name === "temporal-sql-tool" ? path.dirname(dir) : dir;
  return [profile.name, folder, ONE_PER_FOLDER.has(base) ? base : SCRIPT.test(base) ? "script" : "sql"].join("\0");
}

/** The migration file of a one-migration-per-folder layout. */
const ONE_PER_FOLDER = new Set(["migration.sql", "up.sql"]);

function sqlFiles(dir: string, files: ProjectFiles): string[] {
  return (files.list?.(dir) ?? []).filter((name) => /\.sql$/i.test(name));
}


/**
 * By the version a name starts with (`V1_2__x.sql`, `20240101_x.sql`, `v1.10`), its parts compared as numbers, then by
 * name; Flyway's repeatable migrations (`R__`) after every versioned one, and names without a version after them.
 */
function byVersion(a: string, b: string): number {
  const [va, vb] = [versionOf(a), versionOf(b)];
  if (!va || !vb) return va ? -1 : vb ? 1 : compareText(a, b);
  for (let i = 0; i < Math.max(va.length, vb.length); i++) {
    const difference = compareNumbers(va[i] ?? "", vb[i] ?? "");
    if (difference !== 0) return difference;
  }
  return compareText(a, b);
}

function versionOf(name: string): string[] | undefined {
  return /^[VvU]?(\d+(?:[._]\d+)*)/.exec(name)?.[1]!.split(/[._]/);
}

/** Digit strings compared as numbers of any length (`10` after `9`; an absent part first). */
function compareNumbers(a: string, b: string): number {
  const [x, y] = [a.replace(/^0+(?=\d)/, ""), b.replace(/^0+(?=\d)/, "")];
  return x.length - y.length || compareText(x, y);
}

/** TypeORM's order, by the timestamp in the name (`1612345678901-AddUsers.ts`), then by name. */
function byTimestamp(a: string, b: string): number {
  const [ta, tb] = [/\d{10,}/.exec(a)?.[0], /\d{10,}/.exec(b)?.[0]];
  return ta && tb ? compareNumbers(ta, tb) || compareText(a, b) : compareText(a, b);
}

/**
 * Sqitch's deploy scripts in the order of sqitch.plan: a change's name at the start of each line that is not a tag
 * (`@name`), pragma or comment. A reworked change is in the plan once per version; each version but the last runs the
 * script `sqitch rework` kept under the name of a tag between it and the next version (`views@2019-04-19.sql`: the
 * first of those tags that has a script), the last `views.sql`.
 */
function sqitchSequence(file: string, files: ProjectFiles): MigrationSequence | undefined {
  const script = sqitchScript(file, files);
  if (script?.kind !== "deploy") return undefined;
  const plan = files.read(path.join(script.top, "sqitch.plan"));
  if (plan === undefined) return undefined;
  const entries = plan.split(/\r?\n/).flatMap((line): { tag?: string; change?: string }[] => {
    const tag = /^@([^\s]+)\s/.exec(line)?.[1];
    if (tag !== undefined) return [{ tag }];
    const change = /^([^\s@%#][^\s]*)\s/.exec(line)?.[1];
    return change === undefined ? [] : [{ change }];
  });
  const deploy = path.join(script.top, "deploy");
  const scripts = entries.flatMap((entry, i) => {
    if (entry.change === undefined) return [];
    const next = entries.findIndex((later, j) => j > i && later.change === entry.change);
    if (next < 0) return [path.join(deploy, `${entry.change}.sql`)];
    // As Sqitch looks for it: the first of the tags between this version and the next whose script exists, else the first.
    const kept = entries.slice(i + 1, next).flatMap((later) => (later.tag === undefined ? [] : [path.join(deploy, `${entry.change}@${later.tag}.sql`)]));
    return [kept.find((candidate) => files.exists(candidate)) ?? kept[0] ?? path.join(deploy, `${entry.change}.sql`)];
  });
  return { folder: script.top, files: scripts };
}

/** A Drizzle folder's meta/_journal.json, parsed; undefined when it cannot be read or is not JSON. */
function readJournal(dir: string, files: ProjectFiles): unknown {
  try {
    return JSON.parse(files.read(path.join(dir, "meta", "_journal.json")) ?? "");
  } catch {
    return undefined;
  }
}

/** The tags (file names without .sql) Drizzle's journal lists; undefined when the folder has no journal that can be read. */
export function journalTags(dir: string, files: ProjectFiles): Set<string> | undefined {
  const journal = files.exists(path.join(dir, "meta", "_journal.json")) ? (readJournal(dir, files) as { entries?: unknown } | undefined) : undefined;
  const entries = journal?.entries;
  // A journal without its list of entries says nothing of which files run.
  return Array.isArray(entries) ? new Set(entries.flatMap((entry: { tag?: unknown }) => (typeof entry?.tag === "string" ? [entry.tag] : []))) : undefined;
}

/** Drizzle's migrations in the order of meta/_journal.json (`entries[].tag`, by `idx`). */
function journalSequence(dir: string, files: ProjectFiles): MigrationSequence | undefined {
  const journal = readJournal(dir, files) as { entries?: { idx?: number; tag?: string }[] } | undefined;
  if (journal === undefined) return undefined;
  try {
    const entries = (journal.entries ?? []).filter((entry) => typeof entry.tag === "string").sort((a, b) => (a.idx ?? 0) - (b.idx ?? 0));
    return { folder: dir, files: entries.map((entry) => path.join(dir, `${entry.tag}.sql`)) };
  } catch {
    // A journal that is not Drizzle's shape: the order is not known.
    return undefined;
  }
}
