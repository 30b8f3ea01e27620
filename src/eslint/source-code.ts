import type { DirectiveType, FileProblem, RulesConfig, SourceLocation } from "@eslint/core";
import { ConfigCommentParser, Directive, TextSourceCodeBase, VisitNodeStep } from "@eslint/plugin-kit";
import type { ParsedFile } from "../parser/types.js";
import type { SqlComment, SqlLanguageOptions, SqlMigration, SqlNode } from "./types.js";

const commentParser = new ConfigCommentParser();
const INLINE_CONFIG = /^\s*(?:eslint(?:-enable|-disable(?:(?:-next)?-line)?)?)(?:\s|$)/u;

/** Line breaks as migsafe counts them (and as its findings' positions do): \r\n, \n and a lone \r. */
const LINE_ENDING = /\r\n|[\r\n]/u;

/** ESLint's view of one migration file. The parsed file is kept for migsafe's engine. */
export class SqlSourceCode extends TextSourceCodeBase<{
  LangOptions: SqlLanguageOptions;
  RootNode: SqlMigration;
  SyntaxElementWithLoc: SqlNode | SqlComment;
  ConfigNode: SqlComment;
}> {
  readonly parsed: ParsedFile;
  readonly languageOptions: SqlLanguageOptions;
  readonly comments: SqlComment[];
  readonly #parents = new WeakMap<SqlNode, SqlNode>();
  #steps: VisitNodeStep[] | undefined;
  #inlineConfigNodes: SqlComment[] | undefined;

  constructor({ text, ast, parsed, languageOptions }: { text: string; ast: SqlMigration; parsed: ParsedFile; languageOptions: SqlLanguageOptions }) {
    super({ text, ast, lineEndingPattern: LINE_ENDING });
    this.parsed = parsed;
    this.languageOptions = languageOptions;
    this.comments = ast.comments;
  }

  override getParent(node: SqlNode | SqlComment): SqlNode | undefined {
    if (node.type === "LineComment" || node.type === "BlockComment") return undefined;
    if (!this.#steps) this.traverse();
    return this.#parents.get(node as SqlNode);
  }

  /** The comments that are ESLint directives: `eslint-disable…`, `eslint-enable`, `eslint rule: …`. */
  getInlineConfigNodes(): SqlComment[] {
    this.#inlineConfigNodes ??= this.comments.filter((comment) => INLINE_CONFIG.test(directiveText(comment)));
    return this.#inlineConfigNodes;
  }

  getDisableDirectives(): { problems: FileProblem[]; directives: Directive[] } {
    const problems: FileProblem[] = [];
    const directives: Directive[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(directiveText(comment));
      if (!parsed) continue;
      const { label, value, justification } = parsed;
      if (label === "eslint-disable-line" && comment.loc.start.line !== comment.loc.end.line) {
        problems.push({ ruleId: null, message: `${label} comment should not span multiple lines.`, loc: comment.loc });
        continue;
      }
      if (label === "eslint-disable" || label === "eslint-enable" || label === "eslint-disable-next-line" || label === "eslint-disable-line") {
        const type = label.slice("eslint-".length) as DirectiveType;
        directives.push(new Directive({ type, node: comment, value, justification }));
      }
    }
    return { problems, directives };
  }

  applyInlineConfig(): { problems: FileProblem[]; configs: { config: { rules: RulesConfig }; loc: SourceLocation }[] } {
    const problems: FileProblem[] = [];
    const configs: { config: { rules: RulesConfig }; loc: SourceLocation }[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(directiveText(comment));
      if (parsed?.label !== "eslint") continue;
      const result = commentParser.parseJSONLikeConfig(parsed.value);
      if (result.ok) configs.push({ config: { rules: result.config }, loc: comment.loc });
      else problems.push({ ruleId: null, message: result.error.message, loc: comment.loc });
    }
    return { problems, configs };
  }

  /** Enter and leave each node: the file, then each statement (and the statements a DO block runs). */
  override traverse(): Iterable<VisitNodeStep> {
    if (this.#steps) return this.#steps.values();
    const steps: VisitNodeStep[] = [];
    const visit = (node: SqlNode, parent: SqlNode | undefined) => {
      if (parent) this.#parents.set(node, parent);
      steps.push(new VisitNodeStep({ target: node, phase: 1, args: [node, parent] }));
      for (const child of node.body) visit(child, node);
      steps.push(new VisitNodeStep({ target: node, phase: 2, args: [node, parent] }));
    };
    visit(this.ast, undefined);
    this.#steps = steps;
    return steps.values();
  }
}

/**
 * A comment's text as a directive: editors' "disable rule" quick fixes write `/** eslint-… *\/`
 * in languages they know no comment syntax for, so the JSDoc-style extra `*` is dropped.
 */
function directiveText(comment: { value: string; type?: string }): string {
  return comment.value.startsWith("*") ? comment.value.slice(1) : comment.value;
}
