/**
 * migsafe verify: runs a folder's migrations on a real PostgreSQL, in migration order,
 * from an empty database, and reports what PostgreSQL did as findings merged with the
 * static ones: errors (with SQLSTATE), the locks each statement took, the tables it
 * rewrote, whether the rollback restores the schema, and (--rerun) whether the
 * migration can run twice.
 */
import path from "node:path";
import fs from "node:fs";
import { DEFAULT_SETTINGS, settingsOptions } from "../config/settings.js";
import { lintFile } from "../embedded/lint-file.js";
import { SCRIPT_EXTENSION } from "../embedded/lint-embedded.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import { lockBlocks, type LockLevel } from "../facts/lock-wording.js";
import { lockArticle, type TableLock } from "../facts/locks.js";
import { fitLine, HELP_LIMIT, MESSAGE_LIMIT } from "../engine/wording.js";
import { placeholderProblem, Substitution, type Placeholder } from "../engine/placeholders.js";
import { downSectionStart, findPartner, findRollbackBlock } from "../facts/rollback-block.js";
import { DOCS_BASE_URL, type Finding, type Rule, type RuleCategory, type Severity } from "../engine/rule.js";
import { MigrationFacts } from "../facts/index.js";
import { NO_ROLLBACK } from "../facts/sections.js";
import { assumedRunner, type FileRunner } from "../runners/file-runner.js";
import { transactionControl } from "../facts/transactions.js";
import { alterTableCommands, relationName as astRelationName, typeDisplay } from "../parser/ast.js";
import { parseFile } from "../parser/parse-file.js";
import type { ParsedFile, Statement } from "../parser/types.js";
import { indexOfCodePoint, SourceText, type Range } from "../source/source-text.js";
import { allRules } from "../../rules/index.js";
import {
  applySegments,
  isTable,
  LOCK_STRENGTH,
  planSegments,
  relationName,
  runTransactional,
  userRelations,
  type ApplyResult,
  type Failure,
  type Relation,
  type Segment,
  type LockMode,
  type TakenLock,
} from "./apply.js";
import { describeDifference, diffCatalog, notInExtension, preexistingSchemas, snapshotCatalog, userSchema, type CatalogSnapshot } from "./catalog.js";
import { databaseError, type DatabaseError, type VerifyDatabase } from "./database.js";
import { refusalInSql, refusalsOf, type RefusalTarget } from "./refusals.js";
import { isFile } from "../files/is-file.js";
import { runsInPsql } from "../engine/lint-source.js";
import { FileRunners } from "./file-runners.js";
import { orderMigrations, type MigrationOrder } from "./order.js";
import { knockOnOf, migrationLabel, noteKnockOns, wordsOfSql, type Unmade } from "./knock-on.js";
import { BOOKKEEPING, bookkeepingRunners } from "./bookkeeping.js";
import { blocksOf, sortRows, type LockRow } from "./lock-table.js";

/** Where verify's findings are documented: docs/verify.md, one heading per finding id. */
export const VERIFY_DOCS_URL = DOCS_BASE_URL.replace(/rules\/$/, "verify.md");

/**
 * The ids of verify's findings. They are not rules of rules/ (nothing static checks
 * them): formatters that list rules (SARIF's driver, the markdown checklist) get them
 * from VERIFY_RULES.
 */
export const VERIFY_RULE_IDS = ["verify-error", "verify-refused", "verify-lock", "verify-mismatch", "verify-rewrite", "verify-rollback", "verify-rerun"] as const;
export type VerifyRuleId = (typeof VERIFY_RULE_IDS)[number];

const VERIFY_META: Record<VerifyRuleId, { severity: Severity; category: RuleCategory; description: string }> = {
  "verify-error": {
    severity: "dangerous",
    category: "reliability",
    description: "PostgreSQL rejected a statement of the migration (or of its rollback) when verify ran it.",
  },
  "verify-refused": {
    severity: "dangerous",
    category: "reliability",
    description: "verify did not run a statement that acts outside its scratch database or its session (other databases, roles, server files, settings or sessions, native code, dynamic SQL it cannot see through).",
  },
  "verify-mismatch": {
    severity: "careful",
    category: "locking",
    description: "The lock PostgreSQL held for a statement differs from the lock migsafe's static analysis says the statement takes: one of them is wrong.",
  },
  "verify-lock": {
    severity: "careful",
    category: "locking",
    description: "verify saw a statement take a lock that blocks writes on an existing table and hold it while later statements ran, and no static finding reported it.",
  },
  "verify-rewrite": {
    severity: "careful",
    category: "rewrite",
    description: "verify saw a statement rewrite an existing table (its relfilenode changed), and no static finding reported it.",
  },
  "verify-rollback": {
    severity: "careful",
    category: "reliability",
    description: "After the migration and its rollback, the schema differs from the one before the migration, or the migration does not apply again.",
  },
  "verify-rerun": {
    severity: "careful",
    category: "reliability",
    description: "With --rerun, the migration failed when verify applied it a second time: it is not re-runnable.",
  },
};

/** verify's findings as rules, for a ReportContext's `rules` (SARIF descriptors, checklist categories). */
export const VERIFY_RULES: readonly Rule[] = VERIFY_RULE_IDS.map((id) => ({ meta: { id, ...VERIFY_META[id], docsUrl: `${VERIFY_DOCS_URL}#${id}` } }));

export interface VerifyOptions {
  database: VerifyDatabase;
  /** Migration files (absolute paths): the SQL forward migrations among them run in `order`. */
  files: readonly string[];
  /** The runner's order (default), the order of `files`, or a list's (order.ts). */
  order?: MigrationOrder;
  /** How a path is shown in a warning; default as it is. */
  show?: (filePath: string) => string;
  /** Each file's lint options (its configuration); by default every rule with default settings. */
  lintOptions?: (filePath: string) => LintOptions;
  /** A migration that runs (its predecessors need it) but is not reported unless it fails: before the configuration's startAfter. */
  reported?: (filePath: string) => boolean;
  /** SQL run before the first migration. */
  seed?: { path: string; text: string };
  /** Synthetic rows each table has at least, before each migration. Default 0. */
  rows?: number;
  /** The session's time zone (--timezone); default DEFAULT_TIMEZONE, not UTC: some type changes rewrite a table only outside UTC. */
  timezone?: string;
  /** Apply each migration a second time (rolled back) to prove it re-runnable. */
  rerun?: boolean;
  /** Why the run was interrupted ("SIGINT"), once it was: verify stops and returns what it found so far. */
  interrupted?: () => string | undefined;
}

export type VerifyOutcome =
  | {
      ok: true;
      /** One per forward migration (reported ones), each followed by its rollback file when it has one. */
      results: FileResult[];
      /** Forward migrations run. */
      migrations: number;
      /** Of those, how many did not apply. */
      failed: number;
      /** Of those, how many failed on what an earlier failure, refused statement or unrun TS/JS migration did not make (listed under it). */
      knockOn: number;
      /** Files left out: not SQL, rollback files without their forward migration. */
      skipped: string[];
      /** Every lock each statement took on a table that existed before its migration (--locks), in run order. */
      locks: LockRow[];
      /** One line each, for stderr: migrations the order cannot tell apart, a list's files that are not given or left out. */
      warnings: string[];
      /** What --debug shows: tables --rows could not fill, statements whose locks could not be read, … */
      notes: string[];
      /** Why the run stopped before the last migration (interrupted, or PGlite stopped after --timeout), and how many migrations did not run. */
      stopped?: { reason: string; notRun: number };
    }
  | { ok: false; message: string };

/** A migration file as verify runs it and reports on it. */
interface Loaded {
  filePath: string;
  /** The static lint's result; verify's findings are added to it. */
  result: FileResult;
  /** The file's text as linted: positions of findings. */
  source?: SourceText;
  /** The statements that run (placeholders replaced, as the linter did). */
  parsed?: ParsedFile;
  /** A range of `parsed` as a range of `source`. */
  toSource: (range: Range) => Range;
  /** The statements of this file verify refused to run (verify-refused). */
  refused?: Statement[];
  /** A TS/JS migration: where its down functions' SQL starts in `parsed` (undefined: none). */
  script?: { downStart: number | undefined };
}

