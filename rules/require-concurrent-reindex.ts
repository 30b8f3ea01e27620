import { asList, displayName, relationName, unwrap, type QualifiedName } from "../src/parser/ast.js";
import type { AstNode, Statement, Token } from "../src/parser/types.js";
import { defineRule, type Fix } from "../src/engine/rule.js";
import { concurrentPlacement, indexOnNewTable, oneLine } from "../src/engine/concurrently.js";

type Kind = "INDEX" | "TABLE" | "SCHEMA" | "DATABASE" | "SYSTEM";

const KINDS: Record<string, Kind> = {
  REINDEX_OBJECT_INDEX: "INDEX",
  REINDEX_OBJECT_TABLE: "TABLE",
  REINDEX_OBJECT_SCHEMA: "SCHEMA",
  REINDEX_OBJECT_DATABASE: "DATABASE",
  REINDEX_OBJECT_SYSTEM: "SYSTEM",
};

/** What planning does to an index locked ACCESS EXCLUSIVE, worded once. */
const PLANNER =
  "and since planning any query on a table takes a lock on each of its indexes, practically every read of the table waits too " +
  "(only prepared statements whose cached plan does not use the index go on)";

export default defineRule({
  meta: {
    id: "require-concurrent-reindex",
    severity: "careful",
    description: "REINDEX without CONCURRENTLY blocks writes to the table, and practically every read of it, for the whole rebuild.",
    category: "locking",
    fixable: true,
    checksDoBlocks: true,
    pgVersionNote: "12+ for REINDEX CONCURRENTLY",
  },
  checkStatement(statement, context) {
    if (statement.kind !== "ReindexStmt") return;
    const node = statement.node;
    const kind = KINDS[String(node.kind)];
    if (!kind) return;
    const concurrently = option(node.params, "concurrently");
    if (concurrently && isTrue(concurrently.arg)) return;
    const whole = kind === "SCHEMA" || kind === "DATABASE" || kind === "SYSTEM";
    // PostgreSQL refuses these in a function: forbidden-in-transaction reports them there.
    if (whole && statement.origin === "do-block") return;

    let target: QualifiedName | undefined;
    if (kind === "INDEX" || kind === "TABLE") {
      target = relationName(node.relation);
      if (!target) return;
      if (kind === "INDEX" && indexOnNewTable(statement, context, target)) return;
      if (kind === "TABLE" && (context.facts.history.isNew(statement, "table", target) || context.facts.history.isNew(statement, "materialized-view", target))) return;
    } else if (typeof node.name === "string") {
      target = { name: node.name };
      if (kind === "SCHEMA" && context.facts.history.isNew(statement, "schema", target)) return;
    }

    const name = target ? displayName(target) : undefined;
    const label = `REINDEX ${kind}${name ? ` ${name}` : ""}`;
    const pgVersion = context.settings.pgVersion;
    const placement = concurrentPlacement(statement, context);
    const fix = kind !== "SYSTEM" && pgVersion >= 12 && placement.outside && !concurrently ? insertConcurrently(statement, kind) : undefined;
    context.report({
      message: `${label} ${lockStory(kind, name)}`,
      help: helpFor(statement, kind, target, pgVersion, placement.where),
      ...(fix ? { fix } : {}),
    });
  },
});

function lockStory(kind: Kind, name: string | undefined): string {
  const rebuild = "Each rebuild reads the whole table (minutes on a large table); the table itself is not rewritten.";
  switch (kind) {
    case "INDEX":
      return (
        `rebuilds the index from scratch under an ACCESS EXCLUSIVE lock on ${name} and a SHARE lock on its table, both held for the whole rebuild. ` +
        `The SHARE lock blocks INSERT, UPDATE and DELETE on the table; the ACCESS EXCLUSIVE lock blocks every query that would use ${name}, ${PLANNER}. ` +
        "The rebuild reads the whole table (minutes on a large table); the table itself is not rewritten."
      );
    case "TABLE":
      return (
        `rebuilds every index of ${name} (and of its TOAST table) one after the other, in one transaction: it holds a SHARE lock on ${name} for the whole run, ` +
        `which blocks INSERT, UPDATE and DELETE, and an ACCESS EXCLUSIVE lock on each index from its rebuild to the end, ${PLANNER}. ${rebuild}`
      );
    case "SCHEMA":
    case "DATABASE": {
      const scope = kind === "SCHEMA" ? `in schema ${name}` : name ? `of database ${name}` : "of the current database";
      return (
        `rebuilds every index of every table ${scope}, table by table. While a table's indexes are rebuilt, the table is locked as by REINDEX TABLE: ` +
        `a SHARE lock that blocks INSERT, UPDATE and DELETE, and ACCESS EXCLUSIVE locks on its indexes, ${PLANNER}. ` +
        `The outage moves from table to table for as long as the whole run takes. ${rebuild}`
      );
    }
    case "SYSTEM":
      return (
        `rebuilds the indexes of the system catalogs${name ? ` of database ${name}` : ""}, catalog by catalog, each under a SHARE lock on the catalog and ACCESS EXCLUSIVE locks on its indexes: ` +
        "whatever needs to read a locked catalog (planning queries, DDL, new connections) waits while that catalog is processed."
      );
  }
}

