import fs from "node:fs";
import path from "node:path";
import { packageRoot } from "./version.js";

/** A rule's docs page (docs/rules/<id>.md), split at its `## ` headings. */
export interface RuleDocsPage {
  /** The whole page as written. */
  markdown: string;
  /** Each section's text by its heading ("What it does", "Why it is risky", …), trimmed. */
  sections: ReadonlyMap<string, string>;
}

const pages = new Map<string, RuleDocsPage | undefined>();

/** The installed docs page of a rule, or undefined when it is not there (a custom rule, a trimmed install). */
export function ruleDocsPage(id: string): RuleDocsPage | undefined {
  if (pages.has(id)) return pages.get(id);
  const root = packageRoot();
  let page: RuleDocsPage | undefined;
  if (root && /^[a-z0-9-]+$/.test(id)) {
    try {
      page = splitPage(fs.readFileSync(path.join(root.dir, "docs", "rules", `${id}.md`), "utf8"));
    } catch {
      page = undefined;
    }
  }
  pages.set(id, page);
  return page;
}

export function splitPage(markdown: string): RuleDocsPage {
  const sections = new Map<string, string>();
  const parts = markdown.replace(/\r\n?/g, "\n").split(/^## +/m);
  for (const part of parts.slice(1)) {
    const newline = part.indexOf("\n");
    const heading = (newline < 0 ? part : part.slice(0, newline)).trim();
    sections.set(heading, newline < 0 ? "" : part.slice(newline + 1).trim());
  }
  return { markdown, sections };
}

/** The "Why it is risky" section as plain text on one line per bullet, without Markdown emphasis or links. */
export function whyItIsRisky(id: string): string | undefined {
  const why = ruleDocsPage(id)?.sections.get("Why it is risky");
  return why === undefined ? undefined : plainText(why);
}

/** Markdown reduced to text: emphasis, code marks and link targets removed, paragraphs joined into lines. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .split(/\n(?=\s*[-*] )|\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, " ").trim())
    .filter((paragraph) => paragraph.length > 0)
    .join("\n");
}
