import { alterTableCommands, asList, displayName, listName, relationName, stringOf, unwrap, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import type { DropUserMappingStmt, IndexStmt, Node } from "@pgsql/types";
import type { Statement, StatementOf, Token } from "../src/parser/types.js";
import { messageLine } from "../src/engine/wording.js";
import { defineRule, type Fix, type RuleContext } from "../src/engine/rule.js";
import { someNames } from "../src/engine/wording-transactions.js";

/**
 * A run of keywords at the head of a statement or action: each step is one keyword
 * out of a set, optional or not.
 */
type Step = { words: readonly string[]; optional?: boolean };

const word = (...words: string[]): Step => ({ words });
const optional = (...words: string[]): Step => ({ words, optional: true });

const CREATE_TABLE = [word("CREATE"), optional("GLOBAL", "LOCAL"), optional("TEMP", "TEMPORARY", "UNLOGGED"), word("TABLE")];
const CREATE_MATVIEW = [word("CREATE"), optional("UNLOGGED"), word("MATERIALIZED"), word("VIEW")];
const CREATE_INDEX = [word("CREATE"), optional("UNIQUE"), word("INDEX"), optional("CONCURRENTLY")];
const CREATE_SEQUENCE = [word("CREATE"), optional("TEMP", "TEMPORARY", "UNLOGGED"), word("SEQUENCE")];

/** The keywords naming each kind of object after DROP, as PostgreSQL's grammar spells them. */
const DROP_KEYWORDS: Record<string, readonly Step[]> = {
  OBJECT_TABLE: [word("TABLE")],
  OBJECT_SEQUENCE: [word("SEQUENCE")],
  OBJECT_VIEW: [word("VIEW")],
  OBJECT_MATVIEW: [word("MATERIALIZED"), word("VIEW")],
  OBJECT_INDEX: [word("INDEX"), optional("CONCURRENTLY")],
  OBJECT_FOREIGN_TABLE: [word("FOREIGN"), word("TABLE")],
  OBJECT_COLLATION: [word("COLLATION")],
  OBJECT_CONVERSION: [word("CONVERSION")],
  OBJECT_STATISTIC_EXT: [word("STATISTICS")],
  OBJECT_TSPARSER: [word("TEXT"), word("SEARCH"), word("PARSER")],
  OBJECT_TSDICTIONARY: [word("TEXT"), word("SEARCH"), word("DICTIONARY")],
  OBJECT_TSTEMPLATE: [word("TEXT"), word("SEARCH"), word("TEMPLATE")],
  OBJECT_TSCONFIGURATION: [word("TEXT"), word("SEARCH"), word("CONFIGURATION")],
  OBJECT_ACCESS_METHOD: [word("ACCESS"), word("METHOD")],
  OBJECT_EVENT_TRIGGER: [word("EVENT"), word("TRIGGER")],
  OBJECT_EXTENSION: [word("EXTENSION")],
  OBJECT_FDW: [word("FOREIGN"), word("DATA"), word("WRAPPER")],
  OBJECT_PUBLICATION: [word("PUBLICATION")],
  OBJECT_SCHEMA: [word("SCHEMA")],
  OBJECT_FOREIGN_SERVER: [word("SERVER")],
  OBJECT_POLICY: [word("POLICY")],
  OBJECT_RULE: [word("RULE")],
  OBJECT_TRIGGER: [word("TRIGGER")],
  OBJECT_TYPE: [word("TYPE")],
  OBJECT_DOMAIN: [word("DOMAIN")],
  OBJECT_FUNCTION: [word("FUNCTION")],
  OBJECT_PROCEDURE: [word("PROCEDURE")],
  OBJECT_ROUTINE: [word("ROUTINE")],
  OBJECT_AGGREGATE: [word("AGGREGATE")],
  OBJECT_OPERATOR: [word("OPERATOR")],
  OBJECT_OPCLASS: [word("OPERATOR"), word("CLASS")],
  OBJECT_OPFAMILY: [word("OPERATOR"), word("FAMILY")],
  OBJECT_CAST: [word("CAST")],
  OBJECT_TRANSFORM: [word("TRANSFORM")],
  OBJECT_LANGUAGE: [optional("PROCEDURAL"), word("LANGUAGE")],
};

/** Objects named as `name ON table`. */
const ON_TABLE = new Set(["OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"]);

const NO_LOCK = "The missing clause changes no lock and no rewrite; the risk is the re-run.";
/** The end of every message: what the missing clause costs. */
const RERUN_FAILS = "a re-run fails here";
const EXISTS = "the re-run then fails here with an \"already exists\" error and the statements after it never run.";
const MISSING = "the re-run then fails here with a \"does not exist\" error and the statements after it never run.";

/**
 * Why running the migration again can meet what this statement already did, or undefined when it cannot:
 * in a migration the runner applies as one transaction, a failure undoes everything and the re-run starts
 * from scratch. It can when the statement has committed by the time a later statement of the migration
 * fails, and when it is a CREATE INDEX CONCURRENTLY, which leaves an INVALID index behind when it fails.
 */
function rerunCause(statement: Statement, context: RuleContext): string | undefined {
  const { transactions } = context.facts;
  if (transactions.committedBeforeLaterStatements(statement)) {
    const where = transactions.inTransaction(statement) ? "Its transaction commits before the rest of the migration runs" : "It runs outside any transaction";
    return `${where}, so it stays applied when a later statement fails:`;
  }
  if (statement.kind === "IndexStmt" && transactions.refused(statement)) return "If it fails, it leaves an INVALID index behind:";
  return undefined;
}

export default defineRule({
  meta: {
    id: "missing-if-not-exists",
    severity: "careful",
    description: "CREATE without IF NOT EXISTS (or OR REPLACE), ADD COLUMN without IF NOT EXISTS, and DROP without IF EXISTS make a migration fail when re-run after a partial failure.",
    category: "reliability",
    fixable: true,
    // Measured on the corpus under each project's own runner: 14 of 40 remaining findings were worth acting on (docs page).
    recommended: false,
  },
  visit: {
    CreateStmt(statement, context) {
      if (statement.node.if_not_exists !== true) createFinding(statement, context, "TABLE", relationName(statement.node.relation), CREATE_TABLE);
    },
    CreateTableAsStmt: checkCreateTableAs,
    IndexStmt: checkIndex,
    CreateSchemaStmt: checkSchema,
    CreateSeqStmt(statement, context) {
      if (statement.node.if_not_exists !== true) createFinding(statement, context, "SEQUENCE", relationName(statement.node.sequence), CREATE_SEQUENCE);
    },
    CreateExtensionStmt(statement, context) {
      const { extname } = statement.node;
      if (statement.node.if_not_exists !== true) createFinding(statement, context, "EXTENSION", typeof extname === "string" ? { name: extname } : undefined, [word("CREATE"), word("EXTENSION")]);
    },
    ViewStmt: checkView,
    AlterTableStmt: checkAlterTable,
    DropStmt: checkDrop,
    DropdbStmt(statement, context) {
      dropFinding(statement, context, statement.node.missing_ok, "DATABASE", listOf(nameOf(statement.node.dbname)), [word("DROP"), word("DATABASE")]);
    },
    DropRoleStmt(statement, context) {
      dropFinding(statement, context, statement.node.missing_ok, "ROLE", roleNames(statement.node.roles), [word("DROP"), word("ROLE", "USER", "GROUP")]);
    },
    DropTableSpaceStmt(statement, context) {
      dropFinding(statement, context, statement.node.missing_ok, "TABLESPACE", listOf(nameOf(statement.node.tablespacename)), [word("DROP"), word("TABLESPACE")]);
    },
    DropUserMappingStmt(statement, context) {
      dropFinding(statement, context, statement.node.missing_ok, "USER MAPPING", listOf(userMapping(statement.node)), [word("DROP"), word("USER"), word("MAPPING")]);
    },
    DropSubscriptionStmt(statement, context) {
      dropFinding(statement, context, statement.node.missing_ok, "SUBSCRIPTION", listOf(nameOf(statement.node.subname)), [word("DROP"), word("SUBSCRIPTION")]);
    },
  },
});

function checkCreateTableAs(statement: StatementOf<"CreateTableAsStmt">, context: RuleContext): void {
  if (statement.node.if_not_exists === true) return;
  const into = statement.node.into;
  const matview = statement.node.objtype === "OBJECT_MATVIEW";
  createFinding(statement, context, matview ? "MATERIALIZED VIEW" : "TABLE", relationName(into?.rel), matview ? CREATE_MATVIEW : CREATE_TABLE);
}

function checkIndex(statement: StatementOf<"IndexStmt">, context: RuleContext): void {
  const node = statement.node;
  if (node.if_not_exists === true) return;
  const cause = rerunCause(statement, context);
  if (!cause) return;
  const table = relationName(node.relation);
  const on = table ? ` ON ${displayName(table)}` : "";
  const concurrently = node.concurrent === true;
  const invalid = concurrently
    ? " If an earlier CREATE INDEX CONCURRENTLY failed, it left an INVALID index that IF NOT EXISTS would skip: " +
      "check pg_index.indisvalid and DROP INDEX CONCURRENTLY IF EXISTS it before re-running."
    : "";
  const kind = `${node.unique === true ? "UNIQUE " : ""}INDEX${concurrently ? " CONCURRENTLY" : ""}`;
  if (typeof node.idxname !== "string") {
    const suggested = displayName({ name: suggestedIndexName(node, table) });
    context.report({
      message: messageLine(`CREATE ${kind}${on} has no name: a re-run builds a second identical index`, `CREATE ${kind} has no name: a re-run builds a second identical index`),
      help: `Name the index and add IF NOT EXISTS: CREATE ${kind} IF NOT EXISTS ${suggested}${on} (…)`,
      explanation:
        `CREATE ${kind}${on} has no name, so it cannot take IF NOT EXISTS. ${cause} the re-run then builds a second identical index ` +
        `(${concurrently ? "scanning the table again" : "holding a SHARE lock that blocks writes to the table for the whole build"}), ` +
        `and every later write to the table has to maintain both.${invalid}`,
    });
    return;
  }
  const name = displayName({ name: node.idxname });
  const fix = insertAfter(statement, statement.range.start, CREATE_INDEX, " IF NOT EXISTS");
  context.report({
    message: messageLine(
      `CREATE ${kind} ${name}${on} has no IF NOT EXISTS: ${RERUN_FAILS}`,
      `CREATE ${kind} ${name} has no IF NOT EXISTS: ${RERUN_FAILS}`,
      `CREATE ${kind} has no IF NOT EXISTS: ${RERUN_FAILS}`,
    ),
    help: `Write CREATE ${kind} IF NOT EXISTS ${name}${on} (…)`,
    explanation: `${cause} ${EXISTS} IF NOT EXISTS skips an index of that name without checking its definition.${invalid} ${NO_LOCK}`,
    ...(fix ? { fix } : {}),
  });
}

function checkSchema(statement: StatementOf<"CreateSchemaStmt">, context: RuleContext): void {
  const node = statement.node;
  if (node.if_not_exists === true) return;
  const role = node.authrole?.rolename;
  const name = typeof node.schemaname === "string" ? node.schemaname : role;
  if (asList(node.schemaElts).length > 0) {
    const cause = rerunCause(statement, context);
    if (!cause) return;
    const display = name === undefined ? "" : ` ${displayName({ name })}`;
    context.report({
      message: messageLine(`CREATE SCHEMA${display} has no IF NOT EXISTS: ${RERUN_FAILS}`, `CREATE SCHEMA has no IF NOT EXISTS: ${RERUN_FAILS}`),
      help: `Create the schema on its own (CREATE SCHEMA IF NOT EXISTS${display}), then each object in its own statement with IF NOT EXISTS`,
      explanation:
        `${cause} ${EXISTS} CREATE SCHEMA${display} also creates objects in the same statement, and PostgreSQL refuses IF NOT EXISTS on a CREATE SCHEMA ` +
        `that includes schema elements: create each object on its own (CREATE TABLE IF NOT EXISTS${display ? `${display}.` : " "}… (…);). ${NO_LOCK}`,
    });
    return;
  }
  createFinding(statement, context, "SCHEMA", name === undefined ? undefined : { name }, [word("CREATE"), word("SCHEMA")]);
}

function checkView(statement: StatementOf<"ViewStmt">, context: RuleContext): void {
  if (statement.node.replace === true) return;
  const cause = rerunCause(statement, context);
  if (!cause) return;
  const view = relationName(statement.node.view);
  const name = view ? ` ${displayName(view)}` : "";
  const fix = insertAfter(statement, statement.range.start, [word("CREATE")], " OR REPLACE");
  context.report({
    message: messageLine(`CREATE VIEW${name} has no OR REPLACE: ${RERUN_FAILS}`, `CREATE VIEW has no OR REPLACE: ${RERUN_FAILS}`),
    help: `Write CREATE OR REPLACE VIEW${name} AS … (views take no IF NOT EXISTS)`,
    explanation:
      `${cause} ${EXISTS} OR REPLACE replaces the view's query in place, and can only add columns at the end: ` +
      `to drop, rename or retype a column, DROP VIEW IF EXISTS${name} first. ${NO_LOCK}`,
    ...(fix ? { fix } : {}),
  });
}

function checkAlterTable(statement: StatementOf<"AlterTableStmt">, context: RuleContext): void {
  const objtype = statement.node.objtype;
  if (objtype !== "OBJECT_TABLE" && objtype !== "OBJECT_FOREIGN_TABLE") return;
  const relation = relationName(statement.node.relation);
  if (!relation) return;
  const cause = rerunCause(statement, context);
  if (!cause) return;
  const table = displayName(relation);
  for (const command of alterTableCommands(statement)) {
    if (command.node.missing_ok === true) continue;
    if (command.subtype === "AT_AddColumn") {
      const def = unwrap(command.node.def);
      const column = def?.type === "ColumnDef" && typeof def.value.colname === "string" ? displayName({ name: def.value.colname }) : "…";
      const fix = actionFix(statement, command, [word("ADD"), optional("COLUMN")], " IF NOT EXISTS");
      context.report({
        range: command.range,
        message: messageLine(
          `ALTER TABLE ${table} ADD COLUMN ${column} has no IF NOT EXISTS: ${RERUN_FAILS}`,
          `ADD COLUMN ${column} has no IF NOT EXISTS: ${RERUN_FAILS}`,
          `ADD COLUMN has no IF NOT EXISTS: ${RERUN_FAILS}`,
        ),
        help: `Write ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} …`,
        explanation: `${cause} ${EXISTS} IF NOT EXISTS skips a column of that name without checking its type. ${NO_LOCK}`,
        ...(fix ? { fix } : {}),
      });
    } else if (command.subtype === "AT_DropColumn" || command.subtype === "AT_DropConstraint") {
      const isColumn = command.subtype === "AT_DropColumn";
      const what = isColumn ? "COLUMN" : "CONSTRAINT";
      const target = typeof command.node.name === "string" ? displayName({ name: command.node.name }) : "…";
      const fix = actionFix(statement, command, isColumn ? [word("DROP"), optional("COLUMN")] : [word("DROP"), word("CONSTRAINT")], " IF EXISTS");
      context.report({
        range: command.range,
        message: messageLine(
          `ALTER TABLE ${table} DROP ${what} ${target} has no IF EXISTS: ${RERUN_FAILS}`,
          `DROP ${what} ${target} has no IF EXISTS: ${RERUN_FAILS}`,
          `DROP ${what} has no IF EXISTS: ${RERUN_FAILS}`,
        ),
        help: `Write ALTER TABLE ${table} DROP ${what} IF EXISTS ${target}`,
        explanation: `${cause} ${MISSING} ${NO_LOCK}`,
        ...(fix ? { fix } : {}),
      });
    }
  }
}

function checkDrop(statement: StatementOf<"DropStmt">, context: RuleContext): void {
  const node = statement.node;
  const removeType = String(node.removeType);
  const keywords = DROP_KEYWORDS[removeType];
  const named = keywords ? keywords.filter((step) => !step.optional).map((step) => step.words[0]).join(" ") : removeType.replace(/^OBJECT_/, "").replace(/_/g, " ");
  const kind = node.concurrent === true ? `${named} CONCURRENTLY` : named;
  const names = asList(node.objects)
    .map((object) => objectLabel(object, ON_TABLE.has(removeType)))
    .filter((label): label is string => label !== undefined);
  const objects = names.length === asList(node.objects).length ? names : undefined;
  dropFinding(statement, context, node.missing_ok, kind, objects, keywords ? [word("DROP"), ...keywords] : undefined);
}

function createFinding(statement: Statement, context: RuleContext, kind: string, name: QualifiedName | undefined, head: readonly Step[]): void {
  const cause = rerunCause(statement, context);
  if (!cause) return;
  const display = name ? ` ${displayName(name)}` : "";
  const fix = insertAfter(statement, statement.range.start, head, " IF NOT EXISTS");
  context.report({
    message: messageLine(`CREATE ${kind}${display} has no IF NOT EXISTS: ${RERUN_FAILS}`, `CREATE ${kind} has no IF NOT EXISTS: ${RERUN_FAILS}`),
    help: `Write CREATE ${kind} IF NOT EXISTS${display} …`,
    explanation: `${cause} ${EXISTS} IF NOT EXISTS skips an existing ${kind.toLowerCase()} of that name (with a notice) without checking that its definition matches. ${NO_LOCK}`,
    ...(fix ? { fix } : {}),
  });
}

function dropFinding(
  statement: Statement,
  context: RuleContext,
  ifExists: boolean | undefined,
  kind: string,
  objects: readonly string[] | undefined,
  head: readonly Step[] | undefined,
): void {
  if (ifExists === true) return;
  const cause = rerunCause(statement, context);
  if (!cause) return;
  const display = objects === undefined ? "" : ` ${objects.join(", ")}`;
  const some = objects === undefined ? "" : ` ${someNames(objects)}`;
  const first = objects === undefined ? "" : ` ${objects[0]}${objects.length > 1 ? ` and ${objects.length - 1} more` : ""}`;
  // The help's SQL names every object, unless the list is too long for a line.
  const sql = display.length > 120 ? `${objects![0]}, …` : display.trim();
  const fix = head ? insertAfter(statement, statement.range.start, head, " IF EXISTS") : undefined;
  context.report({
    message: messageLine(`DROP ${kind}${some} has no IF EXISTS: ${RERUN_FAILS}`, `DROP ${kind}${first} has no IF EXISTS: ${RERUN_FAILS}`, `DROP ${kind} has no IF EXISTS: ${RERUN_FAILS}`),
    help: fix
      ? `Write DROP ${kind} IF EXISTS${sql ? ` ${sql}` : ""}`
      : `Add IF EXISTS right after DROP ${kind} (DROP ${kind} IF EXISTS${sql ? ` ${sql}` : ""}); migsafe cannot place it automatically here`,
    explanation: `${cause} ${MISSING} IF EXISTS skips (with a notice) what is already gone. ${NO_LOCK}`,
    ...(fix ? { fix } : {}),
  });
}

/** The fix for one action of an ALTER TABLE: its own range starts with the action's keywords. */
function actionFix(statement: Statement, command: AlterCommand, head: readonly Step[], text: string): Fix | undefined {
  if (command.range.start === statement.range.start) return undefined;
  return insertAfter(statement, command.range.start, head, text);
}

/**
 * Inserts `text` right after the keywords `head`, which must be the first code tokens at
 * or after `from`. Returns nothing when the tokens are not what the AST promised.
 */
function insertAfter(statement: Statement, from: number, head: readonly Step[], text: string): Fix | undefined {
  const code = statement.codeTokensFrom(from, head.length + 1);
  if (code[0]?.start !== from) return undefined;
  let i = 0;
  let last: Token | undefined;
  for (const step of head) {
    const token = code[i];
    if (token?.type === "keyword" && step.words.includes(token.upper)) {
      last = token;
      i++;
    } else if (!step.optional) {
      return undefined;
    }
  }
  if (!last || code[i]?.upper === "IF") return undefined;
  return { range: { start: last.end, end: last.end }, text };
}

function objectLabel(object: unknown, onTable: boolean): string | undefined {
  const node = unwrap(object);
  if (!node) return undefined;
  if (node.type === "String") return nameOf(node.value.sval);
  if (node.type === "ObjectWithArgs") return labelOf(listName({ List: { items: node.value.objname } }));
  if (node.type === "TypeName") return labelOf(listName({ List: { items: node.value.names } }));
  if (node.type !== "List") return undefined;
  const items = asList(node.value.items);
  if (!items.every((item) => stringOf(item) !== undefined)) return undefined;
  if (onTable && items.length >= 2) {
    const table = listName({ List: { items: items.slice(0, -1) } });
    const name = stringOf(items[items.length - 1])!;
    return table ? `${displayName({ name })} ON ${displayName(table)}` : undefined;
  }
  return labelOf(listName(object));
}

function labelOf(name: QualifiedName | undefined): string | undefined {
  return name ? displayName(name) : undefined;
}

function nameOf(value: unknown): string | undefined {
  return typeof value === "string" ? displayName({ name: value }) : undefined;
}

function roleNames(roles: readonly Node[] | undefined): string[] | undefined {
  const names = (roles ?? []).map((role) => ("RoleSpec" in role ? role.RoleSpec.rolename : undefined));
  return names.every((name): name is string => typeof name === "string") && names.length > 0 ? names.map((name) => displayName({ name })) : undefined;
}

function listOf(name: string | undefined): string[] | undefined {
  return name === undefined ? undefined : [name];
}

function userMapping(node: DropUserMappingStmt): string | undefined {
  const user = node.user;
  const role = typeof user?.rolename === "string" ? displayName({ name: user.rolename }) : user?.roletype?.replace(/^ROLESPEC_/, "");
  return role && typeof node.servername === "string" ? `FOR ${role} SERVER ${displayName({ name: node.servername })}` : undefined;
}

function suggestedIndexName(node: IndexStmt, table: QualifiedName | undefined): string {
  const columns = asList(node.indexParams)
    .map((param) => unwrap(param)?.value.name)
    .filter((name): name is string => typeof name === "string");
  return [table?.name ?? "table", ...(columns.length > 0 ? columns : ["expr"]), "idx"].join("_");
}
