import { asList, displayName, listName, stringOf, unwrap, walk, type QualifiedName } from "../src/parser/ast.js";
import type { AstNode, Statement } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { messageLine, sqlLiteral } from "../src/engine/wording.js";

export default defineRule({
  meta: {
    id: "enum-add-value-in-transaction",
    severity: "careful",
    description:
      "ALTER TYPE ... ADD VALUE inside a transaction fails before PostgreSQL 12, and from 12 on, the new value cannot be used before that transaction commits.",
    category: "transactions",
    checksDoBlocks: true,
    pgVersionNote: "< 12: ALTER TYPE ... ADD VALUE cannot run in a transaction block",
  },
  visit: {
    AlterEnumStmt(statement, context) {
      const { newVal, oldVal } = statement.node;
      if (typeof newVal !== "string" || oldVal !== undefined) return;
      const type = listName({ List: { items: statement.node.typeName } });
      if (!type) return;
      const where = transactionOf(statement, context);
      if (!where) return;
      const createdHere = createdInSameTransaction(statement, context, type);
      if (context.settings.pgVersion < 12) {
        // Before 12, ADD VALUE is allowed in a transaction only when the enum was created in that same transaction.
        if (!createdHere) reportAdd(statement, context, type, newVal, where);
        return;
      }
      // PostgreSQL 17 also lets the transaction that created the enum use the values it then adds.
      if (createdHere && context.settings.pgVersion >= 17) return;
      reportUses(statement, context, type, newVal);
    },
  },
});

/** How the statement comes to run in a transaction: short (for the message) and long (for the explanation); nothing when it runs on its own. */
function transactionOf(statement: Statement, context: RuleContext): { short: string; long: string } | undefined {
  const transaction = context.facts.transactions.of(statement);
  switch (transaction.openedBy) {
    case "begin":
      return {
        short: "a transaction block",
        long: transaction.begin ? `the transaction block opened on line ${context.lineOf(transaction.begin.range)}` : "a transaction block",
      };
    case "runner":
      return {
        short: "the runner's transaction",
        long:
          transaction.section.label === "file"
            ? "the transaction the migration runner wraps the file in (assumeInTransaction)"
            : `the transaction the migration runner wraps its ${transaction.section.label} in (${transaction.section.reason})`,
      };
    case "do-block":
      return { short: "a DO block", long: "a DO block (one statement, so one transaction)" };
    default:
      return undefined;
  }
}

function reportAdd(statement: Statement, context: RuleContext, type: QualifiedName, added: string, where: { short: string; long: string }): void {
  const name = displayName(type);
  const value = sqlLiteral(added);
  const version = context.settings.pgVersion;
  const error = statement.parent
    ? `"ALTER TYPE ... ADD cannot run inside a transaction block" (or "cannot be executed from a function", which a DO block is)`
    : `"ALTER TYPE ... ADD cannot run inside a transaction block"`;
  context.report({
    message: messageLine(
      `ALTER TYPE ${name} ADD VALUE ${value} fails inside ${where.short} on PostgreSQL ${version}`,
      `ALTER TYPE ${name} ADD VALUE fails inside ${where.short} on PostgreSQL ${version}`,
      `Adding an enum value fails inside ${where.short} on PostgreSQL ${version}`,
    ),
    help: `Run it in a migration of its own${statement.parent ? ", outside the DO block," : ""} with no transaction: ALTER TYPE ${name} ADD VALUE IF NOT EXISTS ${value}`,
    explanation:
      `ALTER TYPE ${name} ADD VALUE ${value} runs inside ${where.long}, which PostgreSQL before 12 refuses (settings.pgVersion is ${version}): ` +
      `it fails with ${error}, and the migration stops at this statement. No lock or rewrite is involved; the statement simply cannot run there. ` +
      "Turn the runner's transaction off for the migration that holds it (IF NOT EXISTS makes a re-run harmless). " +
      "PostgreSQL 12+ lifts the restriction, though a new value still cannot be used before its transaction commits.",
  });
}

