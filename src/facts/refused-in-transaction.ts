/**
 * The statements PostgreSQL refuses inside a transaction block ("… cannot run inside a transaction
 * block") and inside a function, which a DO block is ("… cannot be executed from a function"):
 * its PreventInTransactionBlock callers, by PostgreSQL version.
 */
import { alterTableCommands, asList, displayName, listName, relationName, unwrap } from "../parser/ast.js";
import type { NodeKind, Statement } from "../parser/types.js";
import type { Range } from "../source/source-text.js";
import { isOn, optionIsOn } from "./options.js";

export interface Refused {
  /** The command as PostgreSQL's error names it, e.g. "CREATE INDEX CONCURRENTLY". */
  command: string;
  /** The statement as written, e.g. "CREATE INDEX CONCURRENTLY users_email_idx ON users". */
  label: string;
  /** The action of the statement that is refused, when it is not the whole statement. */
  range?: Range;
  /** The rule that explains this refusal better than a general one (it knows the exceptions). */
  explainedBy?: string;
}

const REINDEX_WHOLE: Partial<Record<string, string>> = {
  REINDEX_OBJECT_SCHEMA: "REINDEX SCHEMA",
  REINDEX_OBJECT_DATABASE: "REINDEX DATABASE",
  REINDEX_OBJECT_SYSTEM: "REINDEX SYSTEM",
};

/** The statement kinds of which PostgreSQL refuses some in a transaction block. */
export const REFUSABLE_KINDS = [
  "IndexStmt",
  "DropStmt",
  "ReindexStmt",
  "AlterTableStmt",
  "AlterEnumStmt",
  "VacuumStmt",
  "ClusterStmt",
  "CreatedbStmt",
  "DropdbStmt",
  "CreateTableSpaceStmt",
  "DropTableSpaceStmt",
  "AlterSystemStmt",
  "AlterDatabaseStmt",
  "CreateSubscriptionStmt",
  "DropSubscriptionStmt",
] as const satisfies readonly NodeKind[];

/** Why PostgreSQL refuses the statement in a transaction block or a function, if it does. */
export function refusedInTransaction(statement: Statement, pgVersion: number): Refused | undefined {
  switch (statement.kind) {
    case "IndexStmt": {
      const node = statement.node;
      if (node.concurrent !== true) return undefined;
      const table = relationName(node.relation);
      const name = typeof node.idxname === "string" ? ` ${displayName({ name: node.idxname })}` : "";
      return { command: "CREATE INDEX CONCURRENTLY", label: `CREATE ${node.unique === true ? "UNIQUE " : ""}INDEX CONCURRENTLY${name}${table ? ` ON ${displayName(table)}` : ""}` };
    }
    case "DropStmt": {
      const node = statement.node;
      if (node.removeType !== "OBJECT_INDEX" || node.concurrent !== true) return undefined;
      const names = asList(node.objects).map(listName);
      const label = names.every((name) => name !== undefined) ? ` ${names.map((name) => displayName(name!)).join(", ")}` : "";
      return { command: "DROP INDEX CONCURRENTLY", label: `DROP INDEX CONCURRENTLY${label}` };
    }
    case "ReindexStmt": {
      const node = statement.node;
      const whole = REINDEX_WHOLE[String(node.kind)];
      if (whole) return { command: whole, label: whole };
      const concurrently = asList(node.params)
        .map((param) => unwrap(param)?.value)
        .find((param) => param?.defname === "concurrently");
      if (!concurrently || !isOn(concurrently.arg)) return undefined;
      const target = relationName(node.relation);
      const kind = String(node.kind).replace(/^REINDEX_OBJECT_/, "");
      return { command: "REINDEX CONCURRENTLY", label: `REINDEX ${kind} CONCURRENTLY${target ? ` ${displayName(target)}` : ""}` };
    }
    case "AlterTableStmt":
      for (const command of alterTableCommands(statement)) {
        const partition = unwrap(command.node.def);
        if (command.subtype !== "AT_DetachPartition" || partition?.type !== "PartitionCmd" || partition.value.concurrent !== true) continue;
        const table = relationName(statement.node.relation);
        const child = relationName(partition.value.name);
        const label = `ALTER TABLE ${table ? displayName(table) : "…"} DETACH PARTITION ${child ? displayName(child) : "…"} CONCURRENTLY`;
        return { command: "ALTER TABLE ... DETACH CONCURRENTLY", label, range: command.range };
      }
      return undefined;
    case "AlterEnumStmt": {
      const node = statement.node;
      if (pgVersion >= 12 || typeof node.newVal !== "string" || node.oldVal !== undefined) return undefined;
      const type = listName({ List: { items: node.typeName } });
      return { command: "ALTER TYPE ... ADD", label: `ALTER TYPE ${type ? displayName(type) : "…"} ADD VALUE`, explainedBy: "enum-add-value-in-transaction" };
    }
    case "VacuumStmt":
      return statement.node.is_vacuumcmd === true ? { command: "VACUUM", label: "VACUUM" } : undefined;
    case "ClusterStmt":
      return statement.node.relation === undefined ? { command: "CLUSTER", label: "CLUSTER without a table" } : undefined;
    case "CreatedbStmt":
      return { command: "CREATE DATABASE", label: `CREATE DATABASE ${displayName({ name: String(statement.node.dbname) })}` };
    case "DropdbStmt":
      return { command: "DROP DATABASE", label: `DROP DATABASE ${displayName({ name: String(statement.node.dbname) })}` };
    case "CreateTableSpaceStmt":
      return { command: "CREATE TABLESPACE", label: `CREATE TABLESPACE ${displayName({ name: String(statement.node.tablespacename) })}` };
    case "DropTableSpaceStmt":
      return { command: "DROP TABLESPACE", label: `DROP TABLESPACE ${displayName({ name: String(statement.node.tablespacename) })}` };
    case "AlterSystemStmt":
      return { command: "ALTER SYSTEM", label: "ALTER SYSTEM" };
    case "AlterDatabaseStmt":
      return asList(statement.node.options).some((option) => unwrap(option)?.value.defname === "tablespace")
        ? { command: "ALTER DATABASE SET TABLESPACE", label: `ALTER DATABASE ${displayName({ name: String(statement.node.dbname) })} SET TABLESPACE` }
        : undefined;
    case "CreateSubscriptionStmt":
      // Only when it creates its replication slot: by default, unless `create_slot = false` or `connect = false`.
      return optionIsOn(statement.node.options, "create_slot", optionIsOn(statement.node.options, "connect", true))
        ? { command: "CREATE SUBSCRIPTION ... WITH (create_slot = true)", label: `CREATE SUBSCRIPTION ${displayName({ name: String(statement.node.subname) })}` }
        : undefined;
    case "DropSubscriptionStmt":
      return { command: "DROP SUBSCRIPTION", label: `DROP SUBSCRIPTION ${displayName({ name: String(statement.node.subname) })}` };
    default:
      return undefined;
  }
}
