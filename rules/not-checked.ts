import { messageLine } from "../src/engine/wording.js";
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
      // The call as written is `knex.raw(…)`: the message names the function alone.
      const callee = call.replace(/\(…\)$/, "");
      context.report({
        range,
        message: messageLine(`This ${callee} call runs SQL built at run time, which migsafe did not check`, "This call runs SQL built at run time, which migsafe did not check"),
        help: "Review its SQL by hand, or write the statement out in the call: a string, or a template whose `${…}` parts are only names and values",
        explanation:
          `This SQL could not be checked: ${reason}. Whatever it runs (a lock, a rewrite, a drop) migsafe cannot see. ` +
          "To have it checked, write the statement out in the call, as a string or a template whose `${…}` parts are only names and values " +
          "(or constants of this file), instead of building it in a helper or a variable.",
      });
    }
  },
});
