import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/cli/render-markdown.js";

const RULES = path.resolve("docs/rules");
const pages = fs.readdirSync(RULES).filter((name) => name.endsWith(".md"));
// eslint-disable-next-line no-control-regex
const strip = (text: string) => text.replace(/\u001b\[\d+m/g, "");

/** The lines of a page's fenced code blocks, as written. */
function codeLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^(\s*)```/.exec(line);
    if (marker) fence = fence === undefined ? marker[1]! : undefined;
    else if (fence !== undefined && line.trim() !== "") lines.push(line.slice(fence.length));
  }
  return lines;
}

describe("explain's Markdown rendering", () => {
  it("has pages to render", () => expect(pages.length).toBeGreaterThan(20));

  it.each(pages)("renders %s without Markdown marks, code lines verbatim, wrapped to the width", (page) => {
    const markdown = fs.readFileSync(path.join(RULES, page), "utf8");
    const base = `https://example.test/docs/rules/${page}`;
    for (const colors of [false, true]) {
      const rendered = renderMarkdown(markdown, { colors, width: 80, baseUrl: base });
      const plain = strip(rendered);
      if (!colors) expect(rendered).toBe(plain);
      else expect(rendered).not.toBe(plain);
      const code = new Set(codeLines(markdown));
      const lines = plain.split("\n");
      for (const line of code) expect(lines).toContain(`    ${line}`);
      const prose = lines.filter((line) => !code.has(line.replace(/^ {4}/, "")) && !code.has(line.trimStart()));
      for (const line of prose) {
        expect(line).not.toMatch(/^#{1,6} /);
        expect(line).not.toContain("**");
        expect(line).not.toMatch(/\]\(/);
        expect(line).not.toMatch(/^\s*- /);
        // A word longer than the width (a URL) has a line to itself.
        if (line.length > 80) expect(line.trim()).not.toContain(" ");
      }
      // Code spans lose their backticks (a span may hold backticks itself: ``sql`…` ``).
      for (const [span] of markdown.replace(/```[\s\S]*?```/g, "").replace(/``.+?``/g, "").matchAll(/(?<!`)`[^`\n]+`(?!`)/g)) expect(plain).not.toContain(span);
      const title = page.replace(/\.md$/, "");
      expect(lines[0]).toBe(title);
      if (!colors) expect(lines[1]).toBe("=".repeat(title.length));
    }
  });

  it("renders headings, bullets, links, emphasis and code blocks", () => {
    const markdown = [
      "# drop-thing",
      "",
      "**Severity:** dangerous · see [truncate](truncate.md) and [the docs](https://www.postgresql.org/docs/).",
      "",
      "## Why it is risky",
      "",
      "- **Data loss:** every row",
      "  is gone; *really* gone.",
      "  - a nested `point`",
      "- second",
      "",
      "```sql",
      "DROP TABLE t;",
      "  -- indented",
      "```",
      "",
      "| statement | lock |",
      "| --- | --- |",
      "| `DROP TABLE` | `ACCESS EXCLUSIVE` |",
    ].join("\n");
    expect(renderMarkdown(markdown, { colors: false, width: 100, baseUrl: "https://example.test/docs/rules/drop-thing.md" })).toBe(
      [
        "drop-thing",
        "==========",
        "",
        "Severity: dangerous · see truncate (https://example.test/docs/rules/truncate.md) and the docs",
        "(https://www.postgresql.org/docs/).",
        "",
        "Why it is risky",
        "---------------",
        "",
        "• Data loss: every row is gone; really gone.",
        "  ◦ a nested point",
        "• second",
        "",
        "    DROP TABLE t;",
        "      -- indented",
        "",
        "• DROP TABLE",
        "    lock: ACCESS EXCLUSIVE",
        "",
      ].join("\n"),
    );
    const colored = renderMarkdown(markdown, { colors: true, width: 100 });
    expect(colored).toContain("\u001b[4m\u001b[1mdrop-thing\u001b[22m\u001b[24m\n\n");
    expect(colored).toContain("\n\u001b[4m\u001b[1mWhy it is risky\u001b[22m\u001b[24m\n\n");
    expect(colored).toContain("\u001b[36mpoint\u001b[39m");
    expect(colored).toContain("    \u001b[2mDROP TABLE t;\u001b[22m\n");
    expect(colored).not.toContain("---");
  });

  it("wraps paragraphs and bullets to the width, with a hanging indent", () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const rendered = renderMarkdown(`${words}\n\n- ${words}\n`, { colors: false, width: 40 });
    const lines = rendered.trimEnd().split("\n");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    const bullet = lines.slice(lines.indexOf("") + 1);
    expect(bullet[0]!.startsWith("• word0 ")).toBe(true);
    for (const line of bullet.slice(1)) expect(line.startsWith("  word")).toBe(true);
    expect(lines.join(" ").replace(/[•]/g, "").split(/\s+/).filter(Boolean).length).toBe(60);
  });

  it("escapes control characters in prose and code", () => {
    expect(renderMarkdown("a \u001b[2J b\n\n```\nx\u0007\n```\n", { colors: false, width: 80 })).toBe("a \\x1b[2J b\n\n    x\\x07\n");
  });
});
