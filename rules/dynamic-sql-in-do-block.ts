import type { Node } from "@pgsql/types";
import { defineRule } from "../src/engine/rule.js";
import { nodeAs } from "../src/parser/node-types.js";
import { clip } from "../src/engine/wording-transactions.js";

/** The longest excerpt of the generated SQL in the message: the message stays within 100 characters. */
const EXCERPT_LENGTH = 46;

export default defineRule({
  meta: {
    id: "dynamic-sql-in-do-block",
    severity: "careful",
    description: "EXECUTE of dynamic SQL in a DO block runs statements that cannot be checked statically.",
    category: "reliability",
  },
  checkFile(context) {
    for (const dynamic of context.parsed.dynamicSql) {
      if (dynamic.runs?.every(onlyReadsOrRenames)) continue;
      const text = dynamic.text.replace(/\s+/g, " ").trim();
      const excerpt = clip(text, EXCERPT_LENGTH);
      context.report({
        range: dynamic.range,
        message: `DO block EXECUTEs SQL built at run time, not checked: ${excerpt}`,
        help: "Write the statements out, one per object, so each is checked; or render the SQL with SELECT format(…) and run migsafe on it",
        explanation:
          `The SQL this EXECUTE runs (${clip(text, 200)}) is only known when the migration runs: ` +
          "migsafe cannot see which tables it touches, which locks it takes, or whether it rewrites a table or deletes data, so none of the statements it runs are checked. " +
          "To review it, run the same query with SELECT format(…) instead of EXECUTE against a copy of the database, save the output to a file, run migsafe on it, and review the locks by hand.",
      });
    }
  },
});

/**
 * A statement that changes no data and no table's shape: a query (without INTO and without a data-modifying WITH),
 * SHOW, or a RENAME (of a table, an index, a constraint, a column …: a catalog change under a brief lock).
 */
function onlyReadsOrRenames(statement: Node): boolean {
  if ("RenameStmt" in statement || "VariableShowStmt" in statement) return true;
  const query = nodeAs(statement, "SelectStmt");
  if (!query || query.intoClause) return false;
  const modifying = ["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"];
  return (query.withClause?.ctes ?? []).every((cte) => {
    const inner = nodeAs(cte, "CommonTableExpr")?.ctequery;
    return !inner || !modifying.some((kind) => kind in inner);
  });
}
