/**
 * Which runs are recorded for replay (src/project/run-record.ts): a `--cache` lint whose report went to stdout and
 * whose every input could be recorded. Not: --fix and --fix-dry-run (they write, or show fixes, which never come
 * from a cache), --stdin, --staged and --changed-since (their input comes from elsewhere than files: standard
 * input, git), --output-file (a write), --debug (timings and counts), the other commands, an internal error.
 */
import { allRules } from "../../rules/index.js";
import type { RecordedInputs } from "../files/fs-recorder.js";
import { writeRunRecord, type RunIdentity, type RunOutput } from "../project/run-record.js";
import { parseCliArgs } from "./args.js";

/** Why a run with this command line and output is not replayed, or undefined when it may be. */
export function notReplayable(argv: readonly string[], output: RunOutput): string | undefined {
  if (argv[0] === "verify") return "verify";
  const parsed = parseCliArgs(argv, allRules.map((rule) => rule.meta.id));
  if (!parsed.ok) return "bad arguments";
  const o = parsed.options;
  if (!o.cache) return "no --cache";
  if (o.fix || o.fixDryRun || o.stdin || o.staged || o.changedSince !== undefined || o.outputFile !== undefined || o.debug) return "an option that is not replayed";
  if (o.help || o.version || o.listRules || o.printConfig !== undefined || o.explain !== undefined || o.initHook !== undefined) return "not a lint";
  if (![0, 1, 2].includes(output.exitCode) || /^migsafe: internal error/m.test(output.stderr)) return "an internal error";
  return undefined;
}

/** Writes the run's record when it may be replayed; returns why not (for tests), or undefined. */
export function recordRun(identity: RunIdentity, inputs: RecordedInputs, output: RunOutput): string | undefined {
  return notReplayable(identity.argv, output) ?? writeRunRecord(identity, inputs, output);
}
