/** Which transaction each statement runs in: explicit BEGIN blocks, the runner's transaction per file or per goose/dbmate/sql-migrate section. */
import { asList, unwrap } from "../parser/ast.js";
import { transactionKind } from "../parser/transactions.js";
import type { AstNode, ParsedFile, Statement } from "../parser/types.js";
import type { RuleContext } from "./rule.js";

export interface RunnerSection {
  /** String index where the section starts. */
  start: number;
  /** True when the runner wraps the section in a transaction of its own. */
  wraps: boolean;
  /** Why migsafe thinks so, for messages. */
  reason: string;
  /** "file", or "up section" / "down section" of a file with runner markers. */
  label: string;
}

const SETTING = "the configuration says the runner wraps each file in a transaction (assumeInTransaction)";

/** Section markers of runners that wrap each section in a transaction unless the file says otherwise. */
const MARKERS: { pattern: RegExp; wraps: (rest: string, text: string) => boolean; runner: string; off: string }[] = [
  { pattern: /^--\s*\+goose\s+(up|down)\b(.*)$/i, wraps: (_rest, text) => !/^--\s*\+goose\s+no\s+transaction\b/im.test(text), runner: "goose", off: "-- +goose NO TRANSACTION" },
  { pattern: /^--\s*migrate:(up|down)\b(.*)$/i, wraps: (rest) => !/\btransaction:\s*false\b/i.test(rest), runner: "dbmate", off: "transaction:false" },
  { pattern: /^--\s*\+migrate\s+(up|down)\b(.*)$/i, wraps: (rest) => !/\bnotransaction\b/i.test(rest), runner: "sql-migrate", off: "notransaction" },
];

/**
 * How the runner runs the file: one section wrapped or not as `settings.assumeInTransaction` says,
 * or, for a file with goose (`-- +goose Up`), dbmate (`-- migrate:up`) or sql-migrate (`-- +migrate Up`)
 * markers, one section per marker, wrapped in a transaction unless the marker (or goose's
 * `-- +goose NO TRANSACTION`) turns it off: those runners' own defaults, whatever the setting says.
 */
export function runnerSections(context: RuleContext): RunnerSection[] {
  return memo(sectionsCache, context, () => computeRunnerSections(context));
}

export function transactionScopes(context: RuleContext): Map<Statement, string | undefined> {
  return memo(scopesCache, context, () => computeTransactionScopes(context));
}

// Many rules ask about the same file: work out its sections and scopes once per file and setting.
const sectionsCache = new WeakMap<ParsedFile, Map<boolean, RunnerSection[]>>();
const scopesCache = new WeakMap<ParsedFile, Map<boolean, Map<Statement, string | undefined>>>();

function memo<T>(cache: WeakMap<ParsedFile, Map<boolean, T>>, context: RuleContext, compute: () => T): T {
  let bySetting = cache.get(context.parsed);
  if (!bySetting) cache.set(context.parsed, (bySetting = new Map()));
  const key = context.settings.assumeInTransaction;
  if (!bySetting.has(key)) bySetting.set(key, compute());
  return bySetting.get(key)!;
}

function computeRunnerSections(context: RuleContext): RunnerSection[] {
  const assumed = context.settings.assumeInTransaction;
  const sections: RunnerSection[] = [{ start: 0, wraps: assumed, reason: assumed ? SETTING : "", label: "file" }];
  const comments = context.parsed.comments.map((comment) => ({ comment, text: comment.text.trim() }));
  const allComments = comments.map((c) => c.text).join("\n");
  for (const { comment, text } of comments) {
    if (comment.kind !== "line") continue;
    for (const marker of MARKERS) {
      const match = marker.pattern.exec(text);
      if (!match) continue;
      const wraps = marker.wraps(match[2] ?? "", allComments);
      const reason = wraps
        ? `${marker.runner} runs each migration in a transaction (its ${text} marker has no ${marker.off})`
        : `${marker.runner} runs this migration without a transaction (${marker.off})`;
      sections.push({ start: comment.range.start, wraps, reason, label: `${match[1]!.toLowerCase()} section` });
    }
  }
  return sections;
}

export function sectionOf(sections: readonly RunnerSection[], statement: Statement): RunnerSection {
  const at = (statement.parent ?? statement).range.start;
  let found = sections[0]!;
  for (const section of sections) if (section.start <= at) found = section;
  return found;
}

/**
 * The transaction each top-level statement runs in, as a key (undefined: it runs on its own,
 * in autocommit). A BEGIN opens a block unless one is open already (PostgreSQL ignores it then);
 * COMMIT, ROLLBACK or PREPARE TRANSACTION ends whatever is open, the runner's transaction
 * included: after that, statements run on their own until the next BEGIN. DO-block statements
 * run in their DO statement's transaction: look them up by `statement.parent`.
 */
