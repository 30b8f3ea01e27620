import type { Comment, ParsedFile } from "../parser/types.js";
import type { Range } from "../source/source-text.js";
import type { Finding } from "./results.js";

export type DirectiveKind = "ignore" | "ignore-file" | "disable-next-line" | "disable-line" | "disable" | "enable";

/** An inline ignore: `-- migsafe-ignore rule: reason`, or ESLint's `eslint-disable…` naming migsafe rules. */
export interface Directive {
  kind: DirectiveKind;
  comment: Comment;
  /** The rule ids it names; "all" when it names none. */
  rules: string[] | "all";
  reason: string | undefined;
  /** The ranges of the file whose findings it suppresses. */
  covers: Range[];
  /** Rule ids of the findings it suppressed. */
  used: Set<string>;
}

const DIRECTIVE = /^\s*(migsafe-ignore-file|migsafe-ignore|eslint-disable-next-line|eslint-disable-line|eslint-disable|eslint-enable)(?=\s|$)([\s\S]*)$/;
const KINDS: Record<string, DirectiveKind> = {
  "migsafe-ignore-file": "ignore-file",
  "migsafe-ignore": "ignore",
  "eslint-disable-next-line": "disable-next-line",
  "eslint-disable-line": "disable-line",
  "eslint-disable": "disable",
  "eslint-enable": "enable",
};
const ESLINT_PREFIX = "migsafe/";

/**
 * Which inline ignores the engine applies: "all", or "migsafe-only" when ESLint runs the
 * rules and applies its own `eslint-disable…` comments (and reports the unused ones).
 */
export type DirectiveScope = "all" | "migsafe-only";

/** The inline ignores of a file, each with the ranges it covers. */
export function findDirectives(parsed: ParsedFile, scope: DirectiveScope = "all"): Directive[] {
  const directives: Directive[] = [];
  for (const comment of parsed.comments) {
    // `/** eslint-… */` (what editors' quick fixes write for SQL) reads like `/* eslint-… */`.
    const match = DIRECTIVE.exec(comment.kind === "block" && comment.value.startsWith("*") ? comment.value.slice(1) : comment.value);
    if (!match) continue;
    const kind = KINDS[match[1]!]!;
    if (scope === "migsafe-only" && kind !== "ignore" && kind !== "ignore-file") continue;
    const parsedArgs = kind === "ignore" || kind === "ignore-file" ? migsafeArguments(match[2]!) : eslintArguments(match[2]!);
    if (!parsedArgs) continue;
    directives.push({ kind, comment, ...parsedArgs, covers: [], used: new Set() });
  }
  assignCoverage(directives, parsed);
  return directives.filter((directive) => directive.kind !== "enable");
}

/** ` rule-a, rule-b: reason` */
function migsafeArguments(text: string): Pick<Directive, "rules" | "reason"> {
  const colon = text.indexOf(":");
  const names = (colon < 0 ? text : text.slice(0, colon)).split(/[\s,]+/).filter(Boolean);
  const reason = colon < 0 ? undefined : text.slice(colon + 1).trim() || undefined;
  return { rules: names.length > 0 ? names : "all", reason };
}

/** ` migsafe/rule-a, other/rule -- reason`; undefined when it names only other plugins' rules. */
function eslintArguments(text: string): Pick<Directive, "rules" | "reason"> | undefined {
  const separator = text.search(/\s--\s/);
  const names = (separator < 0 ? text : text.slice(0, separator)).split(/[\s,]+/).filter(Boolean);
  const reason = separator < 0 ? undefined : text.slice(separator).replace(/^\s--\s/, "").trim() || undefined;
  if (names.length === 0) return { rules: "all", reason };
  const ours = names.filter((name) => name.startsWith(ESLINT_PREFIX)).map((name) => name.slice(ESLINT_PREFIX.length));
  return ours.length > 0 ? { rules: ours, reason } : undefined;
}

function assignCoverage(directives: Directive[], parsed: ParsedFile): void {
  const { source, statements } = parsed;
  const lineRange = (line: number): Range => ({ start: source.lineStart(line), end: line < source.lineCount ? source.lineStart(line + 1) : source.text.length });
  const open: Directive[] = [];
  for (const directive of directives) {
    const { range } = directive.comment;
    switch (directive.kind) {
      case "ignore-file":
        directive.covers.push({ start: 0, end: source.text.length });
        break;
      case "ignore": {
        const next = statements.find((statement) => statement.range.start >= range.end);
        if (next) directive.covers.push(next.range);
        break;
      }
      case "disable-next-line":
        directive.covers.push(lineRange(source.position(range.end).line + 1));
        break;
      case "disable-line":
        directive.covers.push(lineRange(source.position(range.start).line));
        break;
      case "disable":
        open.push(directive);
        directive.covers.push({ start: range.end, end: source.text.length });
        break;
      case "enable":
        for (const disable of [...open]) {
          const enables = directive.rules;
          const closes = enables === "all" || disable.rules === "all" || disable.rules.some((rule) => enables.includes(rule));
          if (!closes) continue;
          disable.covers[0]!.end = range.start;
          open.splice(open.indexOf(disable), 1);
        }
        break;
    }
  }
}

/** Drops the findings the directives suppress, and records on each directive what it suppressed. */
export function applyDirectives(findings: Finding[], directives: readonly Directive[]): Finding[] {
  if (directives.length === 0) return findings;
  return findings.filter((finding) => {
    const directive = directives.find(
      (candidate) =>
        (candidate.rules === "all" || candidate.rules.includes(finding.ruleId)) &&
        candidate.covers.some((range) => finding.range.start >= range.start && finding.range.start < Math.max(range.end, range.start + 1)),
    );
    directive?.used.add(finding.ruleId);
    return !directive;
  });
}
