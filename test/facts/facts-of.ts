import { MigrationFacts, type RollbackInput } from "../../src/facts/index.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { assumedRunner, NO_RUNNER, type FileRunner } from "../../src/runners/file-runner.js";
import type { ParsedFile, Statement } from "../../src/parser/types.js";

export interface Facts {
  parsed: ParsedFile;
  facts: MigrationFacts;
  /** The top-level statement whose text starts with `start`. */
  at(start: string): Statement;
  /** Every statement, DO-block statements included, in run order. */
  all: readonly Statement[];
}

/** The facts of `sql`; `runner` (or `assumeInTransaction`) says how the runner runs the file. */
export function factsOf(sql: string, settings: Partial<{ pgVersion: number; assumeInTransaction: boolean; runner: FileRunner }> = {}, rollback?: Partial<RollbackInput>): Facts {
  const parsed = parseFile(sql);
  const input: RollbackInput = { role: "forward", partnerPath: undefined, block: undefined, downSectionStart: undefined, ...rollback };
  const runner = settings.runner ?? (settings.assumeInTransaction ? assumedRunner(true) : NO_RUNNER);
  const facts = new MigrationFacts(parsed, { pgVersion: settings.pgVersion ?? 14 }, input, runner);
  const at = (start: string) => {
    const found = facts.order.statements.find((statement) => statement.text.startsWith(start));
    if (!found) throw new Error(`no statement starts with ${start}`);
    return found;
  };
  return { parsed, facts, at, all: facts.order.statements };
}
