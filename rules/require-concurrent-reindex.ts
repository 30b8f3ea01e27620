import type { ReindexObjectType } from "@pgsql/types";
import { displayName, relationName, type QualifiedName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { optionGiven, optionIsOn } from "../src/facts/options.js";
import { defineRule } from "../src/engine/rule.js";
import { concurrentPlacement, concurrentSql, indexOnNewTable, insertConcurrently } from "../src/engine/concurrently.js";
import { firstFitting, messageLine, sqlLiteral } from "../src/engine/wording.js";
import { bare, concurrentlyWhere, shortSql } from "../src/engine/wording-locks.js";

type Kind = "INDEX" | "TABLE" | "SCHEMA" | "DATABASE" | "SYSTEM";

const KINDS: Record<ReindexObjectType, Kind> = {
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
  visit: {
    ReindexStmt(statement, context) {
      const node = statement.node;
      const kind = node.kind === undefined ? undefined : KINDS[node.kind];
      if (!kind || optionIsOn(node.params, "concurrently")) return;
      const whole = kind === "SCHEMA" || kind === "DATABASE" || kind === "SYSTEM";
      // PostgreSQL refuses these in a function: forbidden-in-transaction reports them there.
      if (whole && statement.origin === "do-block") return;

      let target: QualifiedName | undefined;
      if (kind === "INDEX" || kind === "TABLE") {
        target = relationName(node.relation);
        if (!target) return;
        if (kind === "INDEX" && indexOnNewTable(statement, context, target)) return;
        if (kind === "TABLE" && (context.facts.history.isNewOrEmptied(statement, target) || context.facts.history.isNew(statement, "materialized-view", target))) return;
      } else if (node.name !== undefined) {
        target = { name: node.name };
        if (kind === "SCHEMA" && context.facts.history.isNew(statement, "schema", target)) return;
      }

      const name = target ? displayName(target) : undefined;
      const label = `REINDEX ${kind}${name ? ` ${name}` : ""}`;
      const pgVersion = context.settings.pgVersion;
      const placement = concurrentPlacement(statement, context);
      // `(CONCURRENTLY false)` is written: CONCURRENTLY after the kind would contradict it.
      const fix =
        kind !== "SYSTEM" && pgVersion >= 12 && placement.outside && !optionGiven(node.params, "concurrently") ? insertConcurrently(statement, ["REINDEX", kind]) : undefined;
      const where = concurrentlyWhere(statement, context, placement.outside);
      context.report({
        message: shortMessage(kind, label, name),
        help: shortHelp(statement, kind, target, pgVersion, where),
        explanation: `${label} ${lockStory(kind, name)} ${alternative(statement, kind, target, pgVersion, placement.where)}`,
        ...(fix ? { fix } : {}),
      });
    },
  },
});

/** The finding in one line: what the rebuild blocks, and the lock. */
function shortMessage(kind: Kind, label: string, name: string | undefined): string {
  switch (kind) {
    case "INDEX":
      return `${label} blocks writes and most reads of its table (ACCESS EXCLUSIVE)`;
    case "TABLE":
      return messageLine(`${label} blocks writes and most reads of ${name} while it rebuilds (SHARE)`, `${label} blocks writes and most reads of the table (SHARE)`);
    case "SCHEMA":
      return messageLine(`${label} blocks writes and most reads of each of its tables in turn (SHARE)`, `${label} blocks writes and most reads of each table (SHARE)`);
    case "DATABASE":
      return messageLine(`${label} blocks writes and most reads of every table in turn (SHARE)`, `${label} blocks writes and most reads of every table (SHARE)`);
    case "SYSTEM":
      return `${label} locks each system catalog in turn: planning, DDL and new connections wait (SHARE)`;
  }
}

/** The safe alternative in one line. */
function shortHelp(statement: Statement, kind: Kind, target: QualifiedName | undefined, pgVersion: number, where: string): string {
  if (kind === "SYSTEM") {
    return `Run REINDEX SYSTEM by hand in a maintenance window${pgVersion >= 12 ? "; for your own tables' indexes, use REINDEX DATABASE CONCURRENTLY" : ", with the application stopped"}`;
  }
  const name = target ? displayName(target) : "";
  if (pgVersion < 12) {
    const before = `(REINDEX CONCURRENTLY needs PostgreSQL 12; pgVersion is ${pgVersion})`;
    if (kind === "INDEX" && target) {
      const twin = displayName({ name: `${target.name}_new` });
      return firstFitting(200, 
          `Build a twin (CREATE INDEX CONCURRENTLY ${twin} …), DROP INDEX CONCURRENTLY ${name}, then rename the twin ${before}`,
          `Build a twin with CREATE INDEX CONCURRENTLY, drop the old index CONCURRENTLY, then rename the twin ${before}`,
        );
    }
    if (kind === "TABLE" && target) {
      return firstFitting(200, 
          `Rebuild each index of ${name} as a twin built CONCURRENTLY, drop the old one CONCURRENTLY and rename the twin ${before}`,
          `Rebuild each index as a twin built CONCURRENTLY, drop the old one CONCURRENTLY and rename the twin ${before}`,
        );
    }
    return `Rebuild only the indexes that need it, each as a twin built CONCURRENTLY and swapped in ${before}`;
  }
  const outline = `REINDEX ${kind} CONCURRENTLY${name ? ` ${name}` : ""}`;
  return `Use ${shortSql(bare(concurrentSql(statement, ["REINDEX", kind], `${outline};`)), outline)} ${where}`;
}

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

/** The safe alternative at length, for the explanation. */
function alternative(statement: Statement, kind: Kind, target: QualifiedName | undefined, pgVersion: number, where: string): string {
  if (kind === "SYSTEM") {
    return (
      "REINDEX SYSTEM cannot run CONCURRENTLY: PostgreSQL refuses to rebuild system catalog indexes concurrently. It is a repair for corrupted catalog indexes, " +
      "not a migration step: run it by hand in a maintenance window, with the application stopped. " +
      (pgVersion >= 12 ? "To rebuild the indexes of your own tables, REINDEX DATABASE CONCURRENTLY; does it without blocking (it skips the catalogs)." : "")
    ).trimEnd();
  }
  if (pgVersion < 12) return twinHelp(kind, target, pgVersion);
  const name = target ? displayName(target) : "";
  const suggested = concurrentSql(statement, ["REINDEX", kind], `REINDEX ${kind} CONCURRENTLY${name ? ` ${name}` : ""};`);
  return (
    `${suggested} rebuilds without blocking reads and writes. ` +
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
    return `${head}Build a twin and swap it in, outside any transaction block: ${swap(index, `SELECT pg_get_indexdef(${sqlLiteral(index)}::regclass);`, twin, schemaPrefix)}${constraint}`;
  }
  if (kind === "TABLE" && target) {
    const table = displayName(target);
    return (
      `${head}Rebuild each index of ${table} as a twin and swap it in, outside any transaction block: list them with ` +
      `SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ${sqlLiteral(table)}::regclass; ` +
      `then for each index i: CREATE INDEX CONCURRENTLY i_new ON ${table} (…); DROP INDEX CONCURRENTLY i; ALTER INDEX i_new RENAME TO i;${constraint}`
    );
  }
  return (
    `${head}Rebuild only the indexes that need it (bloated or corrupted), each as a twin swapped in outside any transaction block: ` +
    "CREATE INDEX CONCURRENTLY i_new ON … (…); DROP INDEX CONCURRENTLY i; ALTER INDEX i_new RENAME TO i; and run the rest in a maintenance window." +
    constraint
  );
}

