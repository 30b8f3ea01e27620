/**
 * Which runner runs a migration file, with no configuration: from the file's content (goose, dbmate and
 * sql-migrate markers, Drizzle's statement breakpoints, pop's templates, a script's imports), its layout
 * (Prisma's <timestamp>_<name>/migration.sql, Diesel's up.sql/down.sql, Sqitch's deploy/revert/verify
 * folders, temporal-sql-tool's versioned/ folders, Flyway's, golang-migrate's, pop's and popx's file names)
 * and the nearest manifest (package.json, go.mod, build.gradle, pom.xml).
 */
import path from "node:path";
import { PROFILES, type RunnerName } from "./profiles.js";

/** How detection sees the project's files: the disk, or what a run has in memory. */
export interface ProjectFiles {
  exists(filePath: string): boolean;
  read(filePath: string): string | undefined;
  /** The names of the files and folders in a folder (empty when it cannot be read); without it, what needs a listing is not known. */
  list?(dir: string): readonly string[];
  /** A run's file access: computes what `key` names once for the run (the disk does not change during it). */
  remember?<T>(key: string, compute: () => T): T;
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
  if (DBMATE_DUMP.test(text)) return { runner: "dbmate", clues: [{ what: "its -- Dbmate schema migrations section, which dbmate dump writes" }] };
  for (const { runner, pattern } of SQL_MARKERS) {
    const marker = pattern.exec(text)?.[0].trim();
    if (marker) return { runner, clues: [{ what: `the ${marker} marker` }] };
  }
  const dir = path.dirname(file);
  const base = path.basename(file);
  const folder = path.basename(dir);

  if (base === "migration.sql") {
    const lock = path.join(path.dirname(dir), "migration_lock.toml");
    if (files.exists(lock)) return { runner: "prisma", clues: [{ what: "migration_lock.toml beside the migration folders", file: lock }] };
    if (PRISMA_FOLDER.test(folder)) return { runner: "prisma", clues: [{ what: "its folder name, which follows Prisma Migrate's <timestamp>_<name>/migration.sql layout" }] };
  }

  if (/^(up|down)\.sql$/i.test(base)) {
    const config = nearest(dir, "diesel.toml", files);
    if (config) return { runner: "diesel", clues: [{ what: "diesel.toml in a folder above", file: config }] };
    if (DIESEL_FOLDER.test(folder)) return { runner: "diesel", clues: [{ what: "its folder name, which follows Diesel's <YYYY-MM-DD-HHMMSS>_<name> naming" }] };
  }

  const journal = path.join(dir, "meta", "_journal.json");
  if (files.exists(journal)) return { runner: "drizzle", clues: [{ what: "Drizzle's meta/_journal.json beside the file", file: journal }] };

  const sqitch = sqitchScript(file, files);
  if (sqitch) return { runner: "sqitch", clues: [{ what: `sqitch.plan above its ${sqitch.kind}/ folder`, file: path.join(sqitch.top, "sqitch.plan") }] };
  const plan = path.join(dir, "sqitch.plan");
  if (files.exists(plan)) return { runner: "sqitch", clues: [{ what: "sqitch.plan beside it", file: plan }] };

  const temporal = temporalClues(dir, files);
  if (temporal) return { runner: "temporal-sql-tool", clues: temporal };

  if (FLYWAY_NAME.test(base)) {
    const form = base.startsWith("R") ? "R__<name>.sql" : `${base[0]}<version>__<name>.sql`;
    return { runner: "flyway", clues: [{ what: `its file name, which follows Flyway's ${form} naming` }] };
  }
  return goRunner(base, text, dir, files);
}

/** dbmate's schema dump ends with this section (`dbmate dump`, `dbmate up` with dumping on). */
export const DBMATE_DUMP = /^--[ \t]*Dbmate schema migrations[ \t]*$/m;
/** Prisma Migrate's migration folder: `20240101120000_add_users`. */
const PRISMA_FOLDER = /^\d{14}_/;
/** Diesel's folder name: `2019-02-27-170003_create_users`, `2025-06-03-120211-0000_x` (Diesel 2.2), and its own `00000000000000_diesel_initial_setup`. */
const DIESEL_FOLDER = /^(\d{4}-\d{2}-\d{2}-\d{6}(?:-\d{4})?|00000000000000)_/;
/** `V1__init.sql`, `V2.1__x.sql`, `V44_3__x.sql`, `R__views.sql`, `U1__init.sql`. */
export const FLYWAY_NAME = /^(?:[VU]\d+(?:[._]\d+)*__.+|R__.+)\.sql$/;
/** golang-migrate's file name: `<version>_<anything>.up.sql` (`0031_2.0.3_schema.up.sql`). */
const GOLANG_MIGRATE_NAME = /^\d+_.+\.(up|down)\.sql$/i;
/** pop's and popx's file name: `<version>_<name>[.<dialect>][.autocommit].(up|down).sql`, the name without dots. */
export const POP_NAME = /^(\d+)_[^.]+(?:\.([a-z0-9]+))?(\.autocommit)?\.(up|down)\.sql$/;
/** The dialects pop names in file names, as pop's CanonicalDialect reads them. */
const POP_DIALECTS: Readonly<Record<string, string>> = {
  postgres: "PostgreSQL",
  postgresql: "PostgreSQL",
  pg: "PostgreSQL",
  cockroach: "CockroachDB",
  cockroachdb: "CockroachDB",
  crdb: "CockroachDB",
  mysql: "MySQL",
  mariadb: "MariaDB",
  sqlite: "SQLite",
  sqlite3: "SQLite",
};
/** The database a pop or popx file name's dialect is for (`mysql` → MySQL); undefined for a name without a known dialect. */
export function popDatabase(dialect: string | undefined): string | undefined {
  return dialect !== undefined && Object.hasOwn(POP_DIALECTS, dialect) ? POP_DIALECTS[dialect] : undefined;
}

