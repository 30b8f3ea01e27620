import { displayName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule } from "../src/engine/rule.js";
import { sentences } from "../src/engine/wording-drops.js";

export default defineRule({
  meta: {
    id: "drop-database",
    severity: "dangerous",
    description: "DROP DATABASE deletes a whole database and everything in it.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  visit: {
    DropdbStmt(statement, context) {
      const database = statement.node.dbname;
      if (database === undefined || context.facts.history.isNewOrUndone(statement, "database", database)) return;
      const name = displayName({ name: database });
      const force = (statement.node.options ?? []).some((option) => nodeAs(option, "DefElem")?.defname === "force");
      context.report({
        message: messageLine(
          force
            ? `DROP DATABASE ${name} WITH (FORCE) deletes it and everything in it, ending every session on it`
            : `DROP DATABASE ${name} deletes the database and everything in it, with no rollback`,
          `DROP DATABASE ${name} deletes the database and everything in it`,
          `DROP DATABASE ${name} deletes the whole database`,
        ),
        help: helpLine(
          `Do not drop databases from a migration: back it up (pg_dump -Fc ${name}), then drop it by hand once nothing uses it`,
          "Do not drop databases from a migration: back it up, then drop it by hand once nothing uses it",
        ),
        explanation: sentences(
          `DROP DATABASE ${name} deletes the database and every schema, table and row in it for good.`,
          "It needs the database to itself rather than a table lock, rewrites nothing (the files are removed) and cannot run inside a transaction block, so it cannot be rolled back.",
          force
            ? "WITH (FORCE) first terminates every connection to it, so running applications lose their sessions and any transaction in flight."
            : "It fails while any session is connected to it, and every application that uses it breaks once it is gone.",
          `Stop new connections first (ALTER DATABASE ${name} ALLOW_CONNECTIONS false) and restore the backup once before dropping it.`,
        ),
      });
    },
  },
});
