import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { allRules } from "../rules/index.js";
import { renderRuleTable } from "../src/engine/rule-table.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REQUIRED_SECTIONS = ["## What it does", "## Why it is risky", "## Example", "## Use instead"];

describe("rules, docs and README agree", () => {
  it("registers every file of rules/ exactly once, under its file name", () => {
    const files = fs
      .readdirSync(path.join(root, "rules"))
      .filter((file) => file.endsWith(".ts") && file !== "index.ts")
      .map((file) => file.replace(/\.ts$/, ""))
      .sort();
    expect(allRules.map((rule) => rule.meta.id).sort()).toEqual(files);
  });

  it.each(allRules.map((rule) => [rule.meta.id, rule] as const))("%s has a kebab-case id, metadata and a test file", (id, rule) => {
    expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(["dangerous", "careful"]).toContain(rule.meta.severity);
    expect(rule.meta.description).toMatch(/\.$/);
    expect(fs.existsSync(path.join(root, "test/rules", `${id}.test.ts`))).toBe(true);
  });

  it.each(allRules.map((rule) => [rule.meta.id, rule] as const))("docs/rules/%s.md has the title, severity and every section", (id, rule) => {
    const page = path.join(root, "docs/rules", `${id}.md`);
    expect(fs.existsSync(page), `missing ${page}`).toBe(true);
    const text = fs.readFileSync(page, "utf8");
    expect(text.split("\n")[0]).toBe(`# ${id}`);
    const preset = rule.meta.recommended === false ? "strict" : "recommended";
    expect(text).toContain(`**Severity:** ${rule.meta.severity} · **Category:** ${rule.meta.category} · **Preset:** ${preset} · **PostgreSQL:** ${rule.meta.pgVersionNote ?? "all versions"}\n`);
    for (const section of REQUIRED_SECTIONS) expect(text, `${id}: ${section}`).toContain(`\n${section}\n`);
    expect(text).toMatch(/```sql\n/);
  });

  it.each(allRules.map((rule) => [rule.meta.id] as const))("docs/rules/%s.md says when the rule stays silent, right after what it does", (id) => {
    const text = fs.readFileSync(path.join(root, "docs/rules", `${id}.md`), "utf8");
    const headings = text.split("\n").filter((line) => line.startsWith("## "));
    expect(headings.indexOf("## When it stays silent"), `${id}: no "## When it stays silent" section`).toBe(headings.indexOf("## What it does") + 1);
    const section = text.slice(text.indexOf("## When it stays silent\n")).split(/\n## /)[0]!;
    expect(section.replace("## When it stays silent", "").trim().length, `${id}: empty "When it stays silent" section`).toBeGreaterThan(40);
  });

  it("has no docs page without a rule", () => {
    const ids = new Set(allRules.map((rule) => rule.meta.id));
    const pages = fs.readdirSync(path.join(root, "docs/rules")).map((file) => file.replace(/\.md$/, ""));
    expect(pages.filter((page) => !ids.has(page))).toEqual([]);
  });

  it("shows the generated rule table in the README (run `npm run docs:rules` after changing a rule's metadata)", () => {
    expect(fs.readFileSync(path.join(root, "README.md"), "utf8")).toContain(renderRuleTable(allRules));
  });
});
