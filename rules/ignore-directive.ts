import { defineRule } from "../src/engine/rule.js";
import type { Directive } from "../src/engine/directives.js";
import { MESSAGE_LIMIT, listing } from "../src/engine/wording.js";
import { someNames } from "../src/engine/wording-transactions.js";

const SPELLING: Record<Directive["kind"], string> = {
  ignore: "migsafe-ignore",
  "ignore-file": "migsafe-ignore-file",
  "disable-next-line": "eslint-disable-next-line",
  "disable-line": "eslint-disable-line",
  disable: "eslint-disable",
  enable: "eslint-enable",
};

export default defineRule({
  meta: {
    id: "ignore-directive",
    severity: "careful",
    description: "An inline ignore that gives no reason, names an unknown rule, or suppresses nothing.",
    category: "reliability",
  },
  checkDirectives(directives, context) {
    for (const directive of directives) {
      const spelled = SPELLING[directive.kind];
      const range = directive.comment.range;
      const eslint = directive.kind !== "ignore" && directive.kind !== "ignore-file";
      const named = directive.rules === "all" ? [] : directive.rules;
      const listed = named.map((id) => (eslint ? `migsafe/${id}` : id)).join(", ") || "<rule-id>";
      const unknown = named.filter((id) => !context.ruleIds.has(id));
      if (unknown.length > 0) {
        const quoted = unknown.map((id) => `"${id}"`);
        context.report({
          range,
          message: shortest((shown) => `${spelled} names ${someNames(quoted, shown)}, ${unknown.length > 1 ? "not migsafe rules" : "not a migsafe rule"}: it suppresses nothing`),
          help: "Use the rule id shown with the finding (`migsafe --list-rules` lists them all)",
          explanation: `${listing(quoted)} ${unknown.length > 1 ? "are not migsafe rules" : "is not a migsafe rule"}: the ${spelled} suppresses nothing, and the finding it was meant for is still reported.`,
        });
        continue;
      }
      if (context.settings.requireIgnoreReason && !directive.reason) {
        const ids = listed.length > 80 ? "<rule-id>" : listed;
        const example = eslint ? `-- ${spelled} ${ids} -- <why this is safe here>` : `-- ${spelled} ${ids}: <why this is safe here>`;
        context.report({
          range,
          message: shortest((shown) => `${spelled} ${named.length > 0 ? `${someNames(named, shown)} ` : ""}gives no reason for accepting the risk`),
          help: `Say why it is safe here: ${example}`,
          explanation:
            "Without a reason, the next reader cannot tell why this risk was accepted, or whether it still is. " +
            'To allow ignores without a reason, set "requireIgnoreReason": false in the configuration.',
        });
      }
      const unused = named.filter((id) => !directive.used.has(id));
      if (unused.length > 0) {
        const where = directive.kind === "ignore" ? "the next statement" : directive.kind === "ignore-file" ? "this file" : "the lines it covers";
        context.report({
          range,
          message: shortest((shown) => `${spelled} ${someNames(unused, shown)} suppresses nothing on ${where}`),
          help: "Remove the ignore, or move it directly above the statement it is for",
          explanation:
            `${listing(unused)} ${unused.length > 1 ? "report" : "reports"} no finding on ${where}. ` +
            "The statement changed, the rule is off, or the comment is in the wrong place; a stale ignore would hide a future finding.",
        });
      }
    }
  },
});

/** The message naming two rules, or one when two make it too long. */
function shortest(message: (shown: number) => string): string {
  const two = message(2);
  return two.length <= MESSAGE_LIMIT ? two : message(1);
}
