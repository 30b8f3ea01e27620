import { displayName, listName, type QualifiedName } from "../src/parser/ast.js";
import type { Statement, StatementOf } from "../src/parser/types.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { helpLine, messageLine, sqlLiteral } from "../src/engine/wording.js";
import { renameOf } from "../src/facts/history.js";

export default defineRule({
  meta: {
    id: "rename-type",
    severity: "careful",
    description: "ALTER TYPE … RENAME TO, ALTER DOMAIN … RENAME TO and ALTER TYPE … RENAME VALUE break running code that still names the old type or writes the old enum value.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    RenameStmt: checkTypeRename,
    AlterEnumStmt: checkValueRename,
  },
});

const NO_LOCK = "It takes no table lock and rewrites nothing: the rename itself is instant.";

function checkTypeRename(statement: StatementOf<"RenameStmt">, context: RuleContext): void {
  const renameType = statement.node.renameType;
  if (renameType !== "OBJECT_TYPE" && renameType !== "OBJECT_DOMAIN") return;
  const rename = renameOf(statement);
  if (!rename) return;
  const { history } = context.facts;
  // Created, or given the name, earlier in the file: no running code knows it.
  if (history.nameTakenBefore(statement, "type", rename.from) || history.undoesForwardRename(statement, rename)) return;
  const successor = history.successorOf(statement, "type", rename.from);
  // Another type takes the name in the same transaction (Prisma's enum swap): no query finds it missing.
  if (successor?.sameTransaction) return;

  const keyword = renameType === "OBJECT_DOMAIN" ? "DOMAIN" : "TYPE";
  const noun = keyword.toLowerCase();
  const oldName = displayName(rename.from);
  const newName = displayName(rename.to);
  const names = `running code that names ${oldName} (casts such as '…'::${oldName}, also those ORMs write for enum parameters; PL/pgSQL variables; function bodies)`;
  const bridge = `BEGIN; ALTER ${keyword} ${oldName} RENAME TO ${displayName({ name: rename.to.name })}; CREATE DOMAIN ${oldName} AS ${newName}; COMMIT;`;

  if (successor) {
    context.report({
      message: messageLine(
        `Renaming ${noun} ${oldName} to ${newName} leaves no ${oldName} until a later transaction takes the name`,
        `Renaming ${noun} ${oldName} leaves a gap until a later transaction takes the name`,
        `Renaming ${noun} ${oldName} leaves a gap until a later transaction`,
      ),
      help: helpLine(
        `Run the rename and the statement that takes ${oldName} again in one transaction`,
        "Run the rename and the statement that takes the old name again in one transaction",
      ),
      explanation:
        `Renaming ${noun} ${oldName} to ${newName} leaves no type named ${oldName} until a later statement of this file takes the name again outside this transaction: ` +
        `${names} fails with "type … does not exist" in between. ${NO_LOCK}`,
    });
    return;
  }
  context.report({
    message: messageLine(
      `Renaming ${noun} ${oldName} to ${newName} breaks running code that still names ${oldName}`,
      `Renaming ${noun} ${oldName} to ${newName} breaks code still naming it`,
      `Renaming ${noun} ${oldName} breaks code still naming it`,
    ),
    help: helpLine(
      `Rename and keep the old name as a domain in one transaction: ${bridge}`,
      `Rename and keep the old name as a domain in one transaction: CREATE DOMAIN ${oldName} AS ${newName}`,
      "Rename and keep the old name as a domain (CREATE DOMAIN … AS …) in one transaction",
    ),
    explanation:
      `Renaming ${noun} ${oldName} to ${newName} breaks ${names}: it fails with "type … does not exist" as soon as this commits, ` +
      `until code using ${newName} is deployed, and the previous release can no longer run if the deploy is rolled back. ` +
      `Columns, function signatures, views and other types that use it follow the rename; text that names it does not. ${NO_LOCK} ` +
      `Keep the old name working during the deploy: ${bridge} ` +
      `A domain under the old name keeps casts to ${oldName} and variables of that type working; deploy code that uses ${newName}, then DROP DOMAIN ${oldName}; in a later migration. ` +
      `Or deploy code that no longer names ${oldName} first, and rename it afterwards.`,
  });
}

function checkValueRename(statement: StatementOf<"AlterEnumStmt">, context: RuleContext): void {
  const { oldVal, newVal } = statement.node;
  const type = listName({ List: { items: statement.node.typeName } });
  if (oldVal === undefined || newVal === undefined || !type) return;
  if (context.facts.history.isNew(statement, "type", type) || undoesForwardValueRename(statement, context, type, oldVal, newVal)) return;

  const name = displayName(type);
  const before = sqlLiteral(oldVal);
  const after = sqlLiteral(newVal);
  context.report({
    message: messageLine(
      `ALTER TYPE ${name} RENAME VALUE ${before} TO ${after} breaks code still writing ${before}`,
      `RENAME VALUE ${before} TO ${after} breaks code still writing ${before}`,
      `RENAME VALUE ${before} breaks code still writing it`,
    ),
    help: helpLine(
      `Add the new value instead (ALTER TYPE ${name} ADD VALUE IF NOT EXISTS ${after}), deploy code writing it, then move the rows in batches`,
      `Add the new value instead (ALTER TYPE … ADD VALUE IF NOT EXISTS ${after}), deploy code writing it, then move the rows in batches`,
      "Add the new value instead (ALTER TYPE … ADD VALUE), deploy code writing it, then move the rows in batches",
    ),
    explanation:
      `ALTER TYPE ${name} RENAME VALUE ${before} TO ${after} changes the value in every row at once (rows store the label's identity, so nothing is rewritten): ` +
      `running code that writes or compares ${before} fails with "invalid input value for enum ${name}" as soon as this commits, ` +
      `and code that reads the column gets ${after}, which the running release does not know; the previous release can no longer run if the deploy is rolled back. ` +
      `CHECK constraints, defaults, indexes and views follow the rename; function bodies and queries that name ${before} do not. ${NO_LOCK} ` +
      `Add the new value and move the rows to it in steps instead: ALTER TYPE ${name} ADD VALUE IF NOT EXISTS ${after}; ` +
      `(a value added with ADD VALUE cannot be used in the transaction that adds it), deploy code that accepts both values and writes ${after}, ` +
      `update the rows in batches (UPDATE … SET … = ${after} WHERE … = ${before} AND id BETWEEN … AND …;), and leave ${before} unused: an enum value cannot be dropped.`,
  });
}

/**
 * True for a RENAME VALUE in a rollback that undoes the forward migration's: in a down section, the up section
 * renames the value of the same type the other way; a separate rollback file is taken to undo one (it cannot
 * see its forward migration's renames).
 */
function undoesForwardValueRename(statement: Statement, context: RuleContext, type: QualifiedName, oldVal: string, newVal: string): boolean {
  const { sections, names, order } = context.facts;
  if (!sections.isRollback(statement)) return false;
  if (sections.rollback.role === "rollback") return true;
  return order.statements.some(
    (forward) =>
      !sections.isRollback(forward) &&
      forward.kind === "AlterEnumStmt" &&
      forward.node.oldVal === newVal &&
      forward.node.newVal === oldVal &&
      names.sameRelation(listName({ List: { items: forward.node.typeName } }), forward, type, statement),
  );
}
