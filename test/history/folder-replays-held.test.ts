import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, settingsOptions } from "../../src/config/settings.js";
import type { KeptReplay, KeptReplays } from "../../src/engine/folder-history.js";
import { createRunDiskAccess, runnerAndPartner } from "../../src/engine/lint-source.js";
import type { LintOptions } from "../../src/engine/lint.js";
import { tempTree } from "../helpers.js";

// A thread holds a few folders' replays at once, not every folder of the run: one let go of and asked again is
// replayed again, or restored from the cache's kept replay, with the same answers.
const options: LintOptions = { rules: [], ...settingsOptions(DEFAULT_SETTINGS) };
const PROJECTS = 7;

let scratch: string | undefined;
afterEach(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** Seven Prisma projects, each a history of two migrations: a table made, then changed; returns each one's second. */
function projects(): string[] {
  const files: Record<string, string> = {};
  for (let k = 0; k < PROJECTS; k++) {
    const migrations = `p${k}/prisma/migrations`;
    files[`${migrations}/migration_lock.toml`] = 'provider = "postgresql"\n';
    files[`${migrations}/20240101000000_init/migration.sql`] = `CREATE TABLE users_${k} (id bigint);\n`;
    files[`${migrations}/20240102000000_email/migration.sql`] = `ALTER TABLE users_${k} ADD COLUMN email text;\n`;
  }
  scratch = tempTree(files, "migsafe-replays-");
  return Array.from({ length: PROJECTS }, (_, k) => path.join(scratch!, `p${k}/prisma/migrations/20240102000000_email/migration.sql`));
}

function knows(files: ReturnType<typeof createRunDiskAccess>, file: string, k: number): boolean {
  const { runner } = runnerAndPartner(file, fs.readFileSync(file, "utf8"), options, files);
  const before = files.histories!.before(file, runner, options, files);
  return before?.table({ schema: "public", name: `users_${k}` }) !== undefined;
}

describe("folder replays held by a thread", () => {
  it("answers for a folder asked again after six others as for one never let go of", () => {
    const second = projects();
    const files = createRunDiskAccess();
    for (let k = 0; k < PROJECTS; k++) expect(knows(files, second[k]!, k)).toBe(true);
    expect(knows(files, second[0]!, 0)).toBe(true);
    expect(knows(files, second[1]!, 0)).toBe(false);
  });

  it("keeps a replay for the next run when it lets go of it, and restores it when the folder is asked again", () => {
    const second = projects();
    const kept = new Map<string, KeptReplay>();
    const store: KeptReplays = { find: (sequence) => kept.get(sequence), keep: (sequence, _options, replay) => void kept.set(sequence, replay) };
    const files = createRunDiskAccess(store);
    for (let k = 0; k < PROJECTS; k++) expect(knows(files, second[k]!, k)).toBe(true);
    // Seven folders, four held: the three let go of are kept already.
    expect(kept.size).toBe(3);
    expect(knows(files, second[0]!, 0)).toBe(true);
    expect(files.histories!.restored.map(({ folder, migrations }) => [path.relative(scratch!, folder), migrations])).toEqual([[path.join("p0", "prisma", "migrations"), 1]]);
    files.histories!.keepReplays(files);
    expect(kept.size).toBe(PROJECTS);
  });
});