interface RollbackSource {
  /** Where its findings land: the rollback file, or the forward migration (a rollback block, a down section). */
  file: Loaded;
  /** False when the rollback file could not be read or parsed: its fatal error is reported, and nothing is checked. */
  runnable: boolean;
  statements: Statement[];
  /** Where a schema difference is reported: the rollback's first statement, block or down marker. */
  range: Range;
  /** For messages: "the rollback file", "the rollback block", "the down section". */
  label: string;
}

/** Runs the migrations and returns their results; database errors are findings, and only a failing --seed stops the run. */
export async function verifyMigrations(options: VerifyOptions): Promise<VerifyOutcome> {
  const db = options.database;
  const defaultOptions: LintOptions = { rules: allRules, ...settingsOptions(DEFAULT_SETTINGS) };
  const lintOptions: (filePath: string) => LintOptions = options.lintOptions ?? (() => defaultOptions);
  const reported = options.reported ?? (() => true);
  const rows = options.rows ?? 0;
  const notes: string[] = [];
  const runners = new FileRunners(lintOptions);
  const selected = selectMigrations(options.files, lintOptions, runners);
  const show = options.show ?? ((file: string) => file);
  const { files: forward, warnings } = orderMigrations(selected.forward, options.order ?? { kind: "runner" }, runners, show);
  warnings.push(...goMigrationWarnings(forward, runners, show));
  const { skipped } = selected;
  // Where the TS/JS migrations verify cannot run come in the runner's order: what they make is missing after them.
  const unrunBefore = unrunBeforeEach(forward, selected.unrun, options.order ?? { kind: "runner" }, runners);

  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  try {
    await db.exec(`SET TIME ZONE ${quoteLiteral(timezone)}`);
  } catch (caught) {
    return { ok: false, message: `--timezone ${timezone}: ${errorText(databaseError(caught))}` };
  }
  const psql = await psqlVariablesOf(db);
  // A server database in scratch-schema mode has schemas of its own: verify leaves them alone.
  const ignored = await preexistingSchemas(db);
  if (ignored.length > 0) notes.push(`schemas that held objects before verify started are left alone (not read, filled or compared): ${ignored.join(", ")}`);
  if (options.seed) {
    const problem = await runSeed(db, options.seed);
    if (problem) return { ok: false, message: problem };
  }
  // After the seed: a seed that makes the runner's table its own way keeps it (the runner's definitions say IF NOT EXISTS).
  for (const runner of bookkeepingRunners(forward, runners)) {
    const { tables, sql } = BOOKKEEPING[runner]!;
    try {
      await db.exec(sql);
      notes.push(`created ${runner}'s ${tables} before the first migration, as ${runner} does on a new database`);
    } catch (caught) {
      notes.push(`could not create ${runner}'s ${tables}: ${errorText(databaseError(caught))}`);
    }
  }

  const results: FileResult[] = [];
  const interrupted = options.interrupted ?? (() => undefined);
  const context: RunContext = { db, notes, rows, rerun: options.rerun === true, firstFailure: undefined, version: `PostgreSQL ${db.majorVersion}`, ignored, interrupted, unmade: [], runners, timezone, locks: [], startedAt: Date.now() };
  let failed = 0;
  let stopped: { reason: string; notRun: number } | undefined;
  for (const [index, filePath] of forward.entries()) {
    const reason = interrupted() ?? db.lost;
    if (reason) {
      stopped = { reason, notRun: forward.length - index };
      break;
    }
    if (index > 0) {
      const released = await db.releaseMemory?.();
      if (released) notes.push(released);
    }
    for (const unrun of unrunBefore.get(filePath) ?? []) {
      const text = runners.files.read(unrun);
      if (text !== undefined) context.unmade.push({ file: unrun, label: migrationLabel(unrun), words: wordsOfSql(text), knockOns: [] });
    }
    const fileOptions = lintOptions(filePath);
    const migration = load(filePath, fileOptions, runners, psql);
    let rollbackFile: Loaded | undefined;
    if (migration.parsed) {
      const rollback = rollbackOf(migration, fileOptions, notes, runners, psql);
      rollbackFile = rollback && rollback.file !== migration ? rollback.file : undefined;
      try {
        if (rows > 0) await fillTables(db, rows, notes, ignored);
        const applied = await verifyMigration(migration, rollback?.runnable ? rollback : undefined, fileOptions, context);
        if (!applied) failed++;
      } catch (error) {
        // Verify's own queries fail once the run is interrupted or PGlite stopped: what was found so far stands.
        if (!interrupted() && !db.lost) throw error;
        failed++;
      }
    } else {
      // It cannot run; its rollback file is still reported, as lint reports it.
      failed++;
      context.firstFailure ??= filePath;
      const partner = findPartner(filePath, isFile, fileOptions.rollbackPatterns, listFolder).partnerPath;
      if (partner) rollbackFile = load(partner, fileOptions, runners, psql);
    }
    const files = [migration, ...(rollbackFile ? [rollbackFile] : [])];
    for (const file of files) {
      sortFindings(file.result);
      if (reported(migration.filePath)) results.push(file.result);
      else if (file.result.errors.length > 0 || file.result.findings.some((finding) => ALWAYS_REPORTED.has(finding.ruleId))) {
        // A migration before startAfter is reported only when it could not run (the later ones may fail because of it), or was not run in full.
        results.push({ ...file.result, findings: file.result.findings.filter((finding) => ALWAYS_REPORTED.has(finding.ruleId)) });
      }
    }
  }
  const reason = stopped ? undefined : interrupted();
  if (reason) stopped = { reason, notRun: 0 };
  const knockOn = noteKnockOns(context.unmade, warnings);
  const locks = sortRows(context.locks, forward);
  return { ok: true, results, migrations: forward.length - (stopped?.notRun ?? 0), failed, knockOn, skipped, warnings, notes, locks, ...(stopped ? { stopped } : {}) };
}

/**
 * The session's time zone unless --timezone says otherwise: not UTC, where PostgreSQL skips the rewrite of a
 * timestamp → timestamptz change that production, in its own zone, would make.
 */
export const DEFAULT_TIMEZONE = "America/New_York";

/** The findings of a migration before the configuration's startAfter that are reported all the same. */
const ALWAYS_REPORTED = new Set(["verify-error", "verify-refused"]);

/** What the migrations of one run share. */
interface RunContext {
  db: VerifyDatabase;
  notes: string[];
  rows: number;
  rerun: boolean;
  /** The first migration that did not apply: later errors may follow from it. */
  firstFailure: string | undefined;
  /** "PostgreSQL 18", for messages. */
  version: string;
  /** Schemas verify leaves alone: see preexistingSchemas. */
  ignored: readonly string[];
  interrupted: () => string | undefined;
  /** What did not run (a migration that failed, a refused statement): later failures on what it would have made are its knock-ons. */
  unmade: Unmade[];
  /** Lint's runner of each file. */
  runners: FileRunners;
  /** The session's time zone. */
  timezone: string;
  /** The lock table's rows so far (--locks). */
  locks: LockRow[];
  /** When the run started: a date or time constant from then on was frozen at creation (catalog.ts withoutFrozen). */
  startedAt: number;
}


