import type { FileResult } from "../engine/lint.js";
import type { Rule, RuleCategory } from "../engine/rule.js";

/** A pre-deploy task and the findings that call for it. */
export interface ChecklistTask {
  /** What to do before deploying, as an instruction without a final period (a report may append what calls for it). */
  task: string;
  /** Findings of rules in these categories call for it… */
  categories?: readonly RuleCategory[];
  /** …and findings of these rules, whatever their category. */
  ruleIds?: readonly string[];
}

/**
 * The production-deploy checklist, in the order the work is done. A task
 * appears in a report when at least one finding matches it.
 */
export const FINDING_TASKS: readonly ChecklistTask[] = [
  {
    task: "Write the rollback, and run it once on a copy of the database after the forward migration",
    ruleIds: ["require-rollback", "verify-rollback"],
  },
  {
    task: "Back up the affected tables before deploying, and verify that the backup restores",
    categories: ["data-loss"],
  },
  {
    task: "Expand, then contract: deploy application code that no longer uses the old names or columns first, and change the schema in a later deploy",
    categories: ["compatibility"],
    ruleIds: ["drop-table", "drop-column", "drop-schema"],
  },
  {
    task: "Backfill in batches, each in its own transaction, before adding the constraint",
    ruleIds: ["not-null-without-backfill", "schema-change-with-backfill"],
  },
  {
    task: "Expect a table rewrite: check the table's size, and that the disk has room for a full copy of it and its indexes",
    categories: ["rewrite"],
  },
  {
    task: "Schedule a low-traffic window, and make sure lock_timeout is set, so a blocked lock fails fast instead of queueing every query behind it",
    categories: ["locking", "rewrite"],
  },
];

/** When a file could not be read or parsed: migsafe checked none (or only part) of it. */
export const FATAL_ERROR_TASK = "Fix the files migsafe could not read or parse: it could not check them";

/** What every deploy needs, risky statements or not. */
export const GENERAL_TASKS: readonly string[] = [
  "Run the migrations on a staging copy of production data, and time them",
  "Have the rollback ready, and know who runs it if the deploy goes wrong",
];

/** Where a task comes from: a rule (null for a fatal error) in a file. */
export interface TaskCause {
  ruleId: string | null;
  filePath: string;
}

export interface ChecklistItem {
  task: string;
  /** The rules and files that call for the task, in report order, without repeats; empty for the general tasks. */
  causes: TaskCause[];
}

/** The checklist for a run: the tasks its findings and fatal errors call for, then the general ones. */
export function checklistFor(results: readonly FileResult[], rules: readonly Rule[]): ChecklistItem[] {
  const categoryOf = new Map(rules.map((rule) => [rule.meta.id, rule.meta.category]));
  const items: ChecklistItem[] = [];

  const fatalCauses = results.filter((result) => result.errors.length > 0).map((result) => ({ ruleId: null, filePath: result.filePath }));
  if (fatalCauses.length > 0) items.push({ task: FATAL_ERROR_TASK, causes: fatalCauses });

  for (const entry of FINDING_TASKS) {
    const causes: TaskCause[] = [];
    for (const result of results) {
      // A cause repeats only within its own file: remembering that file's rules keeps this linear in the findings.
      const rulesOfFile = new Set<string>();
      for (const finding of result.findings) {
        const category = categoryOf.get(finding.ruleId);
        const matches = entry.ruleIds?.includes(finding.ruleId) || (category !== undefined && entry.categories?.includes(category));
        if (!matches || rulesOfFile.has(finding.ruleId)) continue;
        rulesOfFile.add(finding.ruleId);
        causes.push({ ruleId: finding.ruleId, filePath: result.filePath });
      }
    }
    if (causes.length > 0) items.push({ task: entry.task, causes });
  }

  return [...items, ...GENERAL_TASKS.map((task) => ({ task, causes: [] }))];
}
