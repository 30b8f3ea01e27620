import type { ObjectType } from "@pgsql/types";
import { displayName } from "../src/parser/ast.js";
import { defineRule } from "../src/engine/rule.js";
import { gapSentence } from "../src/engine/wording.js";

/** DROP FUNCTION, DROP PROCEDURE and DROP ROUTINE (either of the two): keyword, noun, how code uses it, how to re-create it. */
const KINDS: Partial<Record<ObjectType, { keyword: string; noun: string; use: string; create: string }>> = {
  OBJECT_FUNCTION: { keyword: "FUNCTION", noun: "function", use: "calls", create: "FUNCTION" },
  OBJECT_PROCEDURE: { keyword: "PROCEDURE", noun: "procedure", use: "CALLs", create: "PROCEDURE" },
  OBJECT_ROUTINE: { keyword: "ROUTINE", noun: "routine", use: "calls", create: "FUNCTION (or PROCEDURE)" },
};

export default defineRule({
  meta: {
    id: "drop-function",
    severity: "careful",
    description: "DROP FUNCTION, PROCEDURE or ROUTINE removes code that running queries may still call; with CASCADE, the triggers, defaults and indexes using it too.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      const kind = statement.node.removeType && KINDS[statement.node.removeType];
      if (!kind) return;
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const objects = context.facts.history.droppedObjects(statement, "function");
      const gone = objects.filter((object) => !object.successor?.sameTransaction);
      if (gone.length === 0 && !(cascade && objects.length > 0)) return;

      const { keyword, noun, use, create } = kind;
      const all = objects.map((object) => object.label).join(", ");
      const manyAll = objects.length > 1;
      const dependents =
        `CASCADE also silently drops everything that uses ${manyAll ? "them" : "it"}: triggers that execute ${manyAll ? "them" : "it"} (their checks and side effects stop), ` +
        "column defaults (inserts then get NULL), CHECK constraints, expression indexes, views and row-level security policies, " +
        "each under an ACCESS EXCLUSIVE lock on its table";
      const noCascade = `Leave out CASCADE, so that PostgreSQL refuses while a trigger, default, constraint, index or view still uses the ${noun}.`;

      if (gone.length === 0) {
        context.report({
          message:
            `DROP ${keyword} ${all} CASCADE is followed by a CREATE of the same name in the same transaction, which replaces the ${noun}${manyAll ? "s" : ""} without a gap, ` +
            `but ${dependents}, and the new ${noun}${manyAll ? "s do" : " does"} not bring them back.`,
          help: `${noCascade} When only the body changes, CREATE OR REPLACE ${create} needs no DROP and keeps what uses it.`,
        });
        return;
      }

      const many = gone.length > 1;
      const names = gone.map((object) => object.label).join(", ");
      const onlyGap = gone.every((object) => object.successor);
      const target = gone[0]!;
      const replace = `BEGIN; DROP ${keyword} ${target.label}; CREATE ${keyword === "PROCEDURE" ? "PROCEDURE" : "FUNCTION"} ${displayName(target.name)}(…) …; COMMIT;`;
      const message =
        (onlyGap
          ? `DROP ${keyword} ${names} leaves no ${noun} of ${many ? "these names" : "that name"} until a later statement of this file creates ${many ? "them" : "it"} again outside this transaction: ` +
            `running code that ${use} ${many ? "them" : "it"} in between fails with "${noun} … does not exist".`
          : `DROP ${keyword} ${names} removes the ${noun}${many ? "s" : ""}: running code and other functions that ${use === "CALLs" ? "CALL" : "call"} ${many ? "them" : "it"} ` +
            `fail with "${noun} … does not exist" as soon as this commits (PL/pgSQL bodies only when they run).` +
            gapSentence(gone.filter((object) => object.successor), "created again")) +
        ` It takes no table lock, only a lock on the ${noun} itself, which callers do not take: it neither waits for nor blocks queries.` +
        (cascade ? ` ${dependents}.` : ` Without CASCADE it fails while a trigger, column default, constraint, index or view uses ${many ? "one of them" : "it"}.`);
      const help =
        (onlyGap
          ? `Run the DROP and the CREATE in one transaction, so that no call ever finds the ${noun} missing: ${replace}`
          : `Deploy code that no longer ${use} ${target.label} first, and drop it in a later migration. To change its return type or parameter names, replace it in one transaction instead: ${replace}`) +
        ` When only the body changes, CREATE OR REPLACE ${create} needs no DROP.` +
        (cascade ? ` ${noCascade}` : "");
      context.report({ message, help });
    },
  },
});