/** Later statements of the same transaction that use the new value as a string constant. */
function reportUses(statement: Statement, context: RuleContext, type: QualifiedName, value: string): void {
  const name = displayName(type);
  const line = context.lineOf(statement.range);
  for (const later of laterStatements(statement, context)) {
    if (!context.facts.transactions.sameTransaction(statement, later)) continue;
    const casts = castLocations(later.node, type);
    walk(later.node, (kind, node) => {
      if (kind !== "A_Const" || typeof node.location !== "number") return;
      if ((node.sval as AstNode | undefined)?.sval !== value) return;
      const certain = casts.has(node.location);
      const literal = sqlLiteral(value);
      context.report({
        range: constantRange(later, node.location),
        message: certain
          ? messageLine(
              `${literal}::${name} fails: ADD VALUE on line ${line} has not committed yet`,
              `${literal}::${name} uses a value added on line ${line}, not committed yet`,
              `This cast uses an enum value added on line ${line}, not committed yet`,
            )
          : messageLine(
              `${literal} fails if read as ${name}: ADD VALUE on line ${line} has not committed yet`,
              `${literal} may use the ${name} value added on line ${line}, not committed yet`,
              `This string may use an enum value added on line ${line}, not committed yet`,
            ),
        help: `Commit in between: ALTER TYPE ${name} ADD VALUE ${literal} in a migration of its own, the uses in a later one`,
        explanation:
          (certain
            ? `${literal}::${name} uses the value that ALTER TYPE ${name} ADD VALUE added on line ${line}, in this same transaction: PostgreSQL refuses it`
            : `${literal} is the value that ALTER TYPE ${name} ADD VALUE added on line ${line}, in this same transaction: ` +
              `if PostgreSQL reads this string as a value of ${name} (compared with, assigned to or inserted into a column of that type), it refuses it`) +
          ` with "unsafe use of new value ${JSON.stringify(value)} of enum type ${type.name}", because a new enum value cannot be used before the transaction that added it commits. ` +
          "The migration stops here and everything it did in that transaction is rolled back. " +
          "End the transaction right after the ALTER TYPE, or move it to a migration of its own, and use the value in a later migration.",
      });
    });
  }
}

/** Locations of the string constants cast to the enum type, directly or through other casts. */
function castLocations(root: unknown, type: QualifiedName): Set<number> {
  const found = new Set<number>();
  walk(root, (kind, node) => {
    if (kind !== "TypeCast") return;
    const names = asList((node.typeName as AstNode | undefined)?.names).map(stringOf);
    if (names[names.length - 1] !== type.name) return;
    let arg = unwrap(node.arg);
    while (arg?.type === "TypeCast") arg = unwrap(arg.value.arg);
    if (arg?.type === "A_Const" && typeof arg.value.location === "number") found.add(arg.value.location);
  });
  return found;
}

/** The string token of a constant, or its whole statement when the tokens do not say. */
function constantRange(statement: Statement, location: number): Range {
  const start = statement.indexOf(location);
  const token = statement.tokens.find((candidate) => candidate.start === start && candidate.type === "string");
  return token ? { start: token.start, end: token.end } : statement.range;
}

/** True when an earlier CREATE TYPE ... AS ENUM of this type runs in the same transaction. */
function createdInSameTransaction(statement: Statement, context: RuleContext, type: QualifiedName): boolean {
  return [...context.parsed.statements, ...context.parsed.doBlockStatements].some((create) => {
    if (create.kind !== "CreateEnumStmt") return false;
    const created = listName({ List: { items: create.node.typeName } });
    return created !== undefined && context.facts.names.sameRelation(created, create, type, statement) && context.facts.order.runsBefore(create, statement) && context.facts.transactions.sameTransaction(create, statement);
  });
}

/** Statements that run after this one: top level, and in DO blocks, in run order. */
function laterStatements(statement: Statement, context: RuleContext): Statement[] {
  return [...context.parsed.statements, ...context.parsed.doBlockStatements]
    .filter((other) => context.facts.order.runsBefore(statement, other))
    .sort((a, b) => (context.facts.order.runsBefore(a, b) ? -1 : 1));
}

