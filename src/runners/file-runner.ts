/**
 * How one migration file is run: the runner detected (or named by the `runner` setting), what the
 * `assumeInTransaction` setting says when it is set, and what the file itself turns off or on.
 * The engine hands the result to the facts, as it hands them the rollback partner.
 */
import path from "node:path";
import { detectRunner, FLYWAY_NAME, SCRIPT, sqitchScript, type Clue, type ProjectFiles } from "./detect.js";
import { notAMigration } from "./not-a-migration.js";
import { PROFILES, type RollbackPlace, type RunnerName, type RunnerProfile, type Wrapping } from "./profiles.js";

/** What the configuration says of the runner; undefined: not set. */
export interface RunnerSettings {
  /** The runner's profile, instead of the detected one; "none": no runner wraps anything. */
  runner: RunnerName | "none" | undefined;
  /** Set: the runner wraps each file in a transaction (true) or does not (false), whatever runner is detected. */
  assumeInTransaction: boolean | undefined;
}

/** A migration and its rollback, where the runner keeps them apart (Sqitch's revert/ folder, Flyway's undo files). */
export interface RunnerPartner {
  role: "forward" | "rollback";
  partnerPath: string | undefined;
}

export interface FileRunner {
  /** The runner's profile; undefined when none was detected or named. */
  profile: RunnerProfile | undefined;
  /** How the runner sends this file to PostgreSQL: the profile's way, unless the configuration or the file says otherwise. */
  wrapping: Wrapping;
  /** Why migsafe thinks so, as messages say it; empty when nothing is known. */
  reason: string;
  /** Where the file's rollback lives: "none" where none is asked for; undefined when no runner is known. */
  rollback: RollbackPlace | undefined;
  /** What decided: the marker, layout, file or manifest, or the configuration. */
  decidedBy: Clue[];
  /** A script whose every statement PostgreSQL refuses in a transaction block runs without one (Flyway). */
  aloneWhenRefused: boolean;
  /** The rollback partner, where the runner says where it is. */
  partner?: RunnerPartner;
  /** Why the runner never runs this file as a migration (dbmate's schema dump, a Sqitch verify script, …): it is not linted. */
  notAMigration?: string;
  /** What the migration writes to turn its runner's transaction off (`exports.config = { transaction: false }`): its author's choice. */
  optedOut?: string;
}

/** No runner known, nothing assumed: every statement commits on its own unless the file says BEGIN. */
export const NO_RUNNER: FileRunner = { profile: undefined, wrapping: "none", reason: "", rollback: undefined, decidedBy: [], aloneWhenRefused: false };

const ASSUMED = "the configuration says the runner wraps each file in a transaction (assumeInTransaction)";
const NOT_ASSUMED = 'the configuration says the runner does not wrap files in a transaction ("assumeInTransaction": false)';

/** The runner of a file when only `assumeInTransaction` is known. */
export function assumedRunner(inTransaction: boolean): FileRunner {
  return {
    ...NO_RUNNER,
    wrapping: inTransaction ? "transaction" : "none",
    reason: inTransaction ? ASSUMED : NOT_ASSUMED,
    decidedBy: [{ what: `"assumeInTransaction": ${inTransaction} in the configuration` }],
  };
}

/** How the file at `filePath`, whose text is `text`, is run. */
export function runnerOf(filePath: string, text: string, files: ProjectFiles, settings: RunnerSettings): FileRunner {
  const runner = profileRunner(filePath, text, files, settings.runner);
  const notRun = notAMigration(path.resolve(filePath), text, files, runner.profile?.name);
  const run = withFileSwitch(settings.assumeInTransaction === undefined ? runner : withAssumption(runner, settings.assumeInTransaction), filePath, text, files);
  return notRun ? { ...run, notAMigration: notRun } : run;
}

/** The runner, wrapping files as `assumeInTransaction` says. */
function withAssumption(runner: FileRunner, inTransaction: boolean): FileRunner {
  const assumed = assumedRunner(inTransaction);
  return { ...runner, wrapping: assumed.wrapping, reason: assumed.reason, decidedBy: [...runner.decidedBy, ...assumed.decidedBy], aloneWhenRefused: false };
}

function profileRunner(filePath: string, text: string, files: ProjectFiles, named: RunnerSettings["runner"]): FileRunner {
  if (named === "none") return { ...NO_RUNNER, reason: 'the configuration says no runner wraps the file ("runner": "none")', decidedBy: [{ what: '"runner": "none" in the configuration' }] };
  const detected = named ? { runner: named, clues: [{ what: `"runner": "${named}" in the configuration` }] } : detectRunner(filePath, text, files);
  if (!detected) return NO_RUNNER;
  const profile = PROFILES[detected.runner];
  const partner = partnerOf(profile.name, filePath, files);
  return {
    profile,
    wrapping: profile.wrapping,
    reason: `${profile.how} (${named ? "the configuration names it" : `detected from ${detected.clues[0]!.what}`})`,
    rollback: profile.rollback,
    decidedBy: detected.clues,
    aloneWhenRefused: profile.aloneWhenRefused === true,
    ...(partner ? { partner } : {}),
  };
}

/**
 * What a migration says of its own transaction wins over the profile and the configuration: the runner's
 * per-migration switch (Knex's `config.transaction`, TypeORM's `transaction = false`, Diesel's
 * metadata.toml, …), then, in a script the runner runs without a transaction, a transaction the
 * migration opens itself (`knex.transaction(…)`, `queryInterface.sequelize.transaction(…)`).
 */
