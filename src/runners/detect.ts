/**
 * Which runner runs a migration file, with no configuration: from the file's content (goose, dbmate and
 * sql-migrate markers, Drizzle's statement breakpoints, a script's imports), its layout (Prisma's
 * migration_lock.toml, Diesel's up.sql/down.sql, Sqitch's deploy/revert/verify folders, Flyway's and
 * golang-migrate's file names) and the nearest manifest (package.json, go.mod, build.gradle, pom.xml).
 */
import path from "node:path";
import type { RunnerName } from "./profiles.js";

/** How detection sees the project's files: the disk, or what a run has in memory. */
export interface ProjectFiles {
  exists(filePath: string): boolean;
  read(filePath: string): string | undefined;
}

/** One thing that told migsafe which runner runs the file. */
export interface Clue {
  /** What it is, as messages say it: `the -- +goose Up marker`, `migration_lock.toml beside the migration folders`. */
  what: string;
  /** The file it was found in, when it is another file than the migration. */
  file?: string;
}

export interface Detection {
  runner: RunnerName;
  /** What decided, first, then what agrees with it (a manifest that names the runner). */
  clues: Clue[];
}

/** Files linted as TypeScript/JavaScript migrations. */
export const SCRIPT = /\.(ts|mts|cts|js|mjs|cjs|tsx|jsx)$/i;

export function detectRunner(filePath: string, text: string, files: ProjectFiles): Detection | undefined {
  const file = path.resolve(filePath);
  const found = SCRIPT.test(file) ? scriptRunner(file, text, files) : sqlRunner(file, text, files);
  if (!found) return undefined;
  const manifest = MANIFESTS[found.runner]?.(path.dirname(file), files);
  return manifest && !found.clues.some((clue) => clue.file === manifest.file) ? { ...found, clues: [...found.clues, manifest] } : found;
}

const SQL_MARKERS: { runner: RunnerName; pattern: RegExp }[] = [
  { runner: "goose", pattern: /^[ \t]*--[ \t]*\+goose[ \t]+(?:up|down)\b.*$/im },
  { runner: "dbmate", pattern: /^[ \t]*--[ \t]*migrate:(?:up|down)\b.*$/im },
  { runner: "sql-migrate", pattern: /^[ \t]*--[ \t]*\+migrate[ \t]+(?:up|down)\b.*$/im },
  { runner: "drizzle", pattern: /^[ \t]*-->[ \t]*statement-breakpoint\b.*$/im },
];

function sqlRunner(file: string, text: string, files: ProjectFiles): Detection | undefined {
  for (const { runner, pattern } of SQL_MARKERS) {
    const marker = pattern.exec(text)?.[0].trim();
    if (marker) return { runner, clues: [{ what: `the ${marker} marker` }] };
  }
  const dir = path.dirname(file);
  const base = path.basename(file);
  const folder = path.basename(dir);

  const lock = path.join(path.dirname(dir), "migration_lock.toml");
  if (base === "migration.sql" && files.exists(lock)) return { runner: "prisma", clues: [{ what: "migration_lock.toml beside the migration folders", file: lock }] };

  if (/^(up|down)\.sql$/i.test(base)) {
    const config = nearest(dir, "diesel.toml", files);
    if (config) return { runner: "diesel", clues: [{ what: "diesel.toml in a folder above", file: config }] };
    if (DIESEL_FOLDER.test(folder)) return { runner: "diesel", clues: [{ what: "its folder name, which follows Diesel's <YYYY-MM-DD-HHMMSS>_<name> naming" }] };
  }

  const journal = path.join(dir, "meta", "_journal.json");
  if (files.exists(journal)) return { runner: "drizzle", clues: [{ what: "Drizzle's meta/_journal.json beside the file", file: journal }] };

  const sqitch = sqitchScript(file, files);
  if (sqitch) return { runner: "sqitch", clues: [{ what: `sqitch.plan above its ${sqitch.kind}/ folder`, file: path.join(sqitch.top, "sqitch.plan") }] };

  if (FLYWAY_NAME.test(base)) {
    const form = base.startsWith("R") ? "R__<name>.sql" : `${base[0]}<version>__<name>.sql`;
    return { runner: "flyway", clues: [{ what: `its file name, which follows Flyway's ${form} naming` }] };
  }
  const direction = GOLANG_MIGRATE_NAME.exec(base)?.[1];
  if (direction) return { runner: "golang-migrate", clues: [{ what: `its file name, which follows golang-migrate's <version>_<name>.${direction.toLowerCase()}.sql naming` }] };
  return undefined;
}

