import { displayName, type QualifiedName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { sentences } from "../src/engine/wording-drops.js";
import { renameOf } from "../src/facts/history.js";

/** The relations whose renames this rule reports, with the keywords and noun for each. */
const KINDS: Record<string, { keyword: string; noun: string }> = {
  OBJECT_TABLE: { keyword: "TABLE", noun: "table" },
  OBJECT_VIEW: { keyword: "VIEW", noun: "view" },
  OBJECT_MATVIEW: { keyword: "MATERIALIZED VIEW", noun: "materialized view" },
};

export default defineRule({
  meta: {
    id: "rename-table",
    severity: "careful",
    description: "ALTER TABLE … RENAME TO (or ALTER VIEW / MATERIALIZED VIEW … RENAME TO) breaks running code that still uses the old name.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    RenameStmt(statement, context) {
      const kind = KINDS[String(statement.node.renameType)];
      const rename = renameOf(statement);
      if (!kind || !rename) return;
      const { from, to } = rename;
      if (isNewRelation(statement, context, from) || context.facts.history.undoesForwardRename(statement, rename)) return;
      const successor = context.facts.history.successorOf(statement, "relation", from);
      if (successor?.sameTransaction) return;

      const { keyword, noun } = kind;
      const oldName = displayName(from);
      const newName = displayName(to);
      const lock =
        `It takes an ACCESS EXCLUSIVE lock on ${oldName}, held until the transaction commits; on its own it is brief, because nothing is rewritten, ` +
        `but it waits behind every running query on ${oldName} and blocks every query queued after it.`;
      const viewBridge = `BEGIN; ALTER ${keyword} ${oldName} RENAME TO ${displayName({ name: to.name })}; CREATE VIEW ${oldName} AS SELECT * FROM ${newName}; COMMIT;`;

      if (successor) {
        context.report({
          message: messageLine(
            `Renaming ${noun} ${oldName} to ${newName} leaves no ${oldName} until a later transaction takes the name`,
            `Renaming ${noun} ${oldName} leaves a gap until a later transaction takes the name`,
            `Renaming ${oldName} leaves a gap until a later transaction`,
          ),
          help: helpLine(
            `Run the rename and the statement that takes ${oldName} again in one transaction, e.g. ${viewBridge}`,
            `Run the rename and the statement that takes ${oldName} again in one transaction`,
            "Run the rename and the statement that takes the old name again in one transaction",
          ),
          explanation: sentences(
            `Renaming ${noun} ${oldName} to ${newName} leaves nothing named ${oldName} until a later statement of this file takes the name again outside this transaction: ` +
              `running code that queries ${oldName} in between fails with "relation does not exist".`,
            lock,
          ),
        });
        return;
      }

      context.report({
        message: messageLine(
          `Renaming ${noun} ${oldName} to ${newName} breaks running code that still uses ${oldName}`,
          `Renaming ${noun} ${oldName} to ${newName} breaks code still using it`,
          `Renaming ${noun} ${oldName} breaks code still using it`,
        ),
        help: helpLine(
          `Rename and keep the old name as a view in one transaction: ${viewBridge}`,
          `Rename and keep the old name as a view in one transaction: CREATE VIEW ${oldName} AS SELECT * FROM ${newName}`,
          "Rename and keep the old name as a view (CREATE VIEW … AS SELECT * FROM …) in one transaction",
        ),
        explanation: sentences(
          `Renaming ${noun} ${oldName} to ${newName} breaks running code that still uses ${oldName}: its queries fail with "relation does not exist" as soon as this commits, ` +
            "until code using the new name is deployed, and the previous release can no longer run if the deploy is rolled back.",
          lock,
          `Views, foreign keys, indexes and triggers follow the rename; function bodies that name ${oldName} do not.`,
          `Keep the old name working during the deploy: rename and create a view under the old name in one transaction (${viewBridge}).`,
          noun !== "materialized view" && `A view this simple is updatable, so INSERT, UPDATE and DELETE through ${oldName} keep working too.`,
          `Deploy code that uses ${newName}, then DROP VIEW ${oldName}; in a later migration.`,
        ),
      });
    },
  },
});

/** A relation of that name created, or given that name by a rename, earlier in the file: no running code knows it. */
function isNewRelation(statement: Statement, context: RuleContext, name: QualifiedName): boolean {
  return context.facts.history.nameTakenBefore(statement, "relation", name);
}