/** The names in a folder, for pairing up and down files by version; none when it cannot be read. */
function listFolder(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The migrations verify cannot run that come, in the runner's order, after the previous forward migration and before each one. */
function unrunBeforeEach(forward: readonly string[], unrun: readonly string[], order: MigrationOrder, runners: FileRunners): Map<string, string[]> {
  const before = new Map<string, string[]>();
  if (unrun.length === 0) return before;
  const unrunSet = new Set(unrun);
  let pending: string[] = [];
  // Ordered together as the runner orders them (with as-given or a list, in the order of the arguments).
  for (const file of orderMigrations([...forward, ...unrun], order.kind === "list" ? { kind: "as-given" } : order, runners, (each) => each).files) {
    if (unrunSet.has(file)) pending.push(file);
    else if (pending.length > 0) {
      before.set(file, pending);
      pending = [];
    }
  }
  return before;
}

/** goose's migrations in Go (`00042_backfill.go`, in a folder of its SQL ones): goose runs them as code, verify cannot. */
const GO_MIGRATION = /^\d+_.*(?<!_test)\.go$/;

/** One warning per goose folder that has Go migrations: what they make is missing for the migrations after them. */
function goMigrationWarnings(forward: readonly string[], runners: FileRunners, show: (file: string) => string): string[] {
  const folders = new Set(forward.filter((file) => runners.of(file)?.profile?.name === "goose").map((file) => path.dirname(file)));
  return [...folders].flatMap((folder) => {
    const go = (runners.files.list?.(folder) ?? []).filter((name) => GO_MIGRATION.test(name));
    if (go.length === 0) return [];
    return [`${show(folder)} has ${go.length === 1 ? "a Go migration" : `${go.length} Go migrations`}, which goose runs as code and verify does not: what ${go.length === 1 ? "it makes" : "they make"} is missing for the migrations after ${go.length === 1 ? "it" : "them"} (${go.join(", ")})`];
  });
}

/**
 * The SQL forward migrations among `files`, in their order (order.ts puts them in migration order), and what was left out.
 * Rollback files (by name: `_rollback.sql`, `.down.sql`, `down.sql`, the configuration's
 * rollbackPatterns) run as their forward migration's rollback, not on their own.
 */
export function selectMigrations(
  files: readonly string[],
  lintOptions: (filePath: string) => LintOptions,
  runners = new FileRunners(lintOptions),
): { forward: string[]; skipped: string[]; unrun: string[] } {
  const forward: string[] = [];
  const skipped: string[] = [];
  // TS/JS migrations the runner runs but verify cannot (schema builders, SQL made at run time): also in `skipped`.
  const unrun: string[] = [];
  const selected = new Set(files);
  for (const filePath of files) {
    const script = SCRIPT_EXTENSION.test(filePath) && !/\.d\.[cm]?ts$/i.test(filePath);
    // Not SQL, or a file its runner never runs (lint's runner detection: a Drizzle file its journal does not list, …).
    if ((!/\.sql$/i.test(filePath) && !script) || runners.of(filePath)?.notAMigration) {
      skipped.push(filePath);
      continue;
    }
    if (script) {
      // A TS/JS migration runs as the SQL lint reads in it, when it spells all of it out.
      const text = runners.files.read(filePath);
      const embedded = text === undefined ? { problem: "it cannot be read" } : runners.embeddedSql(filePath, text, lintOptions(filePath));
      if ("problem" in embedded) {
        skipped.push(filePath);
        if (text !== undefined) unrun.push(filePath);
      } else forward.push(filePath);
      continue;
    }
    const partner = findPartner(filePath, isFile, lintOptions(filePath).rollbackPatterns, listFolder);
    if (partner.role === "forward") forward.push(filePath);
    else if (!partner.partnerPath || !selected.has(partner.partnerPath)) skipped.push(filePath);
  }
  return { forward, skipped, unrun };
}


/** The variables psql sets itself on connecting, as they are in verify's session: a Sqitch script may use them. */
interface PsqlVariables {
  DBNAME: string;
  USER: string;
}

async function psqlVariablesOf(db: VerifyDatabase): Promise<PsqlVariables> {
  const [row] = await db.query<{ dbname: string; username: string }>("SELECT pg_catalog.current_database() AS dbname, session_user AS username");
  return { DBNAME: String(row?.dbname ?? ""), USER: String(row?.username ?? "") };
}

/** `:"DBNAME"`, `:'DBNAME'` and `:DBNAME` as psql sends them: a quoted name, a string, the value as it is. */
function psqlPlaceholders(variables: PsqlVariables): Placeholder[] {
  return Object.entries(variables).flatMap(([name, value]) => [
    { pattern: `(?<![:\\w]):"${name}"`, replacement: quoteIdent(value) },
    { pattern: `(?<![:\\w]):'${name}'`, replacement: quoteLiteral(value) },
    { pattern: `(?<![:\\w]):${name}(?![\\w])`, replacement: value },
  ]);
}

function load(filePath: string, options: LintOptions, runners: FileRunners, psql: PsqlVariables): Loaded {
  // Linted as `migsafe lint` lints it over the folder: with what the earlier migrations left (the folder's replay).
  const result = lintFile(filePath, options, runners.files);
  const identity = (range: Range) => range;
  if (result.errors.length > 0 || result.text === undefined) return { filePath, result, toSource: identity };
  if (SCRIPT_EXTENSION.test(filePath)) {
    // The SQL lint reads in it (selectMigrations checked that it spells all of it out), mapped back to the source.
    const embedded = runners.embeddedSql(filePath, result.text, options);
    if ("problem" in embedded) return { filePath, result, toSource: identity };
    return { filePath, result, source: new SourceText(result.text), parsed: parseFile(new SourceText(embedded.sql)), toSource: embedded.toSource, script: { downStart: embedded.downStart } };
  }
  const source = new SourceText(result.text);
  // Read as lint reads it: psql's variables, in a file psql runs (Sqitch), as psql replaces them; those psql sets
  // itself (the database's name, the user) are given their values in verify's session.
  const runner = runners.of(filePath);
  const inPsql = runner !== undefined && runsInPsql(runner);
  const placeholders = [...(options.placeholders ?? []).filter((placeholder) => placeholderProblem(placeholder.pattern) === undefined), ...(inPsql ? psqlPlaceholders(psql) : [])];
  const substitution = placeholders.length > 0 ? Substitution.of(result.text, placeholders) : undefined;
  const parseOptions = inPsql ? { psqlVariables: true } : {};
  const parsed = substitution ? parseFile(new SourceText(substitution.text), parseOptions) : parseFile(source, parseOptions);
  return { filePath, result, source, parsed, toSource: substitution ? (range) => substitution.originalRange(range) : identity };
}

/** The forward statements: a file with a down section (goose, dbmate, sql-migrate) runs up to it. */
function forwardStatements(migration: Loaded): Statement[] {
  const parsed = migration.parsed!;
  const down = migration.script ? migration.script.downStart : downSectionStart(parsed.comments);
  return down === undefined ? parsed.statements : parsed.statements.filter((statement) => statement.range.start < down);
}

/** The migration's rollback: its rollback file, its down section, or a rollback block in a comment. */
function rollbackOf(migration: Loaded, options: LintOptions, notes: string[], runners: FileRunners, psql: PsqlVariables): RollbackSource | undefined {
  const parsed = migration.parsed!;
  // Ory's popx splits a migration into numbered files whose down files undo the group in reverse, not each its own up file.
  if (runners.of(migration.filePath)?.profile?.name === "popx") {
    notes.push(`${migrationLabel(migration.filePath)}: its rollback is not checked: popx's down files undo a migration's numbered files together, in reverse, not one up file each`);
    const partner = findPartner(migration.filePath, isFile, options.rollbackPatterns, listFolder).partnerPath;
    // Its down file is still reported, with lint's findings.
    return partner ? { file: load(partner, options, runners, psql), runnable: false, statements: [], range: { start: 0, end: 0 }, label: "the rollback file" } : undefined;
  }
  const partner = findPartner(migration.filePath, isFile, options.rollbackPatterns, listFolder);
  if (partner.partnerPath) {
    const file = load(partner.partnerPath, options, runners, psql);
    if (!file.parsed) {
      notes.push(`${migrationLabel(partner.partnerPath)} could not be read or parsed: the rollback of ${migrationLabel(migration.filePath)} is not checked`);
      return { file, runnable: false, statements: [], range: { start: 0, end: 0 }, label: "the rollback file" };
    }
    const first = file.parsed.statements[0];
    return { file, runnable: true, statements: file.parsed.statements, range: first?.range ?? { start: 0, end: 0 }, label: "the rollback file" };
  }
  if (migration.script) {
    const down = migration.script.downStart;
    const statements = down === undefined ? [] : parsed.statements.filter((statement) => statement.range.start >= down);
    return statements.length === 0 ? undefined : { file: migration, runnable: true, statements, range: statements[0]!.range, label: "the down function" };
  }
  const down = downSectionStart(parsed.comments);
  if (down !== undefined) {
    const marker = parsed.comments.find((comment) => comment.range.start === down)!;
    const statements = parsed.statements.filter((statement) => statement.range.start > down);
    return { file: migration, runnable: true, statements, range: marker.range, label: "the down section" };
  }
  const block = findRollbackBlock(parsed);
  // A plan in words (`-- Rollback: restore from backup`) is nothing to run.
  if (!block || block.kind === "plan") return undefined;
  if (block.parsed.errors.length > 0) {
    const error = block.parsed.errors[0]!;
    addFinding(migration, "verify-error", error.range, `The rollback block does not parse: ${error.message}`, error.hint ?? ROLLBACK_HELP, `The rollback block does not parse, so PostgreSQL would reject it: ${error.message}.`);
    return undefined;
  }
  return { file: migration, runnable: true, statements: block.parsed.statements, range: block.range, label: "the rollback block" };
}

/** Applies one migration and checks its rollback and (--rerun) its second run; false when it did not apply. */
async function verifyMigration(migration: Loaded, rollbackSource: RollbackSource | undefined, options: LintOptions, run: RunContext): Promise<boolean> {
  let rollback = rollbackSource;
  const { db, notes } = run;
  const parsed = migration.parsed!;
  const target = refusalTarget(db);
  const statements = withoutRefused(migration, forwardStatements(migration), target, run.unmade);
  if (rollback) rollback = { ...rollback, statements: withoutRefused(rollback.file, rollback.statements, target) };
  const before = rollback ? await snapshotCatalog(db, run.ignored) : undefined;
  const relations = await userRelations(db, run.ignored);

  // A file without BEGIN runs in one transaction, as most runners run it (and as the configuration may say).
  const hasBegin = statements.some((statement) => transactionControl(statement) === "begin");
  const runner = assumedRunner(options.settings.assumeInTransaction === true || !hasBegin);
  // What the earlier migrations left, as the file's lint saw it (a foreign key they created, dropped here).
  const fileRunner = run.runners.of(migration.filePath);
  const schemaBefore = fileRunner && !migration.script ? run.runners.files.histories?.before(migration.filePath, fileRunner, options, run.runners.files) : undefined;
  const facts = new MigrationFacts(parsed, options.settings, NO_ROLLBACK, runner, undefined, schemaBefore);
  const { transactions } = facts;
  const segments = planSegments(statements, (statement) => transactions.of(statement).id, db.majorVersion);
  const applied = await applySegments(db, segments, relations, run.ignored);

  for (const statement of applied.unobserved) {
    notes.push(`${migrationLabel(migration.filePath)}:${lineOf(migration, statement)}: runs outside a transaction, so the locks it takes are released before they can be read`);
  }
  if (segments.some((segment) => segment.kind === "file" && segment.end === undefined && segment.statements.length > 0)) {
    notes.push(`${migrationLabel(migration.filePath)}: its BEGIN block has no COMMIT; verify committed it at the end of the file`);
  }

  if (applied.failure) {
    reportFailure(migration, applied.failure, run);
    run.firstFailure ??= migration.filePath;
    return false;
  }
  reportObservations(migration, applied, relations, options.rules, run.version, run.timezone);
  checkLockClaims(migration, applied, relations, facts, run.version);
  run.locks.push(...lockRows(migration, applied));

  if (rollback && before) await checkRollback(migration, statements, rollback, before, run);
  if (run.rerun) {
    const atomic = runsAtomically(segments, run.runners.of(migration.filePath));
    if (atomic.skip) notes.push(`${migrationLabel(migration.filePath)}: not run twice (--rerun): ${atomic.why}`);
    else await checkRerun(migration, statements, run, atomic.why);
  }
  return true;
}

/**
 * Whether a failed run of the migration leaves nothing applied, so that re-running it from the start is all a failure
 * needs (--rerun is then skipped): its runner (lint's detection) runs the file in one transaction, or as one query,
 * and every statement that changes something is in that one transaction. `why` says which, or why a rerun matters.
 */
function runsAtomically(segments: readonly Segment[], runner: FileRunner | undefined): { skip: boolean; why: string } {
  const name = runner?.profile?.name;
  const changing = segments.filter((segment) => segment.statements.some((statement) => statement.kind !== "VariableSetStmt" && transactionControl(statement) === undefined));
  const single = changing.length === 1 ? changing[0]! : undefined;
  if (single?.kind === "file" && single.end !== undefined) return { skip: true, why: "its own BEGIN … COMMIT holds every change, so a run that fails leaves nothing applied" };
  if (single?.kind === "runner" && name !== undefined && runner?.wrapping !== "none") {
    return { skip: true, why: `${name} runs it in one transaction, so a run that fails leaves nothing applied and runs again from the start` };
  }
  if (name === undefined) return { skip: false, why: " migsafe does not know which runner runs it: if yours runs each file in one transaction, a failed run leaves nothing applied and this does not matter." };
  if (runner?.wrapping === "none") return { skip: false, why: ` ${name} runs it without a transaction: a run that fails halfway leaves the statements before it applied.` };
  return { skip: false, why: " Some of its statements run outside its transaction: a run that fails after them leaves them applied." };
}


// ---------------------------------------------------------------- refused statements

const REFUSED_HELP =
  "A migration changes the database it runs on: set up roles, databases, tablespaces, server settings and extensions outside the allow-list once, outside migrations " +
  "(the server's provisioning), and build dynamic SQL from constant strings and values quoted with quote_ident, quote_literal or format's %I and %L, so that verify can see what it runs.";

function refusalTarget(db: VerifyDatabase): RefusalTarget {
  return db.isolated === true ? "isolated" : "server";
}

/**
 * The statements verify runs: all but those it refuses (src/verify/refusals.ts), each a
 * verify-refused finding. The statements after a refused one still run, without it.
 */
function withoutRefused(file: Loaded, statements: readonly Statement[], target: RefusalTarget, unmade?: Unmade[]): Statement[] {
  const kept: Statement[] = [];
  statements.forEach((statement, index) => {
    const reasons = refusalsOf(statement, target);
    if (reasons.length === 0) {
      kept.push(statement);
      return;
    }
    file.refused = [...(file.refused ?? []), statement];
    const rest =
      index < statements.length - 1
        ? " The statements after it ran without it: an error they raise, or a difference the rollback check finds, may follow from its absence."
        : "";
    const finding = addFinding(
      file,
      "verify-refused",
      statement.range,
      `verify did not run this statement: ${reasons.join("; ")}`,
      REFUSED_HELP,
      `verify did not run this statement: ${reasons.join("; ")}. verify runs only what acts on its scratch database and session.${rest}`,
    );
    unmade?.push({ file: file.filePath, finding, words: wordsOfSql(statement.text), knockOns: [] });
  });
  return kept;
}

/** " verify did not run line 3 (verify-refused): this may follow from it." when a refused statement came before `statement`. */
function afterRefused(file: Loaded, statement: Statement): string {
  const before = (file.refused ?? []).filter((refused) => refused.range.start < statement.range.start);
  if (before.length === 0) return "";
  const lines = before.map((refused) => lineOf(file, refused));
  return ` verify did not run line${lines.length === 1 ? "" : "s"} ${lines.join(", ")} (verify-refused): this may follow from it.`;
}

// ---------------------------------------------------------------- errors

function reportFailure(migration: Loaded, failure: Failure, run: RunContext): void {
  const { error, statement } = failure;
  // Cancelled by SIGINT/SIGTERM: the statement did nothing wrong.
  if (run.interrupted()) return;
  const statements = forwardStatements(migration);
  const rest = statements.indexOf(statement) < statements.length - 1 ? " The rest of the migration did not run." : "";
  const segment = failure.segment;
  const where = failure.atCommit
    ? " The error came when the transaction committed (a deferred constraint): the whole transaction was rolled back."
    : segment && (segment.kind === "runner" || segment.kind === "file") && segment.statements[0] !== statement
      ? ` Its transaction (from line ${lineOf(migration, segment.statements[0]!)}) was rolled back.${rest}`
      : rest;
  const rows = run.rows > 0 && error.code?.startsWith("23") ? ` Every table had at least ${run.rows} synthetic rows (--rows ${run.rows}).` : "";
  const cause = knockOnOf(error, run.unmade, migration.filePath);
  if (cause) {
    cause.knockOns.push(`${migrationLabel(migration.filePath)}:${lineOf(migration, statement)} ${errorSummary(error)}`);
    return;
  }
  const earlier =
    run.firstFailure && run.firstFailure !== migration.filePath ? ` An earlier migration, ${migrationLabel(run.firstFailure)}, did not apply: this may follow from it.` : "";
  const finding = addFinding(
    migration,
    "verify-error",
    errorRange(statement, error, failure.atCommit),
    `Fails on ${run.version}: ${errorSummary(error)}`,
    errorHelp(error),
    `${run.version} rejects this statement: ${errorText(error)}${where}${rows}${afterRefused(migration, statement)}${earlier}`,
  );
  run.unmade.push({ file: migration.filePath, finding, words: wordsOfSql(forwardStatements(migration).map((each) => each.text).join("\n")), knockOns: [] });
}

/** What fits in a message: "column "x" of relation "users" contains null values (23502)". */
function errorSummary(error: DatabaseError): string {
  return `${error.message.replace(/\.$/, "")}${error.code ? ` (${error.code})` : ""}`;
}

/** "column "x" of relation "users" contains null values (SQLSTATE 23502). Detail." */
function errorText(error: DatabaseError): string {
  const message = error.message.replace(/\.$/, "");
  const detail = error.detail ? ` ${error.detail.endsWith(".") ? error.detail : `${error.detail}.`}` : "";
  return `${message}${error.code ? ` (SQLSTATE ${error.code})` : ""}.${detail}`;
}

/** PostgreSQL's hint, or advice for the errors migrations meet most. */
function errorHelp(error: DatabaseError): string {
  if (error.hint) return error.hint;
  switch (error.code) {
    case "23502":
      return "Add the column nullable (or with a constant DEFAULT), backfill it in batches, then CHECK (column IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL";
    case "23505":
      return "Resolve the duplicate rows before adding the unique index or constraint (SELECT key, count(*) … GROUP BY key HAVING count(*) > 1)";
    case "23503":
      return "Fix or delete the rows whose reference does not exist first, or add the foreign key NOT VALID and validate it after the cleanup";
    case "23514":
      return "Fix the rows that violate the check first, or add the constraint NOT VALID and validate it after the cleanup";
    case "42P07":
    case "42701":
    case "42710":
      return "The object already exists when this migration runs: check the migration order, or make the statement idempotent (IF NOT EXISTS)";
    case "42P01":
    case "42703":
    case "42704":
    case "42883":
      return "The object does not exist when this migration runs: check that the migration creating it runs first, and the name's spelling and schema";
    case "0A000":
      if (/extension .* is not available/.test(error.message)) {
        return "PGlite has PostgreSQL's contrib extensions only (citext, pgcrypto, uuid-ossp, pg_trgm, hstore, …): run verify on a server that has it (--database-url)";
      }
      return "Fix the statement so that it applies to the schema the earlier migrations build";
    case "57014":
    case "55P03":
      return "Make it faster (an index, batches) and set lock_timeout: on production it would hold or wait for its locks at least that long; or raise --timeout if expected";
    case "57P01":
    case "08006":
      return "The migration ended its own session (pg_terminate_backend, a FATAL error): a runner would fail here; verify went on in a new session";
    case "25001":
      return "Run this statement outside a transaction: in a migration of its own, with the runner's transaction turned off for it";
    default:
      return "Fix the statement so that it applies to the schema the earlier migrations build";
  }
}

/** The error's position inside the statement (the token there), or the whole statement. */
function errorRange(statement: Statement, error: DatabaseError, atCommit?: boolean): Range {
  if (atCommit || error.position === undefined) return statement.range;
  const index = statement.range.start + indexOfCodePoint(statement.text, error.position - 1);
  if (index >= statement.range.end) return statement.range;
  const token = statement.tokens.find((candidate) => candidate.start <= index && index < candidate.end);
  return token ? { start: token.start, end: token.end } : { start: index, end: index };
}

// ---------------------------------------------------------------- locks and rewrites

/** Locks weaker than this are evidence on nothing: plain reads and writes take them. */
const EVIDENCE_STRENGTH = LOCK_STRENGTH["SHARE UPDATE EXCLUSIVE"];
/** A lock at least this strong (it blocks writes), held while later statements run, is a finding of its own when no static finding reported it. */
const FINDING_STRENGTH = LOCK_STRENGTH.SHARE;

/**
 * Adds the observed locks and rewrites to the static findings of the statements that
 * took them ("PostgreSQL 18: took ACCESS EXCLUSIVE on users, held to COMMIT at
 * line 40; users was rewritten."), and reports those no static finding mentions.
 */
function reportObservations(migration: Loaded, applied: ApplyResult, relations: ReadonlyMap<string, Relation>, rules: readonly Rule[], version: string, timezone: string): void {
  const categoryOf = new Map(rules.map((rule) => [rule.meta.id, rule.meta.category]));
  // A message may name the table, or one of its indexes ("DROP INDEX users_email_idx takes … on the table the index belongs to").
  const namesOf = (table: Relation) => [
    relationName(table),
    ...[...relations.values()].filter((index) => index.tableOid === table.oid).map(relationName),
  ];
  const namesTable = (finding: Finding, table: Relation) => namesOf(table).some((name) => mentions(wordsOf(finding), name));
  const evidence = new Map<Finding, string[]>();
  const attach = (finding: Finding, text: string) => evidence.set(finding, [...(evidence.get(finding) ?? []), text]);
  const explained = new Set<TakenLock>();

  const statements = new Set([...applied.locks.map((lock) => lock.statement), ...applied.rewrites.map((rewrite) => rewrite.statement)]);
  for (const statement of statements) {
    const range = migration.toSource(statement.range);
    const onStatement = migration.result.findings.filter((finding) => finding.range.start >= range.start && finding.range.end <= range.end);
    const locks = applied.locks.filter((lock) => lock.statement === statement && LOCK_STRENGTH[lock.mode] >= EVIDENCE_STRENGTH);
    const rewrites = applied.rewrites.filter((rewrite) => rewrite.statement === statement);
    for (const lock of locks) {
      const name = relationName(lock.relation);
      const target = best(onStatement.filter((finding) => namesTable(finding, lock.relation) && speaksOfLock(finding)), lock.mode, categoryOf);
      if (!target) continue;
      // A stronger mode taken earlier in the transaction is what the statement runs under: say that, not the weaker one it added.
      const held = applied.held.get(statement)?.get(lock.relation.oid);
      const earlier = held && held.since !== statement && LOCK_STRENGTH[held.mode] > LOCK_STRENGTH[lock.mode] ? held : undefined;
      attach(target, earlier ? `${earlier.mode} on ${name}, held since line ${lineOf(migration, earlier.since)} (it also took ${lock.mode})` : `took ${lock.mode} on ${name}, held ${span(migration, lock)}`);
      explained.add(lock);
    }
    for (const rewrite of rewrites) {
      const name = relationName(rewrite.relation);
      const target = best(
        onStatement.filter((finding) => namesTable(finding, rewrite.relation) && (/rewrit/i.test(wordsOf(finding)) || categoryOf.get(finding.ruleId) === "rewrite")),
        undefined,
        categoryOf,
      );
      if (target) attach(target, `${name} was rewritten${rebuilt(rewrite.indexes)}${zoneDependence(statement, timezone)}`);
      else {
        const lock = applied.locks.find((candidate) => candidate.statement === statement && candidate.relation.oid === rewrite.relation.oid);
        addFinding(
          migration,
          "verify-rewrite",
          statement.range,
          `This statement rewrote ${name}${lock ? ` under ${lock.mode}` : ""}, and no rule reported it`,
          "Use a form that needs no rewrite (a constant default, a binary-compatible type, NOT VALID then VALIDATE), or expand/contract with batched backfills",
          `This statement rewrote ${name} on ${version}: the table got a new file (its relfilenode changed), so every row was copied${rebuilt(rewrite.indexes)}` +
            `${lock ? `, under ${lock.mode === "ACCESS EXCLUSIVE" ? "an" : "a"} ${lock.mode} lock` : ""}. No static finding reported the rewrite; on a large table it lasts as long as copying the table.`,
        );
      }
    }
    // A static claim of a rewrite that PostgreSQL did not make.
    if (rewrites.length === 0) {
      for (const finding of onStatement) {
        if (categoryOf.get(finding.ruleId) !== "rewrite") continue;
        const tables = locks.map((lock) => relationName(lock.relation)).filter((name) => mentions(wordsOf(finding), name));
        for (const name of new Set(tables)) attach(finding, `${name} was not rewritten${zoneDependence(statement, timezone)}`);
      }
    }
  }

  for (const [finding, items] of evidence) finding.evidence = `${version}: ${items.join("; ")}.`;

  // The strongest lock on each table, when it blocks writes and is held past its statement.
  const strongest = new Map<string, TakenLock>();
  for (const lock of applied.locks) {
    const known = strongest.get(lock.relation.oid);
    if (!known || LOCK_STRENGTH[lock.mode] > LOCK_STRENGTH[known.mode]) strongest.set(lock.relation.oid, lock);
  }
  for (const lock of strongest.values()) {
    if (LOCK_STRENGTH[lock.mode] < FINDING_STRENGTH || explained.has(lock) || !heldPastStatement(lock)) continue;
    const name = relationName(lock.relation);
    addFinding(
      migration,
      "verify-lock",
      lock.statement.range,
      `${lock.mode} on ${name} held ${span(migration, lock)}, and no rule reported it`,
      `Take the lock on ${name} last in its transaction or move the statements after it to their own transaction; set lock_timeout`,
      `${lock.mode} on ${name} held ${span(migration, lock)}: it blocks ${lockBlocks(lock.mode as LockLevel)} while the statements after it run. ` +
        `Observed on ${version}; no static finding reported this lock.`,
    );
  }
}

/**
 * " (in time zone X: …)" when the statement changes a column between timestamp and timestamptz, whose rewrite
 * PostgreSQL skips when the session's time zone is UTC: the result holds for that zone only.
 */
function zoneDependence(statement: Statement, timezone: string): string {
  const changesTimestamp = alterTableCommands(statement).some(
    (command) => command.subtype === "AT_AlterColumnType" && /^timestamp(?:tz)?\b/.test(typeDisplay((command.node.def as { ColumnDef?: { typeName?: unknown } } | undefined)?.ColumnDef?.typeName)),
  );
  return changesTimestamp ? ` (in time zone ${timezone}, --timezone: between timestamp and timestamptz PostgreSQL rewrites the table unless the session's time zone is UTC)` : "";
}

/** The lock table's rows of one migration: each lock a statement added on an existing table, held to its transaction's end. */
function lockRows(migration: Loaded, applied: ApplyResult): LockRow[] {
  const row = (statement: Statement, segment: Segment, relation: Relation, mode: LockMode, since?: Statement): LockRow => {
    const last = segment.end ?? segment.statements[segment.statements.length - 1]!;
    return {
      file: migration.filePath,
      line: lineOf(migration, statement),
      statement: oneLine(statement.text),
      table: relationName(relation),
      mode,
      ...(since && since !== statement ? { heldSince: lineOf(migration, since) } : {}),
      heldTo: segment.kind === "autocommit" ? lineOf(migration, statement) : endLineOf(migration, last),
      blocks: blocksOf(mode),
      rewrite: applied.rewrites.some((rewrite) => rewrite.statement === statement && rewrite.relation.oid === relation.oid),
      durationMs: applied.durations.get(statement) ?? 0,
    };
  };
  const rows = applied.locks.map((lock) => row(lock.statement, lock.segment, lock.relation, lock.mode));
  // A rewrite under a lock an earlier statement took: the row says which, and since when.
  for (const rewrite of applied.rewrites) {
    if (applied.locks.some((lock) => lock.statement === rewrite.statement && lock.relation.oid === rewrite.relation.oid)) continue;
    const held = applied.held.get(rewrite.statement)?.get(rewrite.relation.oid);
    const segment = applied.locks.find((lock) => lock.statement === held?.since)?.segment;
    if (held && segment) rows.push(row(rewrite.statement, segment, rewrite.relation, held.mode, held.since));
  }
  return rows;
}

/** A statement's text on one line, at most 60 characters. */
function oneLine(text: string): string {
  const flat = text.replace(/--[^\n]*/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

/**
 * Compares the locks the static analysis says each statement takes (facts.locks) with what PostgreSQL held right after
 * it, on tables that existed before the migration: a mode weaker than the claim held, or a stronger one newly taken, is
 * a verify-mismatch: the rule's claim or verify's reading is wrong, and either is worth a look. A claim met by a lock an
 * earlier statement took is evidence: "ACCESS EXCLUSIVE on users, held since line 3".
 */
function checkLockClaims(migration: Loaded, applied: ApplyResult, relations: ReadonlyMap<string, Relation>, facts: MigrationFacts, version: string): void {
  const tables = [...relations.values()].filter(isTable);
  for (const [statement, held] of applied.held) {
    // One claim per table: the strongest of the statement's actions (an ADD of a foreign key and a DROP of another
    // both lock the table they reference, SHARE ROW EXCLUSIVE and ACCESS EXCLUSIVE).
    const claims = new Map<string, { claim: TableLock; relation: Relation }>();
    for (const claim of facts.locks.of(statement)) {
      if (!claim.table || facts.locks.isOnNewObject(statement, claim)) continue;
      // The table as the statement's search_path resolves it (`SET LOCAL search_path TO warehouse` before it).
      const resolved = facts.names.resolve(claim.table, statement);
      const relation = tables.find((candidate) => candidate.name === resolved.name && candidate.schema === resolved.schema);
      const known = relation && claims.get(relation.oid);
      if (relation && (!known || LOCK_STRENGTH[claim.level] > LOCK_STRENGTH[known.claim.level])) claims.set(relation.oid, { claim, relation });
    }
    for (const { claim, relation } of claims.values()) {
      const name = relationName(relation);
      const now = held.get(relation.oid);
      const taken = applied.locks.find((lock) => lock.statement === statement && lock.relation.oid === relation.oid);
      // IF [NOT] EXISTS that found nothing to do takes no lock (a weaker one an earlier statement took may be held): the
      // claim is for the day it does something.
      if (!taken && /\bIF\s+(?:NOT\s+)?EXISTS\b/i.test(statement.text)) continue;
      const weaker = !now || LOCK_STRENGTH[now.mode] < LOCK_STRENGTH[claim.level];
      const stronger = taken !== undefined && LOCK_STRENGTH[taken.mode] > LOCK_STRENGTH[claim.level];
      if (weaker || stronger) {
        const observed = weaker ? (now ? `held only ${now.mode}` : "held no lock") : `took ${taken!.mode}`;
        addFinding(
          migration,
          "verify-mismatch",
          statement.range,
          `${claim.level} on ${name} claimed, PostgreSQL ${observed}`,
          "Report it: the rule's lock claim, or verify's reading of pg_locks, is wrong (https://github.com/migsafe/migsafe/issues)",
          `The static analysis says ${claim.action} takes ${lockArticle(claim.level)} ${claim.level} lock on ${name}; on ${version}, right after the statement, its transaction ${observed} on ${name}. ` +
            "One of the two is wrong: the findings that rest on the claim (lock timeouts, blocked reads and writes) may be off.",
        );
        continue;
      }
      const evidence = now && now.since !== statement ? `${claim.level} on ${name} needed, ${now.mode} held since line ${lineOf(migration, now.since)}` : undefined;
      if (!evidence) continue;
      const range = migration.toSource(statement.range);
      for (const finding of migration.result.findings) {
        if (finding.range.start < range.start || finding.range.end > range.end || finding.ruleId.startsWith("verify-")) continue;
        if (!mentions(wordsOf(finding), name) || !speaksOfLock(finding)) continue;
        // Next to what reportObservations found (a rewrite), unless it already says which lock the statement ran under.
        if (finding.evidence?.includes(` on ${name}, held `) || finding.evidence?.includes(`took `)) continue;
        finding.evidence = finding.evidence ? finding.evidence.replace(/\.$/, `; ${evidence}.`) : `${version}: ${evidence}.`;
      }
    }
  }
}

/** A finding that speaks of a lock (`takes ACCESS EXCLUSIVE`, `blocks writes … (SHARE)`, `locks the table`): what lock evidence is put under. */
function speaksOfLock(finding: Finding): boolean {
  return /\block|\b(?:ACCESS EXCLUSIVE|EXCLUSIVE|SHARE)\b/i.test(wordsOf(finding));
}

/** What a finding says: its message and its longer explanation, where the names of every table it concerns are. */
function wordsOf(finding: Finding): string {
  return finding.explanation ? `${finding.message}\n${finding.explanation}` : finding.message;
}

/** The finding that best stands for a lock or rewrite: a locking/rewrite rule's, one naming the lock level, the narrowest. */
function best(candidates: readonly Finding[], mode: string | undefined, categoryOf: ReadonlyMap<string, RuleCategory>): Finding | undefined {
  const score = (finding: Finding) => {
    const category = categoryOf.get(finding.ruleId);
    return (category === "locking" || category === "rewrite" ? 2 : 0) + (mode && new RegExp(`(?<![A-Z] )\\b${mode}\\b(?! [A-Z])`).test(wordsOf(finding)) ? 1 : 0);
  };
  let chosen: Finding | undefined;
  for (const finding of candidates) {
    if (!chosen) chosen = finding;
    else {
      const difference = score(finding) - score(chosen);
      const width = finding.range.end - finding.range.start - (chosen.range.end - chosen.range.start);
      if (difference > 0 || (difference === 0 && width < 0)) chosen = finding;
    }
  }
  return chosen;
}

/** Whether a message names the relation (as a word; case-insensitive, since PostgreSQL folds unquoted names). */
function mentions(message: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w$])${escaped}($|[^\\w$])`, "i").test(message);
}

function rebuilt(indexes: number): string {
  return indexes === 0 ? "" : ` and its ${indexes === 1 ? "index" : `${indexes} indexes`} rebuilt`;
}

/** How long a lock was held: "from line 12 to COMMIT at line 40". */
function span(migration: Loaded, lock: TakenLock): string {
  const from = lineOf(migration, lock.statement);
  const { segment } = lock;
  if (segment.kind === "autocommit") return `for the statement at line ${from} only, which runs in a transaction of its own`;
  if (segment.end) {
    const keyword = segment.end.codeTokensFrom(segment.end.range.start, 1)[0]?.upper ?? "COMMIT";
    return `from line ${from} to ${keyword === "END" ? "COMMIT" : keyword} at line ${lineOf(migration, segment.end)}`;
  }
  const last = segment.statements[segment.statements.length - 1]!;
  const to = endLineOf(migration, last);
  if (segment.kind === "file") return `from line ${from} to the end of the file (line ${to}): its BEGIN block is never committed`;
  return `from line ${from} until the transaction commits after line ${to}`;
}

/**
 * Whether the lock is held while other work runs: a later statement of its transaction
 * that does more than alter the same table (a backfill, an index build, work on another
 * table). A few ALTER TABLEs of one table in a row hold its lock only a moment longer.
 */
function heldPastStatement(lock: TakenLock): boolean {
  const { segment, statement } = lock;
  const index = segment.statements.indexOf(statement);
  return segment.statements.slice(index + 1).some((later) => later !== segment.end && !onlyAlters(later, lock.relation));
}

function onlyAlters(statement: Statement, table: Relation): boolean {
  if (statement.kind === "VariableSetStmt" || statement.kind === "TransactionStmt") return true;
  if (statement.kind !== "AlterTableStmt") return false;
  const name = astRelationName(statement.node.relation);
  return name !== undefined && name.name === table.name && (name.schema === undefined || name.schema === table.schema);
}

// ---------------------------------------------------------------- rollback and rerun

const ROLLBACK_HELP =
  "Make the rollback undo every change of the migration, in reverse order: drop what it creates, recreate what it drops with the same definition, and restore what it alters.";

/**
 * In a transaction that is rolled back afterwards (the database goes on from the
 * migration): applies the rollback, compares the schema with the one before the
 * migration, then applies the migration again to prove the round trip.
 */
async function checkRollback(migration: Loaded, statements: readonly Statement[], rollback: RollbackSource, before: CatalogSnapshot, run: RunContext): Promise<void> {
  const { db, notes } = run;
  await db.exec("BEGIN");
  try {
    const undone = await runTransactional(db, rollback.statements);
    noteSkipped(rollback.file, undone.skipped, "the rollback", notes);
    if (undone.failure) {
      const { statement, error } = undone.failure;
      addFinding(
        rollback.file,
        "verify-error",
        errorRange(statement, error),
        `Fails on ${run.version} in ${rollback.label}: ${errorSummary(error)}`,
        error.hint ?? "Make the rollback apply to the schema the migration leaves: drop or alter the objects it created, under the same names",
        `${run.version} rejects this statement of ${rollback.label}, run right after the migration: ${errorText(error)} The rollback would fail when it is needed.`,
      );
      return;
    }
    const differences = diffCatalog(before, await snapshotCatalog(db, run.ignored), { from: run.startedAt, to: Date.now() });
    for (const difference of differences) {
      const text = describeDifference(difference);
      const sentence = `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
      addFinding(rollback.file, "verify-rollback", rollback.range, sentence, ROLLBACK_HELP, `${sentence} (${rollback.label} was run right after the migration, and the schemas compared).`);
    }
    // The round trip is proven only from the schema before the migration; from another, its failure would repeat the differences.
    if (differences.length > 0) return;
    const again = await runTransactional(db, statements);
    if (again.failure) {
      const { statement, error } = again.failure;
      addFinding(
        migration,
        "verify-rollback",
        errorRange(statement, error),
        `After ${rollback.label}, the migration fails again here: ${errorSummary(error)}`,
        ROLLBACK_HELP,
        `The round trip fails: after ${rollback.label}, applying the migration again fails here: ${errorText(error)} The rollback does not return the database to a state the migration applies to.`,
      );
    }
  } finally {
    await db.exec("ROLLBACK");
  }
}