/** Diesel's folder name: `2019-02-27-170003_create_users` (and its own `00000000000000_diesel_initial_setup`). */
const DIESEL_FOLDER = /^(\d{4}-\d{2}-\d{2}-\d{6}|00000000000000)_/;
/** `V1__init.sql`, `V2.1__x.sql`, `V44_3__x.sql`, `R__views.sql`, `U1__init.sql`. */
export const FLYWAY_NAME = /^(?:[VU]\d+(?:[._]\d+)*__.+|R__.+)\.sql$/;
const GOLANG_MIGRATE_NAME = /^\d+_[^.]+\.(up|down)\.sql$/i;

/** The folders of a Sqitch project: each change has a deploy, a revert and a verify script, at the same path in each. */
export type SqitchKind = "deploy" | "revert" | "verify";

/** Where a Sqitch script sits: its kind, the project's top folder (with sqitch.plan), and its path under the kind's folder. */
export function sqitchScript(file: string, files: ProjectFiles): { kind: SqitchKind; top: string; relative: string } | undefined {
  for (let dir = path.dirname(file); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const kind = path.basename(dir);
    if (kind !== "deploy" && kind !== "revert" && kind !== "verify") continue;
    const top = path.dirname(dir);
    if (files.exists(path.join(top, "sqitch.plan"))) return { kind, top, relative: path.relative(dir, file) };
  }
  return undefined;
}

function scriptRunner(file: string, text: string, files: ProjectFiles): Detection | undefined {
  for (const { runner, pattern, what } of SCRIPT_SHAPES) {
    if (pattern.test(text)) return { runner, clues: [{ what }] };
  }
  const manifest = nearest(path.dirname(file), "package.json", files);
  const dependencies = manifest ? dependenciesOf(manifest, files) : undefined;
  const runner = dependencies && SCRIPT_PACKAGES.find(([name]) => dependencies.has(name));
  return runner && manifest ? { runner: runner[1], clues: [{ what: `package.json's dependency on ${runner[0]}`, file: manifest }] } : undefined;
}

/** `from "pkg"`, `from 'pkg/sub'`, `require("pkg")`, `import("pkg")`. */
function importOf(name: string): RegExp {
  return new RegExp(`(?:\\bfrom\\s*|\\brequire\\s*\\(\\s*|\\bimport\\s*\\(\\s*)["']${name.replace(/[/.-]/g, "\\$&")}(?:/[^"']*)?["']`);
}

