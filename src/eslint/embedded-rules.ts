/**
 * The JavaScript/TypeScript side of migsafe's ESLint rules: SQL embedded in a migration
 * (`queryRunner.query("…")`, `pgm.sql(…)`, `` sql`…` ``, …) and schema-builder calls
 * (`knex.schema.dropTable(…)`, `pgm.dropColumns(…)`, …).
 *
 * Naming scheme: one name per rule. `migsafe/drop-table` is the same rule object for `.sql`
 * files (language `migsafe/sql`) and for JS/TS files (ESLint's language `js/js`, whatever the
 * parser): its `meta.languages` lists both, and its `create()` branches on the file's
 * SourceCode. For a JS/TS file, the engine runs once per file (`lintEmbeddedSource`, cached
 * per SourceCode, every migsafe rule on) and each ESLint rule reports the findings of its id.
 *
 * - Positions: findings' ranges are indices into the file's text (the text ESLint lints, BOM
 *   removed); they are reported through `sourceCode.getLocFromIndex`, i.e. in ESLint's own
 *   line/column terms (0-based columns in `report`, 1-based in ESLint's output).
 * - Fixes: none (a fix edits SQL text, not the string literal holding it).
 * - Inline ignores: `// eslint-disable…` JS comments are ESLint's; SQL comments inside the
 *   embedded SQL (`-- migsafe-ignore …`, `-- eslint-disable…`) are applied by the engine, as
 *   the CLI does, since ESLint never sees them.
 * - Settings, shared by all rules of a file: `settings: { migsafe: { pgVersion,
 *   assumeInTransaction, requireIgnoreReason, targets } }` (`targets`: extra call sites; see
 *   `SqlTarget` — strings, RegExps or `{ callee, kind, bindings }`). Bad ones are one message at
 *   the file's start (settings.ts, file-problem.ts).
 * - A fatal problem in the embedded SQL (a syntax error) is not reported by these rules: ESLint
 *   has no rule-less message for a rule to give. The CLI reports it.
 */
import { settingsOptions } from "../config/settings.js";
import { lintEmbeddedSource, type EmbeddedResult } from "../embedded/lint-embedded.js";
import { DEFAULT_TARGETS } from "../embedded/extract.js";
import type { Rule } from "../engine/rule.js";
import { eslintMessage } from "./messages.js";
import { FileProblem, findingsFor, guardedLint } from "./file-problem.js";
import { sharedSettings } from "./settings.js";

/** ESLint's id of its JavaScript language, which every JS/TS parser (espree, @typescript-eslint/parser) runs under. */
export const JS_LANGUAGE = "js/js";

interface Position {
  line: number;
  column: number;
}

/** What the rules use of a JS file's RuleContext (ESLint 9 and 10). */
export interface EmbeddedRuleContext {
  sourceCode: { text: string; getLocFromIndex(index: number): Position };
  filename: string;
  physicalFilename?: string;
  settings?: Record<string, unknown>;
  report(descriptor: { loc: { start: Position; end: Position }; message: string }): void;
}

const results = new WeakMap<object, EmbeddedResult | FileProblem>();

/** The engine's findings for a JS/TS file, computed once for all of its ESLint rules; or why its settings cannot be used. */
function fileResult(context: EmbeddedRuleContext, rules: readonly Rule[]): EmbeddedResult | FileProblem {
  const { sourceCode } = context;
  let result = results.get(sourceCode);
  if (result) return result;
  result = guardedLint(() => {
    const shared = sharedSettings(context.settings);
    return shared.ok
      ? lintEmbeddedSource(
          sourceCode.text,
          context.filename,
          // ESLint does not see the comments inside SQL strings: the engine applies them all.
          { rules, directives: "all", ...settingsOptions(shared.settings) },
          shared.targets ? { targets: [...DEFAULT_TARGETS, ...shared.targets] } : {},
        )
      : new FileProblem(shared.message);
  });
  results.set(sourceCode, result);
  return result;
}

/** The visitor of rule `id` for a JS/TS file: reports the findings of that id once the file is parsed. */
export function embeddedVisitor(context: EmbeddedRuleContext, id: string, rules: readonly Rule[], ruleIds: ReadonlySet<string>): Record<string, () => void> {
  return {
    Program() {
      const { sourceCode } = context;
      const result = fileResult(context, rules);
      if (result instanceof FileProblem) return result.reportOnce(context);
      for (const finding of findingsFor(result, id, ruleIds)) {
        context.report({
          loc: { start: sourceCode.getLocFromIndex(finding.range.start), end: sourceCode.getLocFromIndex(finding.range.end) },
          message: eslintMessage(finding),
        });
      }
    },
  };
}
