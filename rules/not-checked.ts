import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "not-checked",
    severity: "careful",
    description: "SQL that a TS/JS migration builds at run time, which migsafe could not check.",
    category: "reliability",
  },
  checkFile(context) {
    for (const { range, call, reason } of context.embedded?.unchecked ?? []) {
      context.report({
        range,
        message: `${call}: this SQL is built at run time and was not checked: ${reason}. Whatever it runs (a lock, a rewrite, a drop) migsafe cannot see.`,
        help:
          "Review the SQL it runs by hand. To have it checked, write the statement out in the call, as a string or a template whose `${…}` parts are only " +
          "names and values (or constants of this file), instead of building it in a helper or a variable.",
      });
    }
  },
});
