import { defineRule } from "../src/engine/rule.js";
import type { Directive } from "../src/engine/directives.js";

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
        context.report({
          range,
          message: `${spelled} names ${unknown.map((id) => `"${id}"`).join(", ")}, which ${unknown.length > 1 ? "are not migsafe rules" : "is not a migsafe rule"}: it suppresses nothing, and the finding it was meant for is still reported.`,
          help: "Use the rule id shown with the finding (`migsafe --list-rules` lists them all).",
        });
        continue;
      }
      if (context.settings.requireIgnoreReason && !directive.reason) {
        const example = eslint ? `-- ${spelled} ${listed} -- <why this is safe here>` : `-- ${spelled} ${listed}: <why this is safe here>`;
        context.report({
          range,
          message: `${spelled} gives no reason: the next reader cannot tell why this risk was accepted, or whether it still is.`,
          help: `Say why it is safe here: ${example} (or set "requireIgnoreReason": false in the configuration).`,
        });
      }
      const unused = named.filter((id) => !directive.used.has(id));
      if (unused.length > 0) {
        const where = directive.kind === "ignore" ? "the next statement" : directive.kind === "ignore-file" ? "this file" : "the lines it covers";
        context.report({
          range,
          message: `${spelled} suppresses nothing: ${unused.join(", ")} reports no finding on ${where}. The statement changed, the rule is off, or the comment is in the wrong place; a stale ignore would hide a future finding.`,
          help: "Remove the ignore, or move it directly above the statement it is for.",
        });
      }
    }
  },
});