/** pop renders every SQL migration as a Go template of the connection's details: `{{ index .Options "Namespace" }}`. */
const POP_TEMPLATE = /\{\{[^}]*\.Options\b[^}]*\}\}/;

/**
 * The runner of a Go project's `<version>_<name>.up.sql` / `.down.sql` files: golang-migrate, pop or Ory's popx,
 * which read much the same names. popx's own forms (`.autocommit.`, a dialect after a version longer than pop's
 * 14 digits) and pop's (a dialect, a template of the connection's options) decide, then the nearest go.mod;
 * anything else is golang-migrate's.
 */
function goRunner(base: string, text: string, dir: string, files: ProjectFiles): Detection | undefined {
  const pop = POP_NAME.exec(base);
  if (!pop && !GOLANG_MIGRATE_NAME.test(base)) return undefined;
  const direction = (pop?.[4] ?? GOLANG_MIGRATE_NAME.exec(base)![1]!).toLowerCase();
  const dialect = popDatabase(pop?.[2]) && pop?.[2];
  const popForm = `<version>_<name>${dialect ? ".<dialect>" : ""}${pop?.[3] ? ".autocommit" : ""}.${direction}.sql`;
  const named = (runner: "pop" | "popx" | "golang-migrate", form: string): Clue => ({ what: `its file name, which follows ${PROFILES[runner].title}'s ${form} naming` });
  if (pop?.[3]) return { runner: "popx", clues: [named("popx", popForm)] };
  const goMod = nearest(dir, "go.mod", files);
  const modules = goMod ? requiredModules(files.read(goMod) ?? "") : [];
  const required = (module: string): Clue[] => (goMod && modules.some((each) => each.startsWith(module)) ? [{ what: `go.mod's requirement of ${module}`, file: goMod }] : []);
  if (pop) {
    // popx requires pop: a go.mod that names Ory's x library runs popx.
    for (const [runner, module] of [["popx", "github.com/ory/x"], ["pop", "github.com/gobuffalo/pop"]] as const) {
      const clue = required(module);
      if (clue.length > 0) return { runner, clues: [...clue, named(runner, popForm)] };
    }
  }
  const migrate = required("github.com/golang-migrate/migrate");
  if (migrate.length > 0 || !pop) return { runner: "golang-migrate", clues: [named("golang-migrate", `<version>_<name>.${direction}.sql`), ...migrate] };
  // Ory's projects number their migrations past pop's 14 digits (`20150100000001000000_networks.postgres.up.sql`).
  if (dialect) return pop[1]!.length > 14 ? { runner: "popx", clues: [named("popx", popForm)] } : { runner: "pop", clues: [named("pop", popForm)] };
  if (POP_TEMPLATE.test(text)) return { runner: "pop", clues: [{ what: "its {{ … .Options … }} template, which pop renders with the connection's details" }] };
  return { runner: "golang-migrate", clues: [named("golang-migrate", `<version>_<name>.${direction}.sql`)] };
}

/** The modules a go.mod requires itself (not `// indirect`). */
function requiredModules(goMod: string): string[] {
  const modules: string[] = [];
  for (const line of goMod.split(/\r?\n/)) {
    const module = /^\s*(?:require\s+)?([\w.-]+\.[\w.-]+\/\S+)\s+v\S+/.exec(line)?.[1];
    if (module && !/\/\/\s*indirect\b/.test(line)) modules.push(module);
  }
  return modules;
}

/**
 * temporal-sql-tool's layout: `update-schema -d …/versioned` runs the files of each version folder
 * (`versioned/v1.2/`, listed by its manifest.json); `setup-schema` runs the schema beside `versioned/`.
 */
function temporalClues(dir: string, files: ProjectFiles): Clue[] | undefined {
  if (VERSION_FOLDER.test(path.basename(dir)) && path.basename(path.dirname(dir)) === "versioned") {
    const manifest = path.join(dir, "manifest.json");
    const layout = { what: "its folder, a version folder under versioned/ (temporal-sql-tool's layout)" };
    return files.exists(manifest) ? [layout, { what: "manifest.json beside it", file: manifest }] : [layout];
  }
  const versioned = path.join(dir, "versioned");
  if (files.list?.(dir).includes("versioned") && files.list(versioned).some((name) => VERSION_FOLDER.test(name))) {
    return [{ what: "the versioned/ folder of version folders beside it (temporal-sql-tool's layout: the schema setup-schema runs)" }];
  }
  return undefined;
}

/** temporal-sql-tool's version folders: `v1.0`, `v1.10` (its `^v[\d.]+`). */
export const VERSION_FOLDER = /^v\d+(?:\.\d+)*$/;

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
  pop: (dir, files) => goModClue(dir, files, "github.com/gobuffalo/pop"),
  popx: (dir, files) => goModClue(dir, files, "github.com/ory/x"),
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
  // A run's file access remembers each folder's answer: the files of one folder, and the folders of one tree, share the walk.
  const find = (): string | undefined => {
    const candidate = path.join(dir, name);
    if (files.exists(candidate)) return candidate;
    const parent = path.dirname(dir);
    return parent === dir ? undefined : nearest(parent, name, files);
  };
  return files.remember ? files.remember(`nearest\0${name}\0${dir}`, find) : find();
}
