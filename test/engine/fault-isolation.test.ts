import { beforeAll, describe, expect, it, vi } from "vitest";
import dropTable from "../../rules/drop-table.js";
import forbiddenInTransaction from "../../rules/forbidden-in-transaction.js";
import { defineRule, INTERNAL_ERROR, type Rule } from "../../src/engine/rule.js";
import { loadParser } from "../../src/parser/pg.js";
import { lintSql } from "../helpers.js";
import type * as RefusedModule from "../../src/facts/refused-in-transaction.js";

// A bug in a fact for one statement: the transactions fact's table of refused statements throws for VACUUM.
vi.mock("../../src/facts/refused-in-transaction.js", async (importOriginal) => {
  const original = await importOriginal<typeof RefusedModule>();
  return {
    ...original,
    refusedInTransaction: (...args: Parameters<typeof original.refusedInTransaction>) => {
      if (args[0].kind === "VacuumStmt") throw new Error("fact exploded");
      return original.refusedInTransaction(...args);
    },
  };
});

beforeAll(() => loadParser());

const SQL = ["BEGIN;", "SELECT 1;", "VACUUM legacy;", "CREATE INDEX CONCURRENTLY users_email ON users (email);", "DROP TABLE legacy;", "COMMIT;"].join("\n");

const brokenOnSelect: Rule = defineRule({
  meta: { id: "broken", severity: "careful", description: "Throws on SELECT.", category: "design" },
  visit: {
    SelectStmt() {
      throw new Error("rule exploded");
    },
    DropStmt(statement, context) {
      context.report({ message: "still visited after throwing on an earlier statement", help: "" });
    },
  },
});

const brokenFile: Rule = defineRule({
  meta: { id: "broken-file", severity: "careful", description: "Throws once per file.", category: "design" },
  checkFile() {
    throw new TypeError("file check exploded");
  },
});

function summary(rules: readonly Rule[]) {
  return lintSql(SQL, { rules }).findings.map((finding) => [finding.ruleId, finding.loc.start.line, finding.severity, finding.origin ?? "", finding.message]);
}

describe("a bug in a rule or a fact", () => {
  it("becomes one internal-error finding at the statement, naming the rule; every other finding is still reported", () => {
    expect(summary([brokenOnSelect, dropTable])).toEqual([
      [INTERNAL_ERROR, 2, "dangerous", "broken", "Internal error in rule broken at this statement: rule exploded. This is a bug in migsafe: please report it."],
      ["broken", 5, "careful", "", "still visited after throwing on an earlier statement"],
      ["drop-table", 5, "dangerous", "", expect.stringContaining("DROP TABLE legacy deletes the table")],
    ]);
  });

  it("in a rule's file check, becomes an internal-error finding at the start of the file", () => {
    const findings = lintSql(SQL, { rules: [brokenFile, dropTable] }).findings;
    expect(findings.map((finding) => [finding.ruleId, finding.loc.start.line, finding.loc.start.column, finding.origin])).toEqual([
      [INTERNAL_ERROR, 1, 1, "broken-file"],
      ["drop-table", 5, 1, undefined],
    ]);
    expect(findings[0]!.message).toBe("Internal error in rule broken-file at this statement: file check exploded. This is a bug in migsafe: please report it.");
    expect(findings[0]!.stack).toMatch(/^TypeError: file check exploded\n\s+at /);
  });

  it("in a fact for one statement, becomes one internal-error finding there, naming the fact and the rule that asked; the fact still answers for the other statements", () => {
    expect(summary([forbiddenInTransaction, dropTable])).toEqual([
      [
        INTERNAL_ERROR,
        3,
        "dangerous",
        "forbidden-in-transaction",
        "Internal error in the transactions facts (asked by rule forbidden-in-transaction) at this statement: fact exploded. This is a bug in migsafe: please report it.",
      ],
      ["forbidden-in-transaction", 4, "dangerous", "", "CREATE INDEX CONCURRENTLY users_email ON users fails inside a transaction block"],
      ["drop-table", 5, "dangerous", "", expect.stringContaining("DROP TABLE legacy deletes the table")],
    ]);
  });

  it("is not hidden by an inline ignore", () => {
    const findings = lintSql(`-- migsafe-ignore-file broken, internal-error: reviewed\n${SQL}`, { rules: [brokenOnSelect] }).findings;
    expect(findings.map((finding) => finding.ruleId)).toEqual([INTERNAL_ERROR]);
  });
});
