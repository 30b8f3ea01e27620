import { defineRule, type RuleContext } from "../src/engine/rule.js";
import type { Node } from "../src/parser/node-types.js";
import { stringReadingChanges } from "../src/parser/string-reading.js";

function reportTurnedOff(node: Node, context: RuleContext): void {
  if (!stringReadingChanges(node).some((change) => change.on === false)) return;
  context.report({
    message: "This turns standard_conforming_strings off: later '...' strings read backslashes as escapes",
    help: "Leave standard_conforming_strings on, and write escapes explicitly: E'it\\'s' or 'it''s', E'C:\\\\path' or 'C:\\path'",
    explanation:
      "From the next statement on, PostgreSQL reads a backslash in a '...' string as an escape " +
      "(\\' is a quote, \\\\ one backslash), so the same text holds other values, and can split into other statements, than with the setting on. " +
      "Whoever reviews the SQL, and every tool that reads it, sees it the standard way; later migrations run in the same session are read this way too.",
  });
}

export default defineRule({
  meta: {
    id: "standard-conforming-strings-off",
    severity: "careful",
    description: "SET standard_conforming_strings = off (or set_config): later '...' strings read backslashes as escapes.",
    category: "reliability",
    checksDoBlocks: true,
  },
  visit: {
    VariableSetStmt: (statement, context) => reportTurnedOff({ VariableSetStmt: statement.node }, context),
    SelectStmt: (statement, context) => reportTurnedOff({ SelectStmt: statement.node }, context),
  },
});