/** --rerun: applies the migration a second time, in a transaction that is rolled back. */
async function checkRerun(migration: Loaded, statements: readonly Statement[], run: RunContext, why: string): Promise<void> {
  const { db } = run;
  await db.exec("BEGIN");
  try {
    const again = await runTransactional(db, statements);
    noteSkipped(migration, again.skipped, "--rerun", run.notes);
    if (!again.failure) return;
    const { statement, error } = again.failure;
    addFinding(
      migration,
      "verify-rerun",
      errorRange(statement, error),
      `Not re-runnable: a second run fails here: ${errorSummary(error)}`,
      "Make each statement safe to run twice: CREATE … IF NOT EXISTS, DROP … IF EXISTS, ADD COLUMN IF NOT EXISTS, CREATE OR REPLACE",
      `Not re-runnable: applying the migration a second time fails here: ${errorText(error)} A migration interrupted halfway (a lock timeout, a killed deploy) cannot simply be run again.${why}`,
    );
  } finally {
    await db.exec("ROLLBACK");
  }
}

function noteSkipped(file: Loaded, skipped: readonly Statement[], what: string, notes: string[]): void {
  for (const statement of skipped) {
    notes.push(`${migrationLabel(file.filePath)}:${lineOf(file, statement)}: cannot run inside a transaction, so ${what} check leaves it out`);
  }
}

