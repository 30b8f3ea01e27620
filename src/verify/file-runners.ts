/**
 * Lint's runner of each file verify reads (src/runners: which runner runs it, how, whether it is a migration at all),
 * detected once per run through one file access, so that the folder listings and marker files are read once: the
 * selection, the order, the runner's own tables, the parse and the rollback and rerun checks all ask it.
 */
import { createRunDiskAccess, runnerAndPartner, type FileAccess } from "../engine/lint-source.js";
import type { LintOptions } from "../engine/lint.js";
import type { FileRunner } from "../runners/file-runner.js";

export class FileRunners {
  /** The run's file access: what runner detection and the runners' migration sequences read, and the folders' replays each lint reads. */
  readonly files: FileAccess = createRunDiskAccess();
  readonly #known = new Map<string, FileRunner | undefined>();

  constructor(private readonly lintOptions: (filePath: string) => LintOptions) {}

  /** The file's runner; undefined when the file cannot be read. */
  of(filePath: string): FileRunner | undefined {
    if (!this.#known.has(filePath)) {
      const text = this.files.read(filePath);
      this.#known.set(filePath, text === undefined ? undefined : runnerAndPartner(filePath, text, this.lintOptions(filePath), this.files).runner);
    }
    return this.#known.get(filePath);
  }
}
