import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { LintOptions } from "../../src/engine/lint.js";
import { defineRule, type RuleContext } from "../../src/engine/rule.js";
import { loadParser } from "../../src/parser/pg.js";

beforeAll(() => loadParser());

const noFiles: FileAccess = { exists: () => false, read: () => undefined };
const SQL = "CREATE TABLE t (id int);\nDO $$ BEGIN DROP TABLE a; END $$;\nDROP TABLE b;\nSELECT 1;";

describe("the engine's dispatch", () => {
  it("hands each statement only to the handlers of its kind, in run order, DO-block statements only to rules that ask for them", () => {
    const seen: string[] = [];
    const drops = (id: string, checksDoBlocks: boolean) =>
      defineRule({
        meta: { id, severity: "careful", description: "Sees DROPs.", category: "design", checksDoBlocks },
        visit: {
          DropStmt(statement) {
            seen.push(`${id}:${statement.text}`);
          },
        },
      });
    lintSource(SQL, "m/001.sql", { rules: [drops("top", false), drops("all", true)], settings: DEFAULT_SETTINGS }, noFiles);
    expect(seen).toEqual(["all:DROP TABLE a", "top:DROP TABLE b", "all:DROP TABLE b"]);
  });

  it("makes each rule's context once per run: the same object for every file linted with the same options", () => {
    const contexts = new Set<RuleContext>();
    const files: string[] = [];
    const rule = defineRule({
      meta: { id: "remembers", severity: "careful", description: "Keeps its contexts.", category: "design" },
      visit: {
        SelectStmt(_statement, context) {
          contexts.add(context);
          files.push(context.filePath);
        },
      },
    });
    const options: LintOptions = { rules: [rule], settings: DEFAULT_SETTINGS };
    lintSource("SELECT 1;", "m/001.sql", options, noFiles);
    lintSource("SELECT 2;", "m/002.sql", options, noFiles);
    expect(contexts.size).toBe(1);
    expect(files).toEqual(["m/001.sql", "m/002.sql"]);
  });
});
