/**
 * ESLint rules that adapt migsafe's rules: the engine runs once per file (every rule on,
 * `eslint-disable…` left to ESLint, `-- migsafe-ignore` applied), and each ESLint rule
 * reports the findings of its own id.
 *
 * One rule object per migsafe rule serves two languages: `migsafe/sql` (`.sql` files) and
 * ESLint's `js/js` (JS/TS migrations, SQL embedded in them: see embedded-rules.ts).
 */
import type { RuleContext, RuleDefinition, RuleVisitor } from "@eslint/core";
import { settingsOptions, type MigrationSettings } from "../config/settings.js";
import { diskAccess, lintSource, type FileAccess } from "../engine/lint-source.js";
import type { FileResult } from "../engine/lint.js";
import { docsUrl, type Rule } from "../engine/rule.js";
import { parseFile } from "../parser/parse-file.js";
import { SourceText } from "../source/source-text.js";
import { embeddedVisitor, JS_LANGUAGE, type EmbeddedRuleContext } from "./embedded-rules.js";
import { eslintMessage } from "./messages.js";
import { FileProblem, findingsFor, guardedLint } from "./file-problem.js";
import { sqlSettings } from "./settings.js";
import type { SqlSourceCode } from "./source-code.js";

const results = new WeakMap<SqlSourceCode, FileResult | FileProblem>();

/** The engine's findings for a file, computed once for all of its ESLint rules; or why the file cannot be linted. */
function fileResult(context: SqlRuleContext, rules: readonly Rule[]): FileResult | FileProblem {
  const { sourceCode } = context;
  let result = results.get(sourceCode);
  if (result) return result;
  result = guardedLint(() => {
    const settings = sqlSettings(sourceCode.languageOptions, context.settings);
    return settings.ok ? lintSql(sourceCode, context.physicalFilename ?? context.filename, rules, settings.settings) : new FileProblem(settings.message);
  });
  results.set(sourceCode, result);
  return result;
}

function lintSql(sourceCode: SqlSourceCode, filePath: string, rules: readonly Rule[], settings: MigrationSettings): FileResult {
  const { parsed } = sourceCode;
  const files: FileAccess = {
    ...diskAccess,
    // The file itself is already parsed; a rollback partner is parsed from the disk.
    parse: (partnerPath, text, options) => (partnerPath === filePath && text === parsed.source.text ? parsed : parseFile(new SourceText(text), options)),
  };
  return lintSource(parsed.source.text, filePath, { rules, directives: "migsafe-only", ...settingsOptions(settings) }, files);
}

export { eslintMessage };

type SqlRuleContext = RuleContext<{ LangOptions: Record<string, unknown>; Code: SqlSourceCode; RuleOptions: []; Node: unknown; MessageIds: string }>;

export type SqlRuleDefinition = RuleDefinition<{
  LangOptions: Record<string, unknown>;
  Code: SqlSourceCode;
  RuleOptions: [];
  Visitor: RuleVisitor;
  Node: unknown;
  MessageIds: string;
  ExtRuleDocs: Record<string, unknown>;
}>;

/** The languages each rule runs on (`meta.languages`, checked since ESLint 10.2). */
export const RULE_LANGUAGES = ["migsafe/sql", JS_LANGUAGE] as const;

function isSqlSourceCode(sourceCode: unknown): sourceCode is SqlSourceCode {
  return (sourceCode as { ast?: { type?: unknown } } | undefined)?.ast?.type === "SqlMigration";
}

/** One ESLint rule per migsafe rule; `rules` is the set the engine runs (all of migsafe's). */
export function toEslintRule(rule: Rule, rules: readonly Rule[]): SqlRuleDefinition {
  const { id } = rule.meta;
  const ruleIds = new Set(rules.map((each) => each.meta.id));
  return {
    meta: {
      type: "problem",
      docs: { description: rule.meta.description, url: docsUrl(id), recommended: rule.meta.recommended !== false },
      ...(rule.meta.fixable ? { fixable: "code" as const } : {}),
      schema: [],
      languages: [...RULE_LANGUAGES],
    },
    create(context: SqlRuleContext) {
      // A JS/TS file (any parser): the SQL embedded in it.
      if (!isSqlSourceCode(context.sourceCode)) return embeddedVisitor(context as unknown as EmbeddedRuleContext, id, rules, ruleIds);
      return {
        SqlMigration() {
          const result = fileResult(context, rules);
          if (result instanceof FileProblem) return result.reportOnce(context);
          for (const finding of findingsFor(result, id, ruleIds)) {
            const fix = finding.fix;
            context.report({
              loc: finding.loc,
              message: eslintMessage(finding),
              ...(fix ? { fix: (fixer) => fixer.replaceTextRange([fix.range.start, fix.range.end], fix.text) } : {}),
            });
          }
        },
      };
    },
  } as SqlRuleDefinition;
}