function computeTransactionScopes(context: RuleContext): Map<Statement, string | undefined> {
  const sections = runnerSections(context);
  const scopes = new Map<Statement, string | undefined>();
  let section: RunnerSection | undefined;
  let runnerOpen = false;
  let begin: number | undefined;
  for (const statement of context.parsed.statements) {
    const current = sectionOf(sections, statement);
    if (current !== section) {
      section = current;
      runnerOpen = current.wraps;
      begin = undefined;
    }
    const kind = transactionKind(statement);
    if (kind === "begin" && !runnerOpen && begin === undefined) begin = statement.index;
    scopes.set(statement, runnerOpen ? `runner@${current.start}` : begin !== undefined ? `begin@${begin}` : undefined);
    if (kind === "end") {
      runnerOpen = false;
      begin = undefined;
    }
  }
  return scopes;
}

/**
 * The transaction a statement runs in, from `transactionScopes`: DO-block statements run in
 * their DO statement's, and a DO statement run on its own is a transaction of its own.
 */
export function transactionOf(scopes: ReadonlyMap<Statement, string | undefined>, statement: Statement): string | undefined {
  const top = statement.parent ?? statement;
  return scopes.get(top) ?? (statement.parent ? `do@${top.index}` : undefined);
}

/**
 * Why a file has to run outside a transaction block, if it does: statements PostgreSQL
 * refuses inside one (it raises "cannot run inside a transaction block").
 */
export function needsNoTransaction(statement: Statement, pgVersion: number): string | undefined {
  const node = statement.node;
  switch (statement.kind) {
    case "IndexStmt":
      return node.concurrent === true ? "CREATE INDEX CONCURRENTLY" : undefined;
    case "DropStmt":
      return node.concurrent === true ? "DROP INDEX CONCURRENTLY" : undefined;
    case "ReindexStmt":
      if (hasOption(node.params, "concurrently")) return "REINDEX CONCURRENTLY";
      return node.kind === "REINDEX_OBJECT_SCHEMA" || node.kind === "REINDEX_OBJECT_DATABASE" || node.kind === "REINDEX_OBJECT_SYSTEM" ? "REINDEX SCHEMA/DATABASE/SYSTEM" : undefined;
    case "AlterEnumStmt":
      return pgVersion < 12 && typeof node.newVal === "string" && node.oldVal === undefined ? "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)" : undefined;
    case "VacuumStmt":
      return node.is_vacuumcmd === true ? "VACUUM" : undefined;
    case "ClusterStmt":
      return node.relation ? undefined : "CLUSTER without a table";
    case "AlterTableStmt":
      return asList(node.cmds).some((cmd) => {
        const value = unwrap(cmd)?.value;
        return value?.subtype === "AT_DetachPartition" && (unwrap(value.def)?.value as AstNode | undefined)?.concurrent === true;
      })
        ? "DETACH PARTITION CONCURRENTLY"
        : undefined;
    case "CreatedbStmt":
      return "CREATE DATABASE";
    case "DropdbStmt":
      return "DROP DATABASE";
    case "AlterDatabaseStmt":
      return asList(node.options).some((option) => unwrap(option)?.value.defname === "tablespace") ? "ALTER DATABASE SET TABLESPACE" : undefined;
    case "CreateTableSpaceStmt":
      return "CREATE TABLESPACE";
    case "DropTableSpaceStmt":
      return "DROP TABLESPACE";
    case "AlterSystemStmt":
      return "ALTER SYSTEM";
    case "CreateSubscriptionStmt":
      return "CREATE SUBSCRIPTION";
    case "DropSubscriptionStmt":
      return "DROP SUBSCRIPTION";
    default:
      return undefined;
  }
}

/** A `(FULL)`-style option that is on: present, and not set to false/off/0. */
export function hasOption(options: unknown, name: string): boolean {
  return asList(options).some((option) => {
    const def = unwrap(option);
    if (def?.type !== "DefElem" || def.value.defname !== name) return false;
    const arg = unwrap(def.value.arg);
    if (!arg) return true;
    const value = arg.type === "String" ? String(arg.value.sval).toLowerCase() : arg.type === "Integer" ? String(arg.value.ival ?? 0) : arg.type === "Boolean" ? String(arg.value.boolval ?? false) : "";
    return !["false", "off", "0", "no"].includes(value);
  });
}

/** Statements that change nothing a failure could leave half-done: session settings and transaction control. */
