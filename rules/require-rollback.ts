import path from "node:path";
import type { Statement } from "../src/parser/types.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { changesSomething, type RollbackBlock } from "../src/facts/rollback-block.js";
import { clip } from "../src/engine/wording-transactions.js";

export default defineRule({
  meta: {
    id: "require-rollback",
    severity: "careful",
    description: "A forward migration has no rollback: no rollback file beside it, no rollback block in a comment, no down section.",
    category: "reliability",
  },
  checkFile(context) {
    const { rollback, fileRunner } = context.facts.sections;
    if (rollback.role === "rollback") return;
    // Forward-only runners (Prisma Migrate, Flyway, Drizzle) have no rollback to write; nor has a Sqitch verify script.
    if (fileRunner.rollback === "none") return;

    const block = rollback.block;
    if (block && reportUnparsedBlock(block, context)) return;
    if (rollback.partnerPath !== undefined) return;
    if (block && isRollback(block)) return;

    const forward = context.parsed.statements.filter((statement) => !inDownSection(statement, rollback.downSectionStart));
    const first = context.parsed.statements[0];
    if (!first || !forward.some((statement) => changesSomething(statement))) return;
    // No migration of the folder up to this one has a rollback: the project goes forward only (--print-config, --debug say why).
    const forwardOnly = () => rollback.forwardOnly?.() !== undefined;

    if (rollback.downSectionStart !== undefined) {
      const down = context.parsed.statements.filter((statement) => inDownSection(statement, rollback.downSectionStart));
      if (down.some((statement) => changesSomething(statement)) || forwardOnly()) return;
      context.report({
        range: first.range,
        message: "The migration's down section is empty: rolling back runs nothing",
        help: "Write the statements that undo the up section below the down marker, in reverse order, or say in a comment why it cannot be undone",
        explanation:
          "The migration's down section is empty: rolling back runs nothing and leaves every change of the up section in place. " +
          "Undo the up section in reverse order: a DROP for each CREATE, a DROP COLUMN for each ADD COLUMN.",
      });
      return;
    }

    if (forwardOnly()) return;
    const emptyBlock = block !== undefined;
    const name = path.basename(context.filePath);
    const sibling = /(^|[._-])up\.sql$/i.test(name) ? name.replace(/up\.sql$/i, "down.sql") : name.replace(/(\.sql)?$/i, "_rollback.sql");
    context.report({
      range: first.range,
      message: emptyBlock
        ? "The migration's rollback block contains no statement: nothing to run on undo"
        : messageLine(
            `${name} has no rollback: no ${sibling}, rollback comment or down section`,
            `${name} has no rollback: no rollback file, rollback comment or down section`,
            "This migration has no rollback: no rollback file, rollback comment or down section",
          ),
      help: helpLine(
        `Write the undo SQL, in reverse order, in ${sibling} beside it or in a -- Rollback: /* … */ comment block`,
        "Write the undo SQL, in reverse order, in a rollback file beside it or in a -- Rollback: /* … */ comment block",
      ),
      explanation:
        (emptyBlock
          ? "The migration's rollback block contains no statement: there is nothing to run if this deploy must be undone. "
          : `${name} has no rollback: no ${sibling} beside it, no rollback block in a comment, and no down section. ` +
            "If this deploy must be undone, the undo SQL gets written by hand, under pressure, against production. ") +
        `Write the statements that undo this migration, in reverse order, in ${sibling} beside it, or in a comment block in the file: ` +
        "-- Rollback: /* BEGIN; ALTER TABLE users DROP COLUMN premium_tier; COMMIT; */ — " +
        "and run it once against a copy of the database after the forward migration.",
    });
  },
});

function inDownSection(statement: Statement, downSectionStart: number | undefined): boolean {
  return downSectionStart !== undefined && statement.range.start > downSectionStart;
}

/** Reports each parse error of a rollback block written in SQL; true when it has one. */
function reportUnparsedBlock(block: RollbackBlock, context: RuleContext): boolean {
  if (block.kind !== "sql" || block.parsed.errors.length === 0) return false;
  for (const error of block.parsed.errors) {
    context.report({
      range: error.range,
      message: messageLine(`The rollback block does not parse: ${error.message}`, `The rollback block does not parse: ${clip(error.message, 60)}`),
      help: helpLine(
        `${error.hint ? `${error.hint} ` : ""}Fix the SQL in the rollback comment, and run it against a copy of the database`,
        "Fix the SQL in the rollback comment, and run it against a copy of the database",
      ),
      explanation:
        `The rollback block does not parse: ${error.message}. Whoever runs it during an incident gets this error instead of a rollback. ` +
        `${error.hint ? `${error.hint} ` : ""}Fix the SQL in the rollback comment and check it by running it against a copy of the database after the forward migration.`,
    });
  }
  return true;
}

/** A rollback block is a rollback when it is a plan in words (`-- Rollback: restore from backup`), or SQL that undoes something. */
function isRollback(block: RollbackBlock): boolean {
  return block.kind === "plan" || block.parsed.statements.some((statement) => changesSomething(statement));
}