function helpFor(statement: Statement, kind: Kind, target: QualifiedName | undefined, pgVersion: number, where: string): string {
  if (kind === "SYSTEM") {
    return (
      "REINDEX SYSTEM cannot run CONCURRENTLY: PostgreSQL refuses to rebuild system catalog indexes concurrently. It is a repair for corrupted catalog indexes, " +
      "not a migration step: run it by hand in a maintenance window, with the application stopped. " +
      (pgVersion >= 12 ? "To rebuild the indexes of your own tables, REINDEX DATABASE CONCURRENTLY; does it without blocking (it skips the catalogs)." : "")
    ).trimEnd();
  }
  if (pgVersion < 12) return twinHelp(kind, target, pgVersion);
  const name = target ? displayName(target) : "";
  const suggested = concurrentSql(statement, kind, `REINDEX ${kind} CONCURRENTLY${name ? ` ${name}` : ""};`);
  return (
    `Rebuild without blocking reads and writes: ${suggested} ` +
    `It builds a new copy of ${kind === "INDEX" ? "the index" : "each index"} next to the old one under a SHARE UPDATE EXCLUSIVE lock (reads and writes go on), then swaps them; it takes longer, needs disk space for the copy, ` +
    `and waits for running transactions; run it ${where}. ` +
    "If it fails or is cancelled, it leaves behind an INVALID index whose name ends in _ccnew, which every write still maintains: drop it (DROP INDEX CONCURRENTLY …_ccnew;) and run the REINDEX again " +
    "(one ending in _ccold is the old copy, left after a successful rebuild: just drop it). " +
    "It cannot rebuild the index of an exclusion constraint concurrently."
  );
}

/** Before PostgreSQL 12: a twin built CONCURRENTLY replaces the index. */
function twinHelp(kind: Exclude<Kind, "SYSTEM">, target: QualifiedName | undefined, pgVersion: number): string {
  const head = `REINDEX CONCURRENTLY does not exist before PostgreSQL 12 (settings.pgVersion is ${pgVersion}). `;
  const swap = (index: string, definition: string, twin: string, schemaPrefix: string) =>
    `CREATE INDEX CONCURRENTLY ${twin} ON … (…); (the definition of ${index}, from ${definition}), then DROP INDEX CONCURRENTLY ${index}; and ALTER INDEX ${schemaPrefix}${twin} RENAME TO ${displayName({ name: target?.name ?? "…" })};`;
  const constraint =
    " An index that backs a primary key or unique constraint cannot be dropped that way: build the twin with CREATE UNIQUE INDEX CONCURRENTLY, " +
    "then swap the constraint in one short statement (ALTER TABLE … DROP CONSTRAINT …, ADD CONSTRAINT … PRIMARY KEY USING INDEX …;). " +
    "pg_repack --table=… --only-indexes (or --index=…) does the same rebuild online, from a shell.";
  if (kind === "INDEX" && target) {
    const index = displayName(target);
    const twin = displayName({ name: `${target.name}_new` });
    const schemaPrefix = target.schema ? `${displayName({ name: target.schema })}.` : "";
    return `${head}Build a twin and swap it in, outside any transaction block: ${swap(index, `SELECT pg_get_indexdef(${literal(index)}::regclass);`, twin, schemaPrefix)}${constraint}`;
  }
  if (kind === "TABLE" && target) {
    const table = displayName(target);
    return (
      `${head}Rebuild each index of ${table} as a twin and swap it in, outside any transaction block: list them with ` +
      `SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ${literal(table)}::regclass; ` +
      `then for each index i: CREATE INDEX CONCURRENTLY i_new ON ${table} (…); DROP INDEX CONCURRENTLY i; ALTER INDEX i_new RENAME TO i;${constraint}`
    );
  }
  return (
    `${head}Rebuild only the indexes that need it (bloated or corrupted), each as a twin swapped in outside any transaction block: ` +
    "CREATE INDEX CONCURRENTLY i_new ON … (…); DROP INDEX CONCURRENTLY i; ALTER INDEX i_new RENAME TO i; and run the rest in a maintenance window." +
    constraint
  );
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The kind keyword after REINDEX and its parenthesised options, when the tokens are what the AST says and CONCURRENTLY is not there. */
function kindToken(statement: Statement, kind: Kind): Token | undefined {
  const code = statement.codeTokensFrom(statement.range.start, 256);
  if (code[0]?.start !== statement.range.start || code[0].upper !== "REINDEX" || code[0].type !== "keyword") return undefined;
  let i = 1;
  if (code[i]?.text === "(") {
    let depth = 0;
    for (; i < code.length; i++) {
      if (code[i]!.text === "(") depth++;
      else if (code[i]!.text === ")" && --depth === 0) break;
    }
    i++;
  }
  const token = code[i];
  if (token?.type !== "keyword" || token.upper !== kind || code[i + 1]?.upper === "CONCURRENTLY") return undefined;
  return token;
}

function insertConcurrently(statement: Statement, kind: Kind): Fix | undefined {
  const token = kindToken(statement, kind);
  return token ? { range: { start: token.end, end: token.end }, text: " CONCURRENTLY" } : undefined;
}

function concurrentSql(statement: Statement, kind: Kind, outline: string): string {
  const token = kindToken(statement, kind);
  return token ? `${oneLine(statement.tokens, token, " CONCURRENTLY")};` : outline;
}

function option(params: unknown, name: string): AstNode | undefined {
  return asList(params)
    .map((param) => unwrap(param))
    .find((param) => param?.type === "DefElem" && param.value.defname === name)?.value;
}

/** A DefElem's boolean argument: absent means true, as in `REINDEX (CONCURRENTLY) …`. */
function isTrue(arg: unknown): boolean {
  if (arg === undefined) return true;
  const value = unwrap(arg);
  if (value?.type === "String") return !["false", "off", "no", "0"].includes(String(value.value.sval).toLowerCase());
  if (value?.type === "Integer") return typeof value.value.ival === "number" && value.value.ival !== 0;
  if (value?.type === "Boolean") return value.value.boolval === true;
  return true;
}
