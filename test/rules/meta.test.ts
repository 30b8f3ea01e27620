import { describe, expect, it } from "vitest";
import type { Rule } from "../../src/engine/rule.js";
import { allRules } from "../../rules/index.js";

/** True when the engine hands the rule statements one by one: only then can it hand it DO-block statements too. */
function visitsStatements(rule: Rule): boolean {
  return Object.keys(rule.visit ?? {}).length > 0;
}

describe("rule meta", () => {
  it("sets checksDoBlocks only on rules with visit handlers, the only ones it changes", () => {
    const misleading = allRules.filter((rule) => rule.meta.checksDoBlocks === true && !visitsStatements(rule)).map((rule) => rule.meta.id);
    expect(misleading).toEqual([]);
  });
});
