import type { Constraint } from "@pgsql/types";
import { displayName, listName, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import type { Statement } from "../src/parser/types.js";
import { lockBlocks } from "../src/facts/lock-wording.js";
import { firstFitting, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { codeText, parenthesized } from "../src/parser/column-constraints.js";

export default defineRule({
  meta: {
    id: "domain-constraint",
    severity: "careful",
    description:
      "ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID, or SET NOT NULL, checks every column of the domain in every table while blocking writes to all of them.",
    category: "locking",
    checksDoBlocks: true,
  },
  visit: {
    AlterDomainStmt(statement, context) {
      const domain = listName({ List: { items: statement.node.typeName } });
      if (!domain || context.facts.history.isNew(statement, "type", domain)) return;
      const subtype = statement.node.subtype;
      if (subtype === "O") {
        report(statement, context, domain, "SET NOT NULL", true);
        return;
      }
      if (subtype !== "C") return;
      const constraint = nodeAs(statement.node.def, "Constraint");
      if (!constraint) return;
      if (constraint.contype === "CONSTR_NOTNULL") report(statement, context, domain, constraintLabel(constraint, "NOT NULL"), true, constraint);
      else if (constraint.contype === "CONSTR_CHECK" && constraint.skip_validation !== true) report(statement, context, domain, constraintLabel(constraint, "CHECK (…)"), false, constraint);
    },
  },
});

function report(statement: Statement, context: RuleContext, domain: QualifiedName, action: string, notNull: boolean, constraint?: Constraint): void {
  const name = displayName(domain);
  const conname = constraint?.conname ?? `${domain.name}_${notNull ? "not_null" : "check"}`;
  const k = displayName({ name: conname });
  const condition = constraint && !notNull ? checkText(statement, constraint) : "(VALUE IS NOT NULL)";
  const validate =
    `then, in a separate transaction at a quiet time: ALTER DOMAIN ${name} VALIDATE CONSTRAINT ${k}; ` +
    "Up to PostgreSQL 18, VALIDATE still holds SHARE on each table that uses the domain while it scans, so first make sure with a SELECT that no stored value fails; " +
    "the constraint protects new values even if it is never validated.";
  const help = notNull
    ? "PostgreSQL's documentation advises against NOT NULL on domains (a domain value can still read as NULL, e.g. through an outer join): " +
      "put NOT NULL on the columns instead, each proven first by a CHECK (c IS NOT NULL) added NOT VALID and validated (SHARE UPDATE EXCLUSIVE: writes go on). " +
      `If it must be the domain, note that a domain's NOT NULL cannot be added NOT VALID, but a check can: ALTER DOMAIN ${name} ADD CONSTRAINT ${k} CHECK ${condition} NOT VALID; ${validate}`
    : `Add it NOT VALID, which checks no existing value (new and updated values are checked at once): ALTER DOMAIN ${name} ADD CONSTRAINT ${k} CHECK ${condition} NOT VALID; ${validate} ` +
      "For a rule that only one table needs, a table CHECK added NOT VALID and validated (SHARE UPDATE EXCLUSIVE: writes go on) is cheaper.";
  const addNotValid = (check: string) => `ALTER DOMAIN ${name} ADD CONSTRAINT ${k} CHECK ${check} NOT VALID`;
  const short = notNull
    ? firstFitting(200, 
          `Put NOT NULL on the columns instead, or ${addNotValid(condition)} and validate it later`,
          `Put NOT NULL on the columns instead, or add CHECK (VALUE IS NOT NULL) to ${name} NOT VALID and validate it later`,
        )
    : firstFitting(200, 
          `Add it NOT VALID (${addNotValid(condition)}), then VALIDATE CONSTRAINT ${k} in a separate transaction`,
          `Add it NOT VALID (${addNotValid("(…)")}), then VALIDATE CONSTRAINT ${k} in a separate transaction`,
          `Add it NOT VALID, then VALIDATE CONSTRAINT ${k} in a separate transaction`,
        );
  // The message names the action without an ellipsis: `CHECK (…)` is for the explanation.
  const named = action.replace(/ CHECK \(…\)$/, notNull ? "" : " CHECK");
  const shortAction = constraint && constraint.conname !== undefined ? named.replace(`CONSTRAINT ${displayName({ name: constraint.conname })} `, "") : named;
  context.report({
    message: messageLine(
      `ALTER DOMAIN ${name} ${named} blocks writes to every table using ${name} (SHARE)`,
      `ALTER DOMAIN ${name} ${named} blocks writes to every table using it (SHARE)`,
      `ALTER DOMAIN ${name} ${named.replace(/ CHECK$/, "")} blocks writes to every table using it (SHARE)`,
      `ALTER DOMAIN ${name} ${named.replace(/ CHECK$/, "")} blocks writes to its tables (SHARE)`,
      `ALTER DOMAIN ${name} ${shortAction} blocks writes to every table using it (SHARE)`,
      `ALTER DOMAIN ${name} ${shortAction} blocks writes to its tables (SHARE)`,
    ),
    help: short,
    explanation:
      `ALTER DOMAIN ${name} ${action} checks every stored value of every column of type ${name}, in every table that uses the domain, ` +
      `holding a SHARE lock on each of those tables, which blocks ${lockBlocks("SHARE")}, until the last one is scanned and the transaction commits (no rewrite). ` +
      `A single value that fails aborts the statement after the scans. ${help}`,
  });
}

/** `CONSTRAINT k CHECK (…)` or `CHECK (…)`, as the message names the action. */
function constraintLabel(constraint: Constraint, kind: string): string {
  return `ADD ${constraint.conname !== undefined ? `CONSTRAINT ${displayName({ name: constraint.conname })} ` : ""}${kind}`;
}

/** The parenthesized condition of a domain's CHECK as written, on one line. */
function checkText(statement: Statement, constraint: Constraint): string {
  const condition = constraint.location !== undefined ? parenthesized(statement, statement.indexOf(constraint.location)) : undefined;
  return condition ? codeText(statement, condition) : "(…)";
}
