import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { useTempProjects } from "./fixtures/temp-project.js";

const project = useTempProjects();
const env = { XDG_CONFIG_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-cache-secret-")) };
afterAll(() => fs.rmSync(env.XDG_CONFIG_HOME, { recursive: true, force: true }));

const MIGRATIONS = "prisma/migrations";
/** Migrations whose findings depend on what the earlier ones did (a table created earlier, a column's type before). */
const CONTENTS = [
  "CREATE TABLE users (id bigint, name varchar(10));\n",
  "ALTER TABLE users ADD COLUMN email text NOT NULL;\n",
  "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);\n",
  "ALTER TABLE users ALTER COLUMN name TYPE text;\n",
  "ALTER TABLE users RENAME TO people;\n",
  "DROP TABLE users;\n",
  "CREATE TYPE mood AS ENUM ('sad');\nALTER TABLE users ADD COLUMN mood mood;\n",
  "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
];
const FOLDERS = ["20240101000000_a", "20240102000000_b", "20240103000000_c", "20240104000000_d", "20240105000000_e"];

async function lint(dir: string, cache: boolean) {
  const written: string[] = [];
  const result = await run([...(cache ? ["--cache", "--debug"] : []), "--format", "compact", MIGRATIONS], { cwd: dir, env, write: (chunk) => void written.push(chunk) });
  const restored = /: the replay of its first (\d+) migrations taken from the cache/.exec(result.stderr);
  return { output: written.join("") + result.output, exitCode: result.exitCode, restored: restored ? Number(restored[1]) : 0 };
}

function setUp(count: number) {
  const files: Record<string, string> = { "package.json": "{}", [`${MIGRATIONS}/migration_lock.toml`]: 'provider = "postgresql"\n' };
  for (let i = 0; i < count; i++) files[`${MIGRATIONS}/${FOLDERS[i]}/migration.sql`] = CONTENTS[i]!;
  return project(files);
}

describe("--cache keeps a folder's replay", () => {
  it("replays only the new migration when one is added at the end, with the report of a run without cache", async () => {
    const p = setUp(3);
    expect((await lint(p.dir, true)).restored).toBe(0);
    p.write(`${MIGRATIONS}/${FOLDERS[3]}/migration.sql`, CONTENTS[7]!);
    const added = await lint(p.dir, true);
    // The first run replayed the two migrations before the last one it linted.
    expect(added.restored).toBe(2);
    expect(added.output).toBe((await lint(p.dir, false)).output);
    expect(added.output).toContain(`${FOLDERS[3]}/migration.sql:1:`);
  });

  it("does not use a kept replay when an earlier migration changed", async () => {
    const p = setUp(3);
    await lint(p.dir, true);
    p.write(`${MIGRATIONS}/${FOLDERS[0]}/migration.sql`, "CREATE TABLE users (id bigint, name text);\n");
    p.write(`${MIGRATIONS}/${FOLDERS[3]}/migration.sql`, CONTENTS[3]!);
    const after = await lint(p.dir, true);
    expect(after.restored).toBe(0);
    expect(after.output).toBe((await lint(p.dir, false)).output);
  });

  it("gives the report of a run without cache after any sequence of changes (fast-check)", async () => {
    const step = fc.record({ folder: fc.constantFrom(...FOLDERS), content: fc.option(fc.constantFrom(...CONTENTS)) });
    let restores = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 4 }), async (steps, start) => {
        const p = setUp(start);
        await lint(p.dir, true);
        for (const { folder, content } of steps) {
          const file = p.path(`${MIGRATIONS}/${folder}/migration.sql`);
          if (content === null) fs.rmSync(path.dirname(file), { recursive: true, force: true });
          else p.write(`${MIGRATIONS}/${folder}/migration.sql`, content);
          const cached = await lint(p.dir, true);
          restores += cached.restored > 0 ? 1 : 0;
          const plain = await lint(p.dir, false);
          expect([cached.output, cached.exitCode]).toEqual([plain.output, plain.exitCode]);
        }
      }),
      { numRuns: 30 },
    );
    expect(restores).toBeGreaterThan(0);
  }, 120_000);
});
