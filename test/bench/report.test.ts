import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempTree } from "../helpers.js";

// The benchmark's own logic (bench/*.mjs): which figure is judged against which target, and the inputs of the
// cached cases. No timing here: the figures below are made up.
interface Target {
  name: string;
  measured: string;
  pass: boolean | null;
}
interface BenchModules {
  judgeTargets: (cases: unknown[], soak: unknown) => Target[];
  appendDieselMigration: (folder: string) => () => void;
  restoreLayout: (projectFolder: string, target: string) => string;
  writeStagedMigrations: (target: string) => { files: string[]; bytes: number };
}

const load = async (): Promise<BenchModules> => ({
  ...((await import(new URL("../../bench/report.mjs", import.meta.url).href)) as Pick<BenchModules, "judgeTargets">),
  ...((await import(new URL("../../bench/workspace.mjs", import.meta.url).href)) as Omit<BenchModules, "judgeTargets">),
});

const tool = (id: string, medianSeconds: number, peakRssMb: number | null = 50) => ({ id, medianSeconds, peakRssMb });
const verdict = (targets: Target[], start: string) => {
  const found = targets.find((target) => target.name.startsWith(start));
  if (!found) throw new Error(`no target starting '${start}' in ${targets.map((target) => target.name).join(" | ")}`);
  return found;
};

let scratch: string | undefined;
afterEach(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe("bench targets (issue 16)", () => {
  it("judges the cold corpus against 3× squawk, the caches against 0.5× and 1×, pre-commit against 1.2× one file", async () => {
    const { judgeTargets } = await load();
    const cases = [
      { id: "corpus", bytes: 1, tools: [tool("migsafe", 0.6), tool("squawk", 0.2)] },
      { id: "small", bytes: 1, tools: [tool("migsafe", 0.09), tool("bareNode", 0.025), tool("squawkWrapper", 0.04)] },
      { id: "cached", bytes: 1, tools: [tool("migsafeCached", 0.11), tool("squawk", 0.2)] },
      { id: "oneChanged", bytes: 1, tools: [tool("migsafeCached", 0.17), tool("squawk", 0.16)] },
      { id: "preCommit", bytes: 1, tools: [tool("migsafe", 0.12), tool("migsafeOneFile", 0.1)] },
    ];
    const targets = judgeTargets(cases, undefined);
    expect(verdict(targets, "case 1: migsafe ÷ squawk native ≤ 3.0")).toMatchObject({ measured: "3.00×", pass: true });
    expect(verdict(targets, "case 3: migsafe − bare node ≤ 60 ms")).toMatchObject({ measured: "65 ms", pass: false });
    expect(verdict(targets, "case 4:")).toMatchObject({ measured: "0.55×", pass: false });
    expect(verdict(targets, "case 5:")).toMatchObject({ measured: "1.06×", pass: false });
    expect(verdict(targets, "case 6:")).toMatchObject({ measured: "1.20×", pass: true });
    // Not run: no verdict either way.
    expect(verdict(targets, "case 2: migsafe peak RSS")).toMatchObject({ measured: "not run", pass: null });
  });
});

describe("bench inputs", () => {
  it("restores a corpus project's folders and adds one new migration per call, the previous one removed", async () => {
    const { appendDieselMigration, restoreLayout } = await load();
    scratch = tempTree(
      { "corpus/migrations__2019-01-01-000000_init__up.sql": "CREATE TABLE person (id int);\n", "corpus/migrations__2019-01-01-000000_init__down.sql": "DROP TABLE person;\n" },
      "migsafe-bench-test-",
    );
    const project = path.join(scratch, "corpus");
    const history = restoreLayout(project, path.join(scratch, "history"));
    expect(fs.readFileSync(path.join(history, "migrations/2019-01-01-000000_init/up.sql"), "utf8")).toBe("CREATE TABLE person (id int);\n");
    expect(fs.existsSync(path.join(history, "package.json"))).toBe(true);

    const next = appendDieselMigration(history);
    next();
    next();
    const added = fs.readdirSync(path.join(history, "migrations")).filter((name) => name.startsWith("2099-"));
    expect(added).toEqual(["2099-01-01-000002_bench"]);
    expect(fs.readFileSync(path.join(history, "migrations", added[0]!, "up.sql"), "utf8")).toBe("ALTER TABLE person ADD COLUMN bench_2 int;\n");
    expect(fs.readdirSync(path.join(history, "migrations", added[0]!)).sort()).toEqual(["down.sql", "up.sql"]);
  });

  it("stages three migrations, each with its rollback beside it, and passes only the migrations", async () => {
    const { writeStagedMigrations } = await load();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-bench-test-"));
    const staged = writeStagedMigrations(scratch);
    expect(staged.files.map((file) => path.basename(file))).toEqual(["001_add_column.sql", "002_create_table.sql", "003_add_index.sql"]);
    expect(fs.readdirSync(scratch)).toHaveLength(6);
    expect(staged.bytes).toBe(staged.files.reduce((sum, file) => sum + fs.statSync(file).size, 0));
  });
});
