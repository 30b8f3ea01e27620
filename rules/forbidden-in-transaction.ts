import { alterTableCommands, asList, displayName, listName, relationName, unwrap } from "../src/parser/ast.js";
import type { AstNode, Statement } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { runnerSections, sectionOf, transactionScopes } from "../src/engine/transaction-scopes.js";

/** A statement PostgreSQL refuses in a transaction block, named as its error message names it. */
interface Refused {
  /** The command as PostgreSQL's error names it, e.g. "CREATE INDEX CONCURRENTLY". */
  command: string;
  /** The statement as written, e.g. "CREATE INDEX CONCURRENTLY users_email_idx ON users". */
  label: string;
  range?: Range;
  /** Another way out, where there is one. */
  note?: string;
}

const REINDEX_WHOLE: Record<string, string> = {
  REINDEX_OBJECT_SCHEMA: "REINDEX SCHEMA",
  REINDEX_OBJECT_DATABASE: "REINDEX DATABASE",
  REINDEX_OBJECT_SYSTEM: "REINDEX SYSTEM",
};

export default defineRule({
  meta: {
    id: "forbidden-in-transaction",
    severity: "dangerous",
    description: "Statements PostgreSQL refuses inside a transaction block or a function (CREATE INDEX CONCURRENTLY, VACUUM, …) make the migration fail when it runs in one.",
    category: "transactions",
    checksDoBlocks: true,
  },
  checkFile(context) {
    const scopes = transactionScopes(context);
    const sections = runnerSections(context);
    for (const statement of context.parsed.statements) {
      const scope = scopes.get(statement);
      if (scope === undefined) continue;
      const refused = refusedCommand(statement);
      if (!refused) continue;
      const section = sectionOf(sections, statement);
      const origin = scope.startsWith("begin@") ? beginOrigin(statement, context, scope) : section.reason;
      context.report({
        range: refused.range ?? statement.range,
        message: `${refused.label} runs inside a transaction block (${origin}), and PostgreSQL refuses it there: "${refused.command} cannot run inside a transaction block". ${FAILS}`,
        help:
          `Move ${refused.label} to a migration of its own that runs outside a transaction, with nothing else in it: ` +
          (scope.startsWith("begin@") ? "take it out of the BEGIN … COMMIT block and " : "") +
          "turn the runner's transaction off for that file (goose: -- +goose NO TRANSACTION; dbmate: -- migrate:up transaction:false; " +
          "sql-migrate: -- +migrate Up notransaction; Rails: disable_ddl_transaction!; node-pg-migrate: pgm.noTransaction())." +
          (refused.note ? ` ${refused.note}` : ""),
      });
    }
    // A DO block is a function: PostgreSQL refuses these statements there whatever the transaction.
    for (const statement of context.parsed.doBlockStatements) {
      const refused = refusedCommand(statement);
      if (!refused) continue;
      context.report({
        range: refused.range ?? statement.range,
        message: `${refused.label} runs inside a DO block, and PostgreSQL refuses it in a function: "${refused.command} cannot be executed from a function". ${FAILS}`,
        help:
          `Run ${refused.label} as a top-level statement of its own, outside the DO block and outside any transaction; ` +
          "a condition it needed can usually be written as IF EXISTS / IF NOT EXISTS on the statement itself." +
          (refused.note ? ` ${refused.note}` : ""),
      });
    }
  },
});

const FAILS =
  "The migration fails at this statement every time: nothing is locked or changed, the statements before it in the same transaction are rolled back, and the deploy stops here.";

function beginOrigin(statement: Statement, context: RuleContext, scope: string): string {
  const begin = context.parsed.statements[Number(scope.slice("begin@".length))];
  const keyword = begin?.codeTokensFrom(begin.range.start, 1)[0]?.upper;
  if (!begin || begin === statement || !keyword) return "an explicit transaction block";
  return `opened by the ${keyword === "START" ? "START TRANSACTION" : keyword} on line ${begin.loc.start.line}`;
}