function withFileSwitch(runner: FileRunner, filePath: string, text: string, files: ProjectFiles): FileRunner {
  const profile = runner.profile;
  if (!profile) return runner;
  const switched = FILE_SWITCHES[profile.name]?.(filePath, text, files);
  const runsAlone = switched ? !switched.wraps : runner.wrapping === "none";
  const own = SCRIPT.test(filePath) && runsAlone && (PASSED_TRANSACTION[profile.name]?.test(text) ?? true) ? OWN_TRANSACTION.exec(text) : null;
  const found = own ? { wraps: true, what: `${own[1]}.${own[2]}()`, own: true } : switched;
  if (!found) return runner;
  const clue = { what: found.what, ...(found.file ? { file: found.file } : {}) };
  const reason = found.own
    ? `this migration opens its own transaction (${found.what})`
    : `${profile.title} runs this migration ${found.wraps ? "in a transaction" : "without a transaction"} (${found.what})`;
  const optedOut = !found.wraps && runner.wrapping !== "none" ? { optedOut: found.what } : {};
  return { ...runner, wrapping: found.wraps ? "transaction" : "none", reason, decidedBy: [...runner.decidedBy, clue], aloneWhenRefused: false, ...optedOut };
}

/** A script migration that opens a transaction itself: `knex.transaction(`, `queryInterface.sequelize.transaction(`, `queryRunner.startTransaction(`. */
const OWN_TRANSACTION = /\b([\w$]+(?:\.[\w$]+)*)\.(transaction|startTransaction)\s*\(/;

/**
 * How a migration's queries join the transaction it opens, where they do not by themselves: Sequelize (without
 * CLS) runs a query in a transaction only when it is passed one (`{ transaction }`, `transaction: t`).
 */
const PASSED_TRANSACTION: Partial<Record<RunnerName, RegExp>> = { sequelize: /[{,]\s*transaction\s*[,}:]/ };

interface FileSwitch {
  /** True: the migration runs in a transaction; false: without one. */
  wraps: boolean;
  /** What the file (or the file beside it) says, as it says it. */
  what: string;
  file?: string;
  /** True when the migration opens the transaction itself. */
  own?: boolean;
}

function textSwitch(pattern: RegExp, what: string): (filePath: string, text: string) => FileSwitch | undefined {
  return (_filePath, text) => (pattern.test(text) ? { wraps: false, what } : undefined);
}

/** A file beside the migration that sets its transaction: Diesel's metadata.toml, Flyway's `<script>.conf`. */
function besideSwitch(fileOf: (filePath: string) => string, pattern: RegExp, what: string): (filePath: string, text: string, files: ProjectFiles) => FileSwitch | undefined {
  return (filePath, _text, files) => {
    const beside = fileOf(path.resolve(filePath));
    const setting = files.exists(beside) ? pattern.exec(files.read(beside) ?? "") : null;
    return setting ? { wraps: setting[1] === "true", what: `${what} = ${setting[1]} in ${path.basename(beside)}`, file: beside } : undefined;
  };
}

/** Each runner's switch for one migration's transaction. */
const FILE_SWITCHES: Partial<Record<RunnerName, (filePath: string, text: string, files: ProjectFiles) => FileSwitch | undefined>> = {
  typeorm: textSwitch(/\btransaction\s*(?::\s*boolean\s*)?=\s*false\b/, "transaction = false"),
  "mikro-orm": textSwitch(/\bisTransactional\s*\(\s*\)\s*(?::\s*boolean\s*)?\{\s*return\s+false\b/, "isTransactional() returns false"),
  knex: textSwitch(/\bconfig\s*=\s*\{[^}]*\btransaction\s*:\s*false\b/, "exports.config = { transaction: false }"),
  "node-pg-migrate": textSwitch(/\bpgm\.noTransaction\s*\(/, "pgm.noTransaction()"),
  popx: (filePath) => (/\.autocommit\.(up|down)\.sql$/.test(filePath) ? { wraps: false, what: ".autocommit. in its file name" } : undefined),
  diesel: besideSwitch((file) => path.join(path.dirname(file), "metadata.toml"), /^[ \t]*run_in_transaction[ \t]*=[ \t]*(true|false)\b/m, "run_in_transaction"),
  flyway: besideSwitch((file) => `${file}.conf`, /^[ \t]*executeInTransaction[ \t]*=[ \t]*(true|false)\b/m, "executeInTransaction"),
};

/** The rollback partner where the runner keeps it elsewhere than the usual names beside the file, its path written as the migration's is. */
function partnerOf(runner: RunnerName, file: string, files: ProjectFiles): RunnerPartner | undefined {
  const existing = (candidate: string) => (files.exists(candidate) ? candidate : undefined);
  if (runner === "sqitch") {
    const script = sqitchScript(file, files);
    if (!script || script.kind === "verify") return undefined;
    const other = path.join(script.top, script.kind === "deploy" ? "revert" : "deploy", script.relative);
    return { role: script.kind === "deploy" ? "forward" : "rollback", partnerPath: existing(other) };
  }
  const base = path.basename(file);
  if (runner === "flyway" && /^[VU]/.test(base) && FLYWAY_NAME.test(base)) {
    const forward = base.startsWith("V");
    const partnerPath = existing(path.join(path.dirname(file), `${forward ? "U" : "V"}${base.slice(1)}`));
    // A versioned migration without an undo file: the usual rollback names beside it still count.
    return forward && !partnerPath ? undefined : { role: forward ? "forward" : "rollback", partnerPath };
  }
  return undefined;
}