// ---------------------------------------------------------------- seed and synthetic rows

async function runSeed(db: VerifyDatabase, seed: { path: string; text: string }): Promise<string | undefined> {
  const source = new SourceText(seed.text);
  const refused = refusalInSql(source.text, refusalTarget(db));
  if (refused) {
    const position = source.position(refused.location);
    return `--seed ${seed.path}:${position.line}:${position.column}: verify does not run this statement: ${refused.reason}`;
  }
  try {
    await db.exec(source.text);
    return undefined;
  } catch (caught) {
    const error = databaseError(caught);
    const position = error.position === undefined ? undefined : source.position(indexOfCodePoint(source.text, error.position - 1));
    const at = position ? `:${position.line}:${position.column}` : "";
    return `--seed ${seed.path}${at}: ${errorText(error)}`;
  }
}

interface ColumnRow extends Record<string, unknown> {
  name: string;
  notnull: boolean;
  hasdefault: boolean;
  identity: string;
  generated: string;
  type: string;
  base: string;
  category: string;
  label: string | null;
}

/**
 * --rows N: before each migration, every user table with fewer than N rows gets synthetic
 * ones (one INSERT … SELECT … FROM generate_series per table, parents before children).
 * Values follow each column's type; nullable columns are NULL in every other row; columns
 * with a default get it; a single-column foreign key takes the parent's existing keys in
 * turn. A table that cannot be filled (a type with no generator, a check constraint) is
 * left as it is, and a note says why.
 */
