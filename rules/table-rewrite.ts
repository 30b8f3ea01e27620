import { alterTableCommands, displayName, relationName, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import type { Statement, StatementOf } from "../src/parser/types.js";
import { optionIsOn } from "../src/facts/options.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { indexOnNewTable } from "../src/engine/concurrently.js";
import { firstFitting, messageLine, sqlLiteral } from "../src/engine/wording.js";
import type { ResolvedName } from "../src/facts/names.js";
import type { Range } from "../src/source/source-text.js";
import { few } from "../src/engine/wording-locks.js";

const ACCESS_EXCLUSIVE = describeLock("ACCESS EXCLUSIVE");

/** What planning does to an index locked ACCESS EXCLUSIVE. */
const PLANNER =
  "and since planning any query on a table takes a lock on each of its indexes, practically every read and write of the index's table waits too " +
  "(only prepared statements whose cached plan does not use the index go on)";

const ONLINE_TOOLS =
  "Both need their extension installed and a primary key (or a unique index on NOT NULL columns), copy the table while reads and writes go on, " +
  "and take an ACCESS EXCLUSIVE lock only briefly, to swap the copy in.";

export default defineRule({
  meta: {
    id: "table-rewrite",
    severity: "careful",
    description: "SET LOGGED/UNLOGGED, SET TABLESPACE, SET ACCESS METHOD, VACUUM FULL and CLUSTER rewrite a whole table (or index) while blocking every read and write of it.",
    category: "rewrite",
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt: checkAlter,
    AlterTableMoveAllStmt: checkMoveAll,
    VacuumStmt: checkVacuum,
    ClusterStmt: checkCluster,
  },
});

/** A table or materialized view created earlier in this file, or a table emptied earlier in it: rewriting it takes no time. */
function isNewOrEmptied(statement: Statement, context: RuleContext, name: QualifiedName): boolean {
  return context.facts.history.isNewOrEmptied(statement, name) || context.facts.history.isNew(statement, "materialized-view", name);
}

function checkAlter(statement: StatementOf<"AlterTableStmt">, context: RuleContext): void {
  const objtype = statement.node.objtype;
  const relation = relationName(statement.node.relation);
  if (!relation) return;
  if (objtype === "OBJECT_INDEX") {
    if (indexOnNewTable(statement, context, relation)) return;
  } else if (objtype === "OBJECT_TABLE" || objtype === "OBJECT_MATVIEW") {
    if (isNewOrEmptied(statement, context, relation)) return;
  } else {
    return;
  }
  const name = displayName(relation);
  for (const command of alterTableCommands(statement)) {
    const argument = command.node.name !== undefined ? displayName({ name: command.node.name }) : "…";
    if (objtype === "OBJECT_INDEX") {
      if (command.subtype !== "AT_SetTableSpace") continue;
      say(context, {
        range: command.range,
        message: messageLine(
          `ALTER INDEX ${name} SET TABLESPACE ${argument} moves it, blocking its table (ACCESS EXCLUSIVE)`,
          `ALTER INDEX ${name} SET TABLESPACE moves it, blocking its table (ACCESS EXCLUSIVE)`,
          "ALTER INDEX SET TABLESPACE moves the index, blocking its table (ACCESS EXCLUSIVE)",
        ),
        help: firstFitting(200, ...(context.settings.pgVersion >= 14
            ? [`Use REINDEX (TABLESPACE ${argument}) INDEX CONCURRENTLY ${name} outside a transaction block`, `Use REINDEX (TABLESPACE …) INDEX CONCURRENTLY ${name} outside a transaction block`]
            : [
                `Build a twin with CREATE INDEX CONCURRENTLY … TABLESPACE ${argument}, drop ${name} CONCURRENTLY, then rename the twin`,
                "Build a twin with CREATE INDEX CONCURRENTLY … TABLESPACE …, drop the old index CONCURRENTLY, then rename the twin",
              ])),
        why:
          `ALTER INDEX ${name} SET TABLESPACE ${argument} copies the whole index to tablespace ${argument} under an ACCESS EXCLUSIVE lock on ${name}, held for the whole copy: ` +
          `every query that would use ${name} waits, ${PLANNER}. It needs free space in ${argument} for the whole index.`,
        how: indexTablespaceHelp(relation, argument, context.settings.pgVersion),
      });
      continue;
    }
    const kind = objtype === "OBJECT_MATVIEW" ? "MATERIALIZED VIEW" : "TABLE";
    const head = `ALTER ${kind} ${name}`;
    const lockFor = (work: string) =>
      kind === "TABLE"
        ? `holding ${ACCESS_EXCLUSIVE}, for the whole ${work} (minutes on a large table)`
        : `holding an ACCESS EXCLUSIVE lock, which blocks every read of the view, for the whole ${work}`;
    const lock = lockFor("rewrite");
    switch (command.subtype) {
      case "AT_SetLogged":
      case "AT_SetUnLogged": {
        const logged = command.subtype === "AT_SetLogged";
        const mode = logged ? "LOGGED" : "UNLOGGED";
        say(context, {
          range: command.range,
          message: messageLine(`${head} SET ${mode} rewrites ${name} and its indexes (ACCESS EXCLUSIVE)`, `${head} SET ${mode} rewrites it and its indexes (ACCESS EXCLUSIVE)`, `SET ${mode} rewrites ${kind === "TABLE" ? "the table" : "the view"} and its indexes (ACCESS EXCLUSIVE)`),
          help: `No online form: run it in a maintenance window with a lock_timeout, or copy into a new ${logged ? "logged" : "unlogged"} table and swap the names`,
          why:
            `${head} SET ${logged ? "LOGGED" : "UNLOGGED"} rewrites ${name} into a new file and rebuilds its indexes, ` +
            (logged ? "writing all of it to the WAL (a burst that replicas and backups must absorb), " : "") +
            `${lock}. It needs free disk space for a second copy of ${name} until it commits.` +
            (logged ? "" : ` Afterwards ${name} is no longer crash-safe (a crash empties it) and no longer replicated: standbys cannot read it, and a failover loses its rows.`),
          how:
            "There is no online form of this change. Run it in a maintenance window, when nothing uses the table (with a lock_timeout, so that it gives up instead of queueing every query), " +
            `or move to a new ${logged ? "logged" : "unlogged"} table: ${copyAndSwap(relation, logged ? "CREATE TABLE" : "CREATE UNLOGGED TABLE", "")}`,
        });
        break;
      }
      case "AT_SetTableSpace":
        say(context, {
          range: command.range,
          message: messageLine(
            `${head} SET TABLESPACE ${argument} copies ${name} while blocking it (ACCESS EXCLUSIVE)`,
            `${head} SET TABLESPACE ${argument} copies it while blocking it (ACCESS EXCLUSIVE)`,
            `SET TABLESPACE copies ${name} while blocking it (ACCESS EXCLUSIVE)`,
            `SET TABLESPACE copies the ${kind === "TABLE" ? "table" : "view"} while blocking it (ACCESS EXCLUSIVE)`,
          ),
          help:
            kind === "TABLE"
              ? firstFitting(200, 
                    `Move it online, outside the migration: pg_repack --table=${shellTable(context.facts.names.resolve(relation, statement))} --tablespace=${argument} (or pg_squeeze)`,
                    "Move it online, outside the migration, with pg_repack --table=… --tablespace=… (or pg_squeeze)",
                  )
              : firstFitting(200, 
                    `Run it in a maintenance window, or build the view anew in ${argument} and swap the names`,
                    "Run it in a maintenance window, or build the view anew in the new tablespace and swap the names",
                  ),
          why:
            `${head} SET TABLESPACE ${argument} copies every data file of ${name} to tablespace ${argument} (its indexes stay where they are) and writes the copy to the WAL, ` +
            `${lockFor("copy")}. It needs free space in ${argument} for the whole ${kind === "TABLE" ? "table" : "view"}.`,
          how: kind === "TABLE" ? tableTablespaceHelp(relation, context.facts.names.resolve(relation, statement), command.node.name, argument) : matviewTablespaceHelp(relation, argument),
        });
        break;
      case "AT_SetAccessMethod":
        say(context, {
          range: command.range,
          message: messageLine(
            `${head} SET ACCESS METHOD ${argument} rewrites ${name} and its indexes (ACCESS EXCLUSIVE)`,
            `${head} SET ACCESS METHOD rewrites ${name} and its indexes (ACCESS EXCLUSIVE)`,
            `SET ACCESS METHOD rewrites ${name} and its indexes (ACCESS EXCLUSIVE)`,
            "SET ACCESS METHOD rewrites the table and its indexes (ACCESS EXCLUSIVE)",
          ),
          help: firstFitting(200, 
              `No online form: run it in a maintenance window, or ${kind === "TABLE" ? "copy into a new table" : "create the view anew"} USING ${argument} and swap the names`,
              `No online form: run it in a maintenance window, or ${kind === "TABLE" ? "copy into a new table" : "create the view anew"} with the new access method and swap the names`,
            ),
          why:
            `${head} SET ACCESS METHOD ${argument} rewrites ${name} into the new access method and rebuilds its indexes, ` +
            `${lock}. It needs free disk space for a second copy of ${name} until it commits.`,
          how:
            kind === "TABLE"
              ? "There is no online form of this change. Run it in a maintenance window (with a lock_timeout), " +
                `or move to a new table: ${copyAndSwap(relation, "CREATE TABLE", ` USING ${argument}`)}`
              : `There is no online form of this change: run it in a maintenance window, or create the view anew with USING ${argument} and swap the names.`,
        });
        break;
    }
  }
}

/** A finding: the one-line message and help, and the longer why and how of it, which make its explanation. */
interface Said {
  message: string;
  help: string;
  why: string;
  how: string;
  range?: Range;
}

function say(context: RuleContext, { message, help, why, how, range }: Said): void {
  context.report({ message, help, explanation: `${why} ${how}`, ...(range ? { range } : {}) });
}

/** A new table built next to the old one, filled in batches, and swapped in by renaming. */
function copyAndSwap(table: QualifiedName, create: string, suffix: string): string {
  const name = displayName(table);
  const fresh = displayName({ ...table, name: `${table.name}_new` });
  const old = displayName({ name: `${table.name}_old` });
  return (
    `${create} ${fresh} (LIKE ${name} INCLUDING ALL)${suffix}; copy the rows in batches (INSERT INTO ${fresh} SELECT * FROM ${name} WHERE … ;), ` +
    `keep the copy in sync with a trigger while it runs, then swap the names in one short transaction ` +
    `(ALTER TABLE ${name} RENAME TO ${old}; ALTER TABLE ${fresh} RENAME TO ${displayName({ name: table.name })};).`
  );
}

function tableTablespaceHelp(table: QualifiedName, resolved: ResolvedName, rawTablespace: string | undefined, tablespace: string): string {
  return (
    `Move it online instead, outside the migration: with pg_squeeze, ${squeeze(resolved, "NULL", rawTablespace === undefined ? "…" : sqlLiteral(rawTablespace))} ` +
    `or with pg_repack, from a shell: pg_repack --table=${shellTable(resolved)} --tablespace=${tablespace}. ${ONLINE_TOOLS} ` +
    `Otherwise run it in a maintenance window, or move to a new table: ${copyAndSwap(table, "CREATE TABLE", ` TABLESPACE ${tablespace}`)}`
  );
}

function matviewTablespaceHelp(view: QualifiedName, tablespace: string): string {
  const name = displayName(view);
  const fresh = displayName({ ...view, name: `${view.name}_new` });
  return (
    `A materialized view cannot be moved online. Run it in a maintenance window, or build the view anew in ${tablespace} and swap the names: ` +
    `CREATE MATERIALIZED VIEW ${fresh} TABLESPACE ${tablespace} AS …; (the view's query, and its indexes), then ` +
    `ALTER MATERIALIZED VIEW ${name} RENAME TO ${displayName({ name: `${view.name}_old` })}; ALTER MATERIALIZED VIEW ${fresh} RENAME TO ${displayName({ name: view.name })};`
  );
}

function indexTablespaceHelp(index: QualifiedName, tablespace: string, pgVersion: number): string {
  const name = displayName(index);
  if (pgVersion >= 14) {
    return `Rebuild it in ${tablespace} without blocking reads and writes instead: REINDEX (TABLESPACE ${tablespace}) INDEX CONCURRENTLY ${name}; outside any transaction block (PostgreSQL 14 and later).`;
  }
  const twin = displayName({ name: `${index.name}_new` });
  const schemaPrefix = index.schema ? `${displayName({ name: index.schema })}.` : "";
  return (
    `Build a twin in ${tablespace} and swap it in, outside any transaction block: CREATE INDEX CONCURRENTLY ${twin} ON … (…) TABLESPACE ${tablespace}; ` +
    `(the definition of ${name}, from SELECT pg_get_indexdef(${sqlLiteral(name)}::regclass);), then DROP INDEX CONCURRENTLY ${name}; and ` +
    `ALTER INDEX ${schemaPrefix}${twin} RENAME TO ${displayName({ name: index.name })}; ` +
    "An index that backs a primary key or unique constraint needs the constraint swapped too (ALTER TABLE … DROP CONSTRAINT …, ADD CONSTRAINT … USING INDEX …;)."
  );
}

function checkMoveAll(statement: StatementOf<"AlterTableMoveAllStmt">, context: RuleContext): void {
  const node = statement.node;
  const kind = node.objtype === "OBJECT_INDEX" ? "INDEX" : node.objtype === "OBJECT_MATVIEW" ? "MATERIALIZED VIEW" : "TABLE";
  const what = kind === "INDEX" ? "index" : kind === "TABLE" ? "table" : "materialized view";
  const from = displayName({ name: String(node.orig_tablespacename) });
  const to = displayName({ name: String(node.new_tablespacename) });
  const owners = (node.roles ?? [])
    .map((role) => nodeAs(role, "RoleSpec"))
    .map((role) => (role?.rolename !== undefined ? displayName({ name: role.rolename }) : (role?.roletype ?? "").replace(/^ROLESPEC_/, "")))
    .filter((role) => role !== "");
  const owned = owners.length > 0 ? ` OWNED BY ${owners.join(", ")}` : "";
  const plural = kind === "INDEX" ? "indexes" : kind === "TABLE" ? "tables" : "materialized views";
  say(context, {
    message: messageLine(
      `ALTER ${kind} ALL IN TABLESPACE ${from} locks every one of its ${plural}, then moves each (ACCESS EXCLUSIVE)`,
      `ALTER ${kind} ALL IN TABLESPACE locks every ${what} in it, then moves each (ACCESS EXCLUSIVE)`,
    ),
    help: `Move them one at a time, outside the migration and online where possible (${
      kind === "INDEX" ? (context.settings.pgVersion >= 14 ? "REINDEX (TABLESPACE …) INDEX CONCURRENTLY" : "a twin built CONCURRENTLY") : kind === "TABLE" ? "pg_repack or pg_squeeze" : "in a maintenance window"
    })`,
    why:
      `ALTER ${kind} ALL IN TABLESPACE ${from}${owned} SET TABLESPACE ${to} takes an ACCESS EXCLUSIVE lock on every ${what} in tablespace ${from}` +
      `${owned ? " owned by those roles" : ""} (in the current database), all of them before it moves the first, then copies each one: ` +
      (kind === "INDEX"
        ? "every query that would use one of them waits, and since planning any query on a table takes a lock on each of its indexes, practically every query on their tables waits too "
        : what === "table"
          ? "every read and write of those tables waits "
          : "every read of those views waits ") +
      `until the last copy is done. It needs free space in ${to} for all of them.`,
    how:
      `Move them one at a time instead, each outside the migration and online where possible: ` +
      (kind === "INDEX"
        ? context.settings.pgVersion >= 14
          ? `REINDEX (TABLESPACE ${to}) INDEX CONCURRENTLY …; for each index (PostgreSQL 14 and later).`
          : "for each index, a twin built with CREATE INDEX CONCURRENTLY … TABLESPACE … and swapped in."
        : kind === "TABLE"
          ? `for each table, SELECT squeeze.squeeze_table('…', '…', NULL, ${sqlLiteral(String(node.new_tablespacename))}, NULL); (pg_squeeze) or pg_repack --table=… --tablespace=${to} (pg_repack). ${ONLINE_TOOLS}`
          : "materialized views cannot be moved online: move each in a maintenance window (ALTER MATERIALIZED VIEW … SET TABLESPACE …;).") +
      " Whatever is left, move in a maintenance window.",
  });
}

function checkVacuum(statement: StatementOf<"VacuumStmt">, context: RuleContext): void {
  const node = statement.node;
  // A DO block cannot run VACUUM: PostgreSQL refuses it there (forbidden-in-transaction reports it).
  if (node.is_vacuumcmd !== true || statement.origin === "do-block") return;
  if (!optionIsOn(node.options, "full")) return;
  const rels = (node.rels ?? []).map((rel) => relationName(nodeAs(rel, "VacuumRelation")?.relation));
  const tables = rels.filter((table): table is QualifiedName => table !== undefined && !isNewOrEmptied(statement, context, table));
  if (rels.length > 0 && tables.length === 0) return;

  if (tables.length === 0) {
    say(context, {
      message: "VACUUM FULL rewrites every table of the database, one after the other (ACCESS EXCLUSIVE)",
      help: "Reclaim space online, one bloated table at a time, with pg_repack or pg_squeeze; a plain VACUUM needs no rewrite",
      why:
        "VACUUM FULL without a table rewrites every table of the database, system catalogs included, one after the other, each under an ACCESS EXCLUSIVE lock " +
        "that blocks every read and write of it for its own rewrite: an outage that moves from table to table, for hours on a large database " +
        "(while the catalogs are rewritten, planning and DDL wait too). Each rewrite needs free disk space for a second copy of the table and its indexes.",
      how:
        "Find the bloated tables and reclaim their space online, outside the migration: pg_repack --no-order --table=… (from a shell) or pg_squeeze " +
        `(SELECT squeeze.squeeze_table('…', '…', NULL, NULL, NULL);), one table at a time. ${ONLINE_TOOLS} ` +
        "A plain VACUUM; (without FULL) makes dead space reusable without a rewrite and without blocking reads or writes.",
    });
    return;
  }
  const names = tables.map(displayName);
  const resolved = tables.map((table) => context.facts.names.resolve(table, statement));
  const several = names.length > 1;
  const list = few(names);
  say(context, {
    message: messageLine(
      `VACUUM FULL ${list} rewrites ${several ? "each table" : names[0]} and ${several ? "their" : "its"} indexes (ACCESS EXCLUSIVE)`,
      `VACUUM FULL ${list} rewrites ${several ? "each table and their" : "the table and its"} indexes (ACCESS EXCLUSIVE)`,
      `VACUUM FULL ${few(names, 1)} rewrites ${several ? "each table and their" : "the table and its"} indexes (ACCESS EXCLUSIVE)`,
    ),
    help: firstFitting(200, 
        `Reclaim the space online, outside the migration: pg_repack --no-order --table=${several ? "…" : shellTable(resolved[0]!)} (or pg_squeeze); or use a plain VACUUM`,
        "Reclaim the space online, outside the migration: pg_repack --no-order --table=… (or pg_squeeze); or use a plain VACUUM",
      ),
    why:
      `VACUUM FULL ${names.join(", ")} writes a new, compacted copy of ${several ? "each table in turn" : names[0]} and rebuilds ${several ? "their" : "its"} indexes, ` +
      `holding ${ACCESS_EXCLUSIVE}, for the whole rewrite${several ? " of each" : ""} (minutes to hours on a large table). ` +
      `It needs free disk space for the new copy and its indexes until it finishes.`,
    how:
      "Reclaim the space online instead, outside the migration: " +
      resolved.map((table) => `pg_repack --no-order --table=${shellTable(table)}`).join(", ") +
      " (from a shell) or pg_squeeze: " +
      resolved.map((table) => squeeze(table, "NULL", "NULL")).join(" ") +
      ` ${ONLINE_TOOLS} ` +
      `A plain VACUUM ${names.join(", ")}; makes the dead space reusable without a rewrite and without blocking reads or writes; it only gives space back to the operating system from the end of the table.`,
  });
}

function checkCluster(statement: StatementOf<"ClusterStmt">, context: RuleContext): void {
  const node = statement.node;
  const table = relationName(node.relation);
  if (!table) {
    // CLUSTER without a table cannot run in a DO block: PostgreSQL refuses it there.
    if (statement.origin === "do-block") return;
    say(context, {
      message: "CLUSTER rewrites every clustered table of the database, one after the other (ACCESS EXCLUSIVE)",
      help: "Re-cluster only the tables that need it, online and outside the migration, with pg_repack or pg_squeeze",
      why:
        "CLUSTER without a table rewrites every table of the database that was clustered before (and that you own), one after the other, each in the order of its clustering index " +
        "and under an ACCESS EXCLUSIVE lock that blocks every read and write of it for its own rewrite: an outage that moves from table to table. " +
        "Each rewrite needs free disk space for a second copy of the table and its indexes (up to twice the table's size when it sorts).",
      how:
        "Re-cluster only the tables that need it, online and outside the migration: pg_repack --table=… (from a shell; it orders each table by its clustering index) " +
        `or pg_squeeze (SELECT squeeze.squeeze_table('…', '…', '<index>', NULL, NULL);). ${ONLINE_TOOLS}`,
    });
    return;
  }
  if (isNewOrEmptied(statement, context, table)) return;
  const name = displayName(table);
  const resolved = context.facts.names.resolve(table, statement);
  const index = node.indexname;
  const order = index ? `the order of ${displayName({ name: index })}` : "the order of the index it was last clustered on";
  const using = index ? ` USING ${displayName({ name: index })}` : "";
  const repack = `pg_repack --table=${shellTable(resolved)}`;
  say(context, {
    message: messageLine(`CLUSTER ${name}${using} rewrites ${name} and its indexes (ACCESS EXCLUSIVE)`, `CLUSTER ${name} rewrites the table and its indexes (ACCESS EXCLUSIVE)`, "CLUSTER rewrites the table and its indexes (ACCESS EXCLUSIVE)"),
    help: firstFitting(200, 
        index
          ? `Rewrite it online instead: ALTER TABLE ${name} CLUSTER ON ${displayName({ name: index })}, then ${repack} from a shell (or pg_squeeze)`
          : `Rewrite it online instead: ${repack} from a shell (or pg_squeeze), outside the migration`,
        "Rewrite it online instead, outside the migration: pg_repack --table=… from a shell (or pg_squeeze)",
      ),
    why:
      `CLUSTER ${name}${index ? ` USING ${displayName({ name: index })}` : ""} rewrites ${name} in ${order} and rebuilds all its indexes, ` +
      `holding ${ACCESS_EXCLUSIVE}, for the whole rewrite (minutes to hours on a large table). ` +
      "It needs free disk space for the new copy and its indexes (up to twice the table's size when it sorts) until it finishes.",
    how:
      "Rewrite it online instead, outside the migration: " +
      (index
        ? `with pg_squeeze, ${squeeze(resolved, sqlLiteral(index), "NULL")} ` +
          `or with pg_repack, which orders by the table's clustering index: mark it (ALTER TABLE ${name} CLUSTER ON ${displayName({ name: index })};, a quick catalog change), ` +
          `then run pg_repack --table=${shellTable(resolved)} from a shell. `
        : `with pg_repack, from a shell: pg_repack --table=${shellTable(resolved)} (it orders by the table's clustering index), ` +
          `or with pg_squeeze, naming that index: ${squeeze(resolved, "'<index>'", "NULL")} `) +
      ONLINE_TOOLS,
  });
}


/** pg_squeeze's call for one table: its schema and name as the statement resolves them, an index and a tablespace as SQL. */
function squeeze(table: ResolvedName, index: string, tablespace: string): string {
  return `SELECT squeeze.squeeze_table(${sqlLiteral(table.schema)}, ${sqlLiteral(table.name)}, ${index}, ${tablespace}, NULL);`;
}

/** A table name for pg_repack's --table, schema-qualified, quoted for the shell when it holds double quotes. */
function shellTable(table: ResolvedName): string {
  const name = displayName(table);
  return name.includes('"') ? `'${name.replace(/'/g, "'\\''")}'` : name;
}
