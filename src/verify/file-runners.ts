/**
 * Lint's runner of each file verify reads (src/runners: which runner runs it, how, whether it is a migration at all),
 * detected once per run through one file access, so that the folder listings and marker files are read once: the
 * selection, the order, the runner's own tables, the parse and the rollback and rerun checks all ask it. Also the SQL
 * a TS/JS migration spells out, put together once for the selection and the run.
 */
import { embeddedMigrationSql } from "../embedded/lint-embedded.js";
import { createRunDiskAccess, runnerAndPartner, type FileAccess } from "../engine/lint-source.js";
import type { LintOptions } from "../engine/lint.js";
import type { FileRunner } from "../runners/file-runner.js";

export class FileRunners {
  /** The run's file access: what runner detection and the runners' migration sequences read, and the folders' replays each lint reads. */
  readonly files: FileAccess = createRunDiskAccess();
  readonly #known = new Map<string, FileRunner | undefined>();
  readonly #embedded = new Map<string, { text: string; options: LintOptions; sql: ReturnType<typeof embeddedMigrationSql> }>();

  constructor(private readonly lintOptions: (filePath: string) => LintOptions) {}

  /** The file's runner; undefined when the file cannot be read. */
  of(filePath: string): FileRunner | undefined {
    if (!this.#known.has(filePath)) {
      const text = this.files.read(filePath);
      this.#known.set(filePath, text === undefined ? undefined : runnerAndPartner(filePath, text, this.lintOptions(filePath), this.files).runner);
    }
    return this.#known.get(filePath);
  }

  /** The SQL a TS/JS migration's text spells out (lint-embedded.ts), assembled once per text. */
  embeddedSql(filePath: string, text: string, options: LintOptions): ReturnType<typeof embeddedMigrationSql> {
    const known = this.#embedded.get(filePath);
    if (known?.text === text && known.options === options) return known.sql;
    const sql = embeddedMigrationSql(text, filePath, options);
    this.#embedded.set(filePath, { text, options, sql });
    return sql;
  }
}