export async function fillTables(db: VerifyDatabase, rows: number, notes: string[], ignored: readonly string[] = []): Promise<void> {
  const tables = await db.query<{ oid: string; schema: string; name: string }>(`
    SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${userSchema("n.nspname", ignored)} AND ${notInExtension("pg_catalog.pg_class", "c.oid")}
    ORDER BY 2, 3`);
  if (tables.length === 0) return;
  const keys = await db.query<{ child: string; parent: string; columns: number; column: string; ref: string }>(`
    SELECT k.conrelid::text AS child, k.confrelid::text AS parent, pg_catalog.array_length(k.conkey, 1) AS columns,
      (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[1]) AS column,
      (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = k.confrelid AND a.attnum = k.confkey[1]) AS ref
    FROM pg_catalog.pg_constraint k WHERE k.contype = 'f'`);
  const byOid = new Map(tables.map((table) => [table.oid, table]));
  for (const table of parentsFirst(tables, keys)) {
    const qualified = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
    const label = table.schema === "public" ? table.name : `${table.schema}.${table.name}`;
    const count = Number((await db.query<{ count: number }>(`SELECT pg_catalog.count(*)::int AS count FROM ${qualified}`))[0]?.count ?? 0);
    if (count >= rows) continue;
    const columns = await db.query<ColumnRow>(
      `
      SELECT a.attname AS name, a.attnotnull AS notnull, a.atthasdef AS hasdefault, a.attidentity::text AS identity, a.attgenerated::text AS generated,
        pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, b.typname AS base, b.typcategory::text AS category,
        (SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = b.oid ORDER BY e.enumsortorder LIMIT 1) AS label
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
      WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
      [table.oid],
    );
    const joins: string[] = [];
    const names: string[] = [];
    const values: string[] = [];
    let problem: string | undefined;
    for (const column of columns) {
      if (column.identity || column.generated || column.hasdefault) continue;
      const key = keys.find((candidate) => candidate.child === table.oid && candidate.columns === 1 && candidate.column === column.name);
      const parent = key && byOid.get(key.parent);
      let value: string | undefined;
      if (key && parent) {
        const alias = `f${joins.length}`;
        const parentName = `${quoteIdent(parent.schema)}.${quoteIdent(parent.name)}`;
        joins.push(
          `LEFT JOIN (SELECT ${quoteIdent(key.ref)} AS v, pg_catalog.row_number() OVER (ORDER BY ${quoteIdent(key.ref)}) AS n FROM ${parentName}) AS ${alias}` +
            ` ON ${alias}.n = ((s.g - 1) % GREATEST((SELECT pg_catalog.count(*) FROM ${parentName}), 1)) + 1`,
        );
        value = `${alias}.v`;
      } else {
        value = syntheticValue(column, qualified, label, count);
      }
      if (value === undefined && column.notnull) {
        problem = `column ${column.name} has type ${column.type}, which --rows cannot generate`;
        break;
      }
      names.push(quoteIdent(column.name));
      values.push(column.notnull ? value! : value === undefined ? "NULL" : `CASE WHEN s.g % 2 = 0 THEN NULL ELSE ${value} END`);
    }
    if (!problem) {
      // With no column to give, every column takes its default.
      const sql =
        names.length === 0
          ? `INSERT INTO ${qualified} SELECT FROM pg_catalog.generate_series(1, ${rows - count})`
          : `INSERT INTO ${qualified} (${names.join(", ")}) SELECT ${values.join(", ")} FROM pg_catalog.generate_series(1, ${rows - count}) AS s(g) ${joins.join(" ")}`;
      try {
        await db.exec(sql);
      } catch (caught) {
        problem = errorText(databaseError(caught));
      }
    }
    if (problem) notes.push(`--rows: cannot fill ${label} (it keeps ${count} rows): ${problem}`);
  }
}

/** An expression of `s.g` (1, 2, …) giving a value of the column's type, distinct per row where the type allows. */
function syntheticValue(column: ColumnRow, qualified: string, table: string, count: number): string | undefined {
  const n = `(${count} + s.g)`;
  const cast = (expression: string) => `(${expression})::${column.type}`;
  if (column.label !== null) return cast(quoteLiteral(column.label));
  switch (column.base) {
    case "uuid":
      return cast(`pg_catalog.md5(${quoteLiteral(`${table}.${column.name}.`)} || ${n})::uuid`);
    case "bool":
      return "(s.g % 2 = 0)";
    case "date":
    case "timestamp":
    case "timestamptz":
      return cast(`timestamp '2024-01-01 00:00:00' + ${n} * interval '1 minute'`);
    case "time":
    case "timetz":
      return cast(`time '00:00:00' + ${n} * interval '1 second'`);
    case "interval":
      return cast(`${n} * interval '1 second'`);
    case "json":
    case "jsonb":
      return cast(`pg_catalog.json_build_object('n', ${n})`);
    case "bytea":
      return cast(`pg_catalog.convert_to(${n}::text, 'UTF8')`);
    case "inet":
    case "cidr":
      return cast(`'10.0.0.0'::inet + ${n}`);
    default:
      break;
  }
  if (column.category === "N") return cast(`COALESCE((SELECT pg_catalog.max(${quoteIdent(column.name)}) FROM ${qualified})::numeric, 0) + s.g`);
  if (column.category === "S") return cast(`${quoteLiteral(`${column.name}-`)} || ${n}`);
  if (column.category === "A") return cast("'{}'");
  return undefined;
}

/** Tables ordered so that a table comes after the tables its foreign keys reference (cycles in name order). */
function parentsFirst<T extends { oid: string }>(tables: readonly T[], keys: readonly { child: string; parent: string }[]): T[] {
  const ordered: T[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const byOid = new Map(tables.map((table) => [table.oid, table]));
  const visit = (table: T) => {
    if (done.has(table.oid) || visiting.has(table.oid)) return;
    visiting.add(table.oid);
    for (const key of keys) {
      const parent = key.child === table.oid && key.parent !== table.oid ? byOid.get(key.parent) : undefined;
      if (parent) visit(parent);
    }
    visiting.delete(table.oid);
    done.add(table.oid);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------- findings

function addFinding(file: Loaded, ruleId: VerifyRuleId, range: Range, message: string, help: string, explanation?: string): Finding {
  const moved = file.toSource(range);
  const source = file.source ?? new SourceText(file.result.text ?? "");
  const finding: Finding = {
    ruleId,
    severity: VERIFY_META[ruleId].severity,
    message: fitLine(message, MESSAGE_LIMIT),
    help: fitLine(help, HELP_LIMIT),
    ...(explanation ? { explanation } : {}),
    range: moved,
    loc: source.location(moved),
    docsUrl: `${VERIFY_DOCS_URL}#${ruleId}`,
  };
  file.result.findings.push(finding);
  return finding;
}

function sortFindings(result: FileResult): void {
  result.findings.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end || a.ruleId.localeCompare(b.ruleId));
}

function lineOf(file: Loaded, statement: Statement): number {
  return (file.source ?? new SourceText("")).position(file.toSource(statement.range).start).line;
}

function endLineOf(file: Loaded, statement: Statement): number {
  return (file.source ?? new SourceText("")).position(file.toSource(statement.range).end).line;
}

