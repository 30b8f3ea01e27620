import type { ObjectType } from "@pgsql/types";
import { displayName } from "../src/parser/ast.js";
import { defineRule } from "../src/engine/rule.js";
import { gapSentence, helpLine, messageLine } from "../src/engine/wording.js";
import { fewNames, sentences } from "../src/engine/wording-drops.js";

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
      const noCascade = `Without CASCADE, PostgreSQL refuses while a trigger, default, constraint, index or view still uses the ${noun}.`;

      if (gone.length === 0) {
        context.report({
          message: messageLine(
            ...[fewNames(objects.map((object) => object.label)), fewNames(objects.map((object) => displayName(object.name)))].flatMap((spelled) => [
              `DROP ${keyword} ${spelled} CASCADE drops the triggers and defaults using it; the CREATE does not restore them`,
              `DROP ${keyword} ${spelled} CASCADE drops what uses it; the CREATE does not restore that`,
              `DROP ${keyword} ${spelled} CASCADE drops what uses it for good`,
            ]),
          ),
          help: helpLine(
            `Leave out CASCADE; when only the body changes, CREATE OR REPLACE ${create} needs no DROP and keeps what uses it`,
            "Leave out CASCADE; when only the body changes, CREATE OR REPLACE needs no DROP and keeps what uses it",
          ),
          explanation: sentences(
            `DROP ${keyword} ${all} CASCADE is followed by a CREATE of the same name in the same transaction, which replaces the ${noun}${manyAll ? "s" : ""} without a gap, ` +
              `but ${dependents}, and the new ${noun}${manyAll ? "s do" : " does"} not bring them back.`,
            noCascade,
          ),
        });
        return;
      }

      const many = gone.length > 1;
      const labels = gone.map((object) => object.label);
      const names = labels.join(", ");
      const shown = fewNames(labels);
      const onlyGap = gone.every((object) => object.successor);
      const target = gone[0]!;
      const them = many ? "them" : "it";
      const withCascade = cascade ? " CASCADE" : "";
      const leaveOut = cascade ? "Leave out CASCADE. " : "";
      const replace = `BEGIN; DROP ${keyword} ${target.label}; CREATE ${keyword === "PROCEDURE" ? "PROCEDURE" : "FUNCTION"} ${displayName(target.name)}(…) …; COMMIT;`;
      // Long argument lists: the names alone, which the explanation completes with the signatures.
      const spellings = [shown, fewNames(gone.map((object) => displayName(object.name)))];
      const message = onlyGap
        ? messageLine(
            ...spellings.flatMap((spelled) => [
              `DROP ${keyword} ${spelled} leaves no ${noun} of ${many ? "these names" : "that name"} until a later transaction creates ${them} again`,
              `DROP ${keyword} ${spelled} leaves a gap until a later transaction creates ${them} again`,
              `DROP ${keyword} ${spelled} leaves a gap before ${them} ${many ? "are" : "is"} created again`,
            ]),
          )
        : messageLine(
            ...spellings.flatMap((spelled) => [
              cascade
                ? `DROP ${keyword} ${spelled} CASCADE removes ${them} and the triggers, defaults and indexes using ${them}`
                : `DROP ${keyword} ${spelled} removes ${many ? `${noun}s` : `a ${noun}`} that running code may still ${use === "CALLs" ? "CALL" : "call"}`,
              `DROP ${keyword} ${spelled}${withCascade} removes ${many ? `${noun}s` : `a ${noun}`} still in use`,
              `DROP ${keyword} ${spelled} removes ${many ? `${noun}s` : `a ${noun}`}`,
            ]),
          );
      const help = onlyGap
        ? helpLine(
            `${leaveOut}Run the DROP and the CREATE in one transaction: ${replace}`,
            `${leaveOut}Run the DROP and the CREATE in one transaction, or CREATE OR REPLACE ${create} when only the body changes`,
            `${leaveOut}Run the DROP and the CREATE in one transaction`,
          )
        : helpLine(
            `${leaveOut}Deploy code that no longer ${use} ${target.label}, then drop it in a later release; for a new body, CREATE OR REPLACE ${create}`,
            `${leaveOut}Deploy code that no longer ${use} ${target.label}, then drop it in a later release`,
            `${leaveOut}Deploy code that no longer ${use} the ${noun}, then drop it in a later release`,
          );
      const explanation = sentences(
        onlyGap
          ? `DROP ${keyword} ${names} leaves no ${noun} of ${many ? "these names" : "that name"} until a later statement of this file creates ${them} again outside this transaction: ` +
              `running code that ${use} ${them} in between fails with "${noun} … does not exist".`
          : `DROP ${keyword} ${names} removes the ${noun}${many ? "s" : ""}: running code and other functions that ${use === "CALLs" ? "CALL" : "call"} ${them} ` +
              `fail with "${noun} … does not exist" as soon as this commits (PL/pgSQL bodies only when they run).` +
              gapSentence(gone.filter((object) => object.successor), "created again"),
        `It takes no table lock, only a lock on the ${noun} itself, which callers do not take: it neither waits for nor blocks queries.`,
        cascade ? `${dependents}. ${noCascade}` : `Without CASCADE it fails while a trigger, column default, constraint, index or view uses ${many ? "one of them" : "it"}.`,
        !onlyGap && `To change its return type or parameter names, replace it in one transaction instead: ${replace}`,
        `When only the body changes, CREATE OR REPLACE ${create} needs no DROP.`,
      );
      context.report({ message, help, explanation });
    },
  },
});
