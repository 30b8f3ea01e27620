import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { useTempProjects } from "../cli/fixtures/temp-project.js";

const project = useTempProjects();
const MIGRATION = "export class AddAge1 {\n  async up(queryRunner) {\n    await queryRunner.query(`DROP TABLE users`);\n  }\n}\n";

describe("the CLI on TypeScript/JavaScript migrations", () => {
  it("lints .ts files under a migrations folder, with JSON output and exit 1 for a dangerous finding", async () => {
    const p = project({ "src/migrations/1_drop.ts": MIGRATION, "src/migrations/types.d.ts": "declare const x: 1;\n", "src/other/2.ts": MIGRATION });
    const result = await run(["--format", "json", "src"], { env: {}, cwd: p.dir });
    expect(result.exitCode).toBe(1);
    const files = JSON.parse(result.output) as { filePath: string; messages: { ruleId: string; line: number; column: number }[] }[];
    expect(files.map((file) => file.filePath.replace(/\\/g, "/"))).toEqual([expect.stringMatching(/src\/migrations\/1_drop\.ts$/)]);
    expect(files[0]!.messages).toContainEqual(expect.objectContaining({ ruleId: "drop-table", line: 3, column: 30 }));
  });

  it("lints a .js file given explicitly; exit 0 when clean", async () => {
    const p = project({ "m.js": "exports.up = (pgm) => { pgm.sql('SELECT 1'); };\n" });
    const result = await run(["m.js"], { env: {}, cwd: p.dir });
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  });

  it("--debug says, one line each, which parts of other databases were not linted", async () => {
    const branch = 'export class M {\n  async up(queryRunner) {\n    if (queryRunner.connection.options.type === "sqlite") {\n      await queryRunner.query("DROP TABLE a");\n    }\n  }\n}\n';
    const p = project({ "migrations/1_branch.ts": branch, "migrations/mysql/2_init.ts": MIGRATION });
    const result = await run(["--debug", "migrations"], { env: {}, cwd: p.dir });
    expect(result.exitCode).toBe(0);
    const notes = result.stderr.split("\n").filter((line) => line.includes("skipped"));
    expect(notes).toEqual([
      'migsafe: debug: migrations/1_branch.ts:3: skipped the branch of if (queryRunner.connection.options.type === "sqlite"): not PostgreSQL\'s',
      "migsafe: debug: migrations/mysql/2_init.ts:1: skipped the whole file: it is under the folder mysql/, named for another database than PostgreSQL",
    ]);
    expect((await run(["migrations"], { env: {}, cwd: p.dir })).stderr).toBe("");
  });

  it("exits 2 with the position for a TS syntax error", async () => {
    const p = project({ "migrations/1.ts": "export const up = (pgm) => {\n  pgm.sql('x';\n};\n" });
    const result = await run(["migrations"], { env: {}, cwd: p.dir });
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain("2:14");
    expect(result.output).toContain("not valid TypeScript/JavaScript");
  });
});
