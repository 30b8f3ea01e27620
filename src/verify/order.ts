/**
 * The order verify runs migrations in: the runner's, when migsafe knows the runner (lint's runner detection and its
 * migration sequences: Sqitch's plan, Drizzle's journal, temporal's version folders, Flyway's versions); otherwise by
 * migration name, numbers compared as numbers and version folders (`v1.2` before `v1.10`, `delta/9` before
 * `delta/10`) part of the name; or as the user gave them (`--order as-given`, or a file that lists them).
 */
import path from "node:path";
import { migrationName } from "../config/resolve.js";
import { migrationSequence } from "../runners/migration-order.js";
import type { FileRunners } from "./file-runners.js";
import { compareText } from "../files/compare-text.js";

/** `--order`: the runner's order (the default), the order of the command line, or the order of a list of files. */
export type MigrationOrder = { kind: "runner" } | { kind: "as-given" } | { kind: "list"; files: readonly string[]; source: string };

export interface Ordered {
  files: string[];
  /** One line each: two migrations the order cannot tell apart, files a list leaves out. */
  warnings: string[];
}

/**
 * Puts the forward migrations (`given`, in the order the user gave them) in the order to run them. In the runner's
 * order, the files of one sequence keep the places the name order gives the sequence, and take them in the sequence's
 * order: folders stay interleaved as their names say, and each runs in its runner's order.
 */
export function orderMigrations(given: readonly string[], order: MigrationOrder, runners: FileRunners, show: (filePath: string) => string): Ordered {
  if (order.kind === "as-given") return { files: [...given], warnings: [] };
  if (order.kind === "list") return listed(given, order, show);
  const byName = [...given].sort(compareMigrations);
  const files = inRunnerOrder(byName, runners);
  return { files, warnings: sameVersion(files, show) };
}

/**
 * Migration order by name, as runners sort when migsafe does not know the runner: by the migration's name (its
 * folder's for `…/up.sql` and `…/migration.sql`, with the version folder it is in), numbers compared as numbers
 * (`2_b` before `10_a`, timestamps, Flyway's `V1_1__`); Flyway's repeatable `R__` migrations after the versioned ones.
 */
export function compareMigrations(a: string, b: string): number {
  const nameA = orderName(a);
  const nameB = orderName(b);
  const repeatable = Number(/^R__/i.test(path.basename(nameA))) - Number(/^R__/i.test(path.basename(nameB)));
  return repeatable || naturalCompare(nameA, nameB) || compareText(a, b);
}

/** A folder named like a version (`v1.10`, `9`, `2.3`): its migrations run in the folders' version order. */
const VERSION_FOLDER = /^v?\d+(?:[._]\d+)*$/i;

function orderName(filePath: string): string {
  const name = migrationName(filePath);
  const base = path.basename(filePath);
  const folder = path.dirname(/^(up|down|migration)\.sql$/i.test(base) ? path.dirname(filePath) : filePath);
  return VERSION_FOLDER.test(path.basename(folder)) ? `${path.basename(folder)}/${name}` : name;
}

function naturalCompare(a: string, b: string): number {
  const partsA = a.match(/\d+|\D+/g) ?? [];
  const partsB = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(partsA.length, partsB.length); i++) {
    const x = partsA[i]!;
    const y = partsB[i]!;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const difference = BigInt(x) - BigInt(y);
      if (difference !== 0n) return difference < 0n ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return partsA.length - partsB.length;
}

/** The files of each known sequence re-ordered, in the places they hold, as their runner orders them. */
function inRunnerOrder(byName: readonly string[], runners: FileRunners): string[] {
  const sequences = new Map<string, { slots: number[]; positions: Map<string, number> }>();
  byName.forEach((filePath, slot) => {
    const profile = runners.of(filePath)?.profile;
    const sequence = profile && migrationSequence(filePath, profile, runners.files);
    const at = sequence?.files.indexOf(path.resolve(filePath)) ?? -1;
    if (!sequence || at < 0) return;
    let entry = sequences.get(sequence.folder);
    if (!entry) sequences.set(sequence.folder, (entry = { slots: [], positions: new Map(sequence.files.map((file, i) => [file, i])) }));
    entry.slots.push(slot);
  });
  const ordered = [...byName];
  for (const { slots, positions } of sequences.values()) {
    const members = slots.map((slot) => byName[slot]!).sort((a, b) => positions.get(path.resolve(a))! - positions.get(path.resolve(b))!);
    slots.forEach((slot, i) => (ordered[slot] = members[i]!));
  }
  return ordered;
}

/** The version a migration's name starts with (`001`, `V1_2`, `20240101120000`, Diesel's `2024-01-08-132525`), for telling two apart. */
function versionOf(filePath: string): string | undefined {
  return /^[vV]?(\d+(?:[._-]\d+)*)(?!\d)/.exec(path.basename(migrationName(filePath)))?.[1];
}

/** Two migrations of one folder with the same version: runners refuse them (Flyway, golang-migrate) or order them by name. */
function sameVersion(files: readonly string[], show: (filePath: string) => string): string[] {
  const seen = new Map<string, string>();
  const warnings: string[] = [];
  for (const file of files) {
    const version = versionOf(file);
    if (version === undefined) continue;
    const key = `${path.dirname(/^(up|down|migration)\.sql$/i.test(path.basename(file)) ? path.dirname(file) : file)}\0${version.replace(/^0+(?=\d)/, "")}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, file);
    else warnings.push(`${show(first)} and ${show(file)} have the same version ${version}: they run in name order here, and a runner may refuse them or run them the other way`);
  }
  return warnings;
}

/** The given files in the list's order; those it leaves out are not run, those it names that are not given are said once. */
function listed(given: readonly string[], order: Extract<MigrationOrder, { kind: "list" }>, show: (filePath: string) => string): Ordered {
  const wanted = new Set(given.map((file) => path.resolve(file)));
  const byResolved = new Map(given.map((file) => [path.resolve(file), file]));
  const files: string[] = [];
  const unknown: string[] = [];
  for (const entry of order.files) {
    const file = byResolved.get(path.resolve(entry));
    if (file === undefined) unknown.push(entry);
    else if (wanted.delete(path.resolve(entry))) files.push(file);
  }
  const warnings: string[] = [];
  if (unknown.length > 0) warnings.push(`${order.source} names ${unknown.length === 1 ? "a file" : `${unknown.length} files`} that is not a migration given to verify: ${unknown.map(show).join(", ")}`);
  if (wanted.size > 0) warnings.push(`${order.source} leaves out ${wanted.size === 1 ? "a migration" : `${wanted.size} migrations`}, not run: ${[...wanted].map((file) => show(byResolved.get(file)!)).join(", ")}`);
  return { files, warnings };
}