function refusedCommand(statement: Statement): Refused | undefined {
  const node = statement.node;
  switch (statement.kind) {
    case "IndexStmt": {
      if (node.concurrent !== true) return undefined;
      const table = relationName(node.relation);
      const name = typeof node.idxname === "string" ? ` ${displayName({ name: node.idxname })}` : "";
      return { command: "CREATE INDEX CONCURRENTLY", label: `CREATE ${node.unique === true ? "UNIQUE " : ""}INDEX CONCURRENTLY${name}${table ? ` ON ${displayName(table)}` : ""}` };
    }
    case "DropStmt": {
      if (node.removeType !== "OBJECT_INDEX" || node.concurrent !== true) return undefined;
      const names = asList(node.objects).map(listName);
      const label = names.every((name) => name !== undefined) ? ` ${names.map((name) => displayName(name!)).join(", ")}` : "";
      return { command: "DROP INDEX CONCURRENTLY", label: `DROP INDEX CONCURRENTLY${label}` };
    }
    case "ReindexStmt":
      return reindex(node);
    case "AlterTableStmt":
      for (const command of alterTableCommands(statement)) {
        const partition = unwrap(command.node.def);
        if (command.subtype !== "AT_DetachPartition" || partition?.type !== "PartitionCmd" || partition.value.concurrent !== true) continue;
        const table = relationName(node.relation);
        const child = relationName(partition.value.name);
        const label = `ALTER TABLE ${table ? displayName(table) : "…"} DETACH PARTITION ${child ? displayName(child) : "…"} CONCURRENTLY`;
        return { command: "ALTER TABLE ... DETACH CONCURRENTLY", label, range: command.range };
      }
      return undefined;
    case "VacuumStmt":
      return node.is_vacuumcmd === true ? { command: "VACUUM", label: "VACUUM" } : undefined;
    case "ClusterStmt":
      return node.relation === undefined ? { command: "CLUSTER", label: "CLUSTER without a table" } : undefined;
    case "CreatedbStmt":
      return { command: "CREATE DATABASE", label: `CREATE DATABASE ${displayName({ name: String(node.dbname) })}` };
    case "DropdbStmt":
      return { command: "DROP DATABASE", label: `DROP DATABASE ${displayName({ name: String(node.dbname) })}` };
    case "CreateTableSpaceStmt":
      return { command: "CREATE TABLESPACE", label: `CREATE TABLESPACE ${displayName({ name: String(node.tablespacename) })}` };
    case "DropTableSpaceStmt":
      return { command: "DROP TABLESPACE", label: `DROP TABLESPACE ${displayName({ name: String(node.tablespacename) })}` };
    case "AlterSystemStmt":
      return { command: "ALTER SYSTEM", label: "ALTER SYSTEM" };
    case "AlterDatabaseStmt":
      return asList(node.options).some((option) => unwrap(option)?.value.defname === "tablespace")
        ? { command: "ALTER DATABASE SET TABLESPACE", label: `ALTER DATABASE ${displayName({ name: String(node.dbname) })} SET TABLESPACE` }
        : undefined;
    default:
      return undefined;
  }
}

function reindex(node: AstNode): Refused | undefined {
  const whole = REINDEX_WHOLE[String(node.kind)];
  if (whole) return { command: whole, label: whole };
  const concurrently = asList(node.params)
    .map((param) => unwrap(param)?.value)
    .find((param) => param?.defname === "concurrently");
  if (!concurrently || !isTrue(concurrently.arg)) return undefined;
  const target = relationName(node.relation);
  const kind = String(node.kind).replace(/^REINDEX_OBJECT_/, "");
  return { command: "REINDEX CONCURRENTLY", label: `REINDEX ${kind} CONCURRENTLY${target ? ` ${displayName(target)}` : ""}` };
}


/** A DefElem's boolean argument: absent means true, as in `REINDEX (CONCURRENTLY) …`. */
function isTrue(arg: unknown): boolean {
  if (arg === undefined) return true;
  const value = unwrap(arg);
  if (value?.type === "String") return !["false", "off", "no", "0"].includes(String(value.value.sval).toLowerCase());
  if (value?.type === "Integer") return value.value.ival !== undefined && value.value.ival !== 0;
  if (value?.type === "Boolean") return value.value.boolval === true;
  return true;
}