/** What a script migration looks like under each runner: its imports first, then the shape of its functions. */
const SCRIPT_SHAPES: { runner: RunnerName; pattern: RegExp; what: string }[] = [
  { runner: "typeorm", pattern: /\bimplements\s+MigrationInterface\b/, what: "its class implementing TypeORM's MigrationInterface" },
  { runner: "mikro-orm", pattern: importOf("@mikro-orm/migrations"), what: "its import of @mikro-orm/migrations" },
  { runner: "node-pg-migrate", pattern: importOf("node-pg-migrate"), what: "its import of node-pg-migrate" },
  { runner: "kysely", pattern: importOf("kysely"), what: "its import of kysely" },
  { runner: "typeorm", pattern: importOf("typeorm"), what: "its import of typeorm" },
  { runner: "knex", pattern: importOf("knex"), what: "its import of knex" },
  { runner: "sequelize", pattern: importOf("sequelize"), what: "its import of sequelize" },
  { runner: "sequelize", pattern: /\bqueryInterface\b/, what: "its functions taking Sequelize's queryInterface" },
  { runner: "node-pg-migrate", pattern: /\bpgm\.\w+\s*\(/, what: "its calls of node-pg-migrate's pgm" },
  { runner: "knex", pattern: /\bup\b[^\n{]*\(\s*knex\b/, what: "its up function taking knex" },
];

/** Dependencies that name the runner of a project's script migrations, in the order they are asked about. */
const SCRIPT_PACKAGES: [string, RunnerName][] = [
  ["typeorm", "typeorm"],
  ["@mikro-orm/migrations", "mikro-orm"],
  ["node-pg-migrate", "node-pg-migrate"],
  ["kysely", "kysely"],
  ["knex", "knex"],
  ["sequelize-cli", "sequelize"],
  ["sequelize", "sequelize"],
];

/** What in the nearest manifest agrees with a runner found from the file: a dependency, a Go module, a build plugin. */
const MANIFESTS: Partial<Record<RunnerName, (dir: string, files: ProjectFiles) => Clue | undefined>> = {
  ...Object.fromEntries(
    SCRIPT_PACKAGES.map(([, runner]) => [runner, (dir: string, files: ProjectFiles) => packageClue(dir, files, SCRIPT_PACKAGES.filter((each) => each[1] === runner).map(([name]) => name))]),
  ),
  prisma: (dir, files) => packageClue(dir, files, ["prisma", "@prisma/client"]),
  drizzle: (dir, files) => packageClue(dir, files, ["drizzle-kit", "drizzle-orm"]),
  goose: (dir, files) => goModClue(dir, files, "github.com/pressly/goose"),
  "golang-migrate": (dir, files) => goModClue(dir, files, "github.com/golang-migrate/migrate"),
  flyway: (dir, files) => {
    for (const name of ["flyway.conf", "flyway.toml"]) {
      const config = nearest(dir, name, files);
      if (config) return { what: `${name} in a folder above`, file: config };
    }
    for (const name of ["build.gradle", "build.gradle.kts", "pom.xml"]) {
      const build = nearest(dir, name, files);
      if (build && /flyway/i.test(files.read(build) ?? "")) return { what: `${name}'s use of Flyway`, file: build };
    }
    return undefined;
  },
};

function packageClue(dir: string, files: ProjectFiles, names: readonly string[]): Clue | undefined {
  const manifest = nearest(dir, "package.json", files);
  const dependencies = manifest ? dependenciesOf(manifest, files) : undefined;
  const name = names.find((each) => dependencies?.has(each));
  return name && manifest ? { what: `package.json's dependency on ${name}`, file: manifest } : undefined;
}

function goModClue(dir: string, files: ProjectFiles, module: string): Clue | undefined {
  const goMod = nearest(dir, "go.mod", files);
  return goMod && files.read(goMod)?.includes(module) ? { what: `go.mod's requirement of ${module}`, file: goMod } : undefined;
}

/** The dependencies a package.json declares, of every kind; empty when it cannot be read. */
function dependenciesOf(manifest: string, files: ProjectFiles): Set<string> {
  const names = new Set<string>();
  let json: unknown;
  try {
    json = JSON.parse((files.read(manifest) ?? "").replace(/^\uFEFF/, ""));
  } catch {
    return names;
  }
  for (const key of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
    const group = (json as Record<string, unknown> | null)?.[key];
    if (group && typeof group === "object") for (const name of Object.keys(group)) names.add(name);
  }
  return names;
}

/** The file `name` in `dir` or the nearest folder above it. */
function nearest(dir: string, name: string, files: ProjectFiles): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    const candidate = path.join(current, name);
    if (files.exists(candidate)) return candidate;
    if (path.dirname(current) === current) return undefined;
  }
}
