import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../rules/index.js";
import { plainText, ruleDocsPage, splitPage, whyItIsRisky } from "../src/rule-docs.js";

describe("rule docs pages, as the formatters read them", () => {
  it("splits a page at its ## headings", () => {
    const page = splitPage("# x\n\nintro\n\n## What it does\n\nReports it.\n\n## Why it is risky\n\n- **Lock:** `SHARE`.\n- Two\n  lines.\n");
    expect([...page.sections]).toEqual([
      ["What it does", "Reports it."],
      ["Why it is risky", "- **Lock:** `SHARE`.\n- Two\n  lines."],
    ]);
  });

  it("reduces Markdown to text: no emphasis, code marks or link targets, one line per bullet or paragraph", () => {
    expect(plainText("- **Lock:** `ACCESS EXCLUSIVE` on\n  the [table](x.md).\n- Two.\n\nA paragraph\nin two lines.")).toBe(
      "- Lock: ACCESS EXCLUSIVE on the table.\n- Two.\nA paragraph in two lines.",
    );
  });

  it("finds every rule's page and its why, and nothing for an id that is no page", () => {
    for (const rule of allRules) {
      const why = whyItIsRisky(rule.meta.id);
      expect(why, rule.meta.id).toBeTruthy();
      expect(why).not.toMatch(/\*\*|`/);
      expect(ruleDocsPage(rule.meta.id)!.markdown).toBe(fs.readFileSync(path.join(import.meta.dirname, "../docs/rules", `${rule.meta.id}.md`), "utf8"));
    }
    expect(ruleDocsPage("no-such-rule")).toBeUndefined();
    expect(ruleDocsPage("../package")).toBeUndefined();
  });
});
