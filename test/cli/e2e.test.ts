import { execFile, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { CLEAN_SQL, useTempProjects, withRollbacks, type TempProject } from "./fixtures/temp-project.js";

// The built CLI, run as a user would. These runs use every registered rule, so the
// SQL here is kept free of anything but what drop-table reports, and every
// migration has a rollback.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const main = path.join(root, "dist/cli.js");
const linter = path.join(root, "dist/run.cjs");
const project = useTempProjects();

interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

function newestSource(): number {
  let newest = 0;
  for (const folder of ["src/cli", "src/formatters"]) {
    for (const name of fs.readdirSync(path.join(root, folder))) {
      if (name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(path.join(root, folder, name)).mtimeMs);
    }
  }
  return newest;
}

beforeAll(() => {
  // `npm test` builds first; when run alone, build if dist is missing or older than the CLI sources.
  if (fs.existsSync(linter) && fs.statSync(linter).mtimeMs >= newestSource()) return;
  try {
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", root], { cwd: root, stdio: "pipe" });
  } catch {
    // tsc still emits when another part of the tree has type errors; the bundle below is what matters.
  }
  execFileSync(process.execPath, [path.join(root, "scripts/bundle.mjs")], { cwd: root, stdio: "pipe" });
  if (!fs.existsSync(linter)) throw new Error(`building migsafe did not produce ${linter}`);
}, 180_000);

function cli(p: TempProject, args: string[], env: Record<string, string> = {}): Promise<Spawned> {
  const baseEnv = { ...process.env };
  delete baseEnv.FORCE_COLOR;
  delete baseEnv.NO_COLOR;
  // Run in GitHub Actions, a report would be added to the job summary of the test run.
  delete baseEnv.GITHUB_STEP_SUMMARY;
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd: p.dir, env: { ...baseEnv, ...env }, maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const DROP_USERS = "DROP TABLE IF EXISTS users;\n";

describe("migsafe (built)", () => {
  it("prints its version from package.json and its help", async () => {
    const p = project();
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    expect(await cli(p, ["--version"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    const help = await cli(p, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: migsafe /);
    expect(help.stdout).toContain("Exit codes:");
  });

  it("exits 0 on clean migrations, linting the default folders", async () => {
    const p = project(withRollbacks({ "migrations/001_init.sql": CLEAN_SQL, "db/migrations/001_init.sql": CLEAN_SQL }));
    expect(await cli(p, [])).toEqual({ code: 0, stdout: "✔ No problems found in 4 files\n", stderr: "" });
  });

  it("exits 1 on a dangerous finding, with pure JSON on stdout", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS }));
    const result = await cli(p, ["--format", "json", "migrations"], { FORCE_COLOR: "1" });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout.endsWith("]\n")).toBe(true);
    const files = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; severity: number; line: number }[] }[];
    expect(files.map((file) => file.filePath)).toEqual([p.path("migrations/001_drop.sql"), p.path("migrations/001_drop_rollback.sql")]);
    expect(files[0]!.messages.filter((message) => message.ruleId === "drop-table")).toMatchObject([{ severity: 2, line: 1 }]);
  });

  it("exits 0 on careful findings alone, and 1 past --max-warnings", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS }));
    const careful = await cli(p, ["--rule", "drop-table=careful", "--rule", "require-lock-timeout=off", "migrations"]);
    expect(careful.code).toBe(0);
    expect(careful.stdout).toMatch(/ 1:1 +careful +DROP TABLE users /);
    const over = await cli(p, ["--rule", "drop-table=careful", "--rule", "require-lock-timeout=off", "--max-warnings", "0", "migrations"]);
    expect(over.code).toBe(1);
    expect(over.stderr).toBe("migsafe: too many careful findings (1, maximum 0)\n");
  });

  it("exits 2 for a missing path and for a syntax error, still reporting the other files", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS, "migrations/002_typo.sql": "SELEC 1;\n" }));
    const result = await cli(p, ["migrations", "nope.sql"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^migrations\/001_drop\.sql\n {2}1:1 +dangerous +DROP TABLE users /);
    expect(result.stdout).toMatch(/\nmigrations\/002_typo\.sql\n {2}1:1 +error +syntax error at or near "SELEC"\n/);
    expect(result.stdout).toContain("\nnope.sql\n  0:0  error  file not found\n");
    expect(result.stdout).toMatch(/, 2 files could not be parsed\n$/);
    expect(result.stderr).toBe('migsafe: migrations/002_typo.sql:1:1: syntax error at or near "SELEC"\nmigsafe: nope.sql: file not found\nmigsafe: 2 files could not be read or parsed\n');
  });

  it("exits 2 on a bad argument with one line on stderr and no stack trace", async () => {
    const p = project();
    expect(await cli(p, ["--frmat", "json"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "migsafe: unknown option '--frmat' (did you mean '--format'?) (run 'migsafe --help' for usage)\n",
    });
    const rule = await cli(p, ["--rule", "no-such-rule=off"]);
    expect(rule.code).toBe(2);
    expect(rule.stderr).toBe("migsafe: unknown rule 'no-such-rule' in --rule no-such-rule=off (run 'migsafe --help' for usage)\n");
  });

  it("exits 2 when there is no argument and no migration folder", async () => {
    const p = project({ "schema.sql": CLEAN_SQL });
    const result = await cli(p, []);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([expect.stringMatching(/^migsafe: no migration folder found in /), ""]);
  });

  it("colours with FORCE_COLOR, not with NO_COLOR, not when piped", async () => {
    const p = project(withRollbacks({ "001_drop.sql": DROP_USERS }));
    expect((await cli(p, ["001_drop.sql"])).stdout).not.toContain("\u001b[");
    expect((await cli(p, ["001_drop.sql"], { FORCE_COLOR: "1" })).stdout).toContain("\u001b[31mdangerous\u001b[39m");
    expect((await cli(p, ["001_drop.sql"], { FORCE_COLOR: "1", NO_COLOR: "1" })).stdout).not.toContain("\u001b[");
  });
});

describe("migsafe (built) reports that other programs read", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(root, "test/fixtures/sarif-schema-2.1.0.json"), "utf8")) as Record<string, unknown>;
  const validateSarif = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);

  it("writes SARIF that the official schema accepts, on the guide's migrations and a broken file, with --output-file", async () => {
    const p = project({ "broken.sql": "DROP TABLE;\n" });
    for (const name of fs.readdirSync(path.join(root, "fixtures/guide"))) {
      p.write(`guide/${name}`, fs.readFileSync(path.join(root, "fixtures/guide", name)));
    }
    const result = await cli(p, ["--format", "sarif", "--output-file", "out/migsafe.sarif", "guide", "broken.sql"]);
    expect([result.code, result.stdout]).toEqual([2, ""]);
    const sarif = JSON.parse(p.read("out/migsafe.sarif")) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    const results = sarif.runs[0]!.results;
    expect(results.length).toBeGreaterThan(10);
    expect(results.find((r) => r.ruleId === "parse-error")?.locations[0]!.physicalLocation.artifactLocation.uri).toBe("broken.sql");
    expect(results.filter((r) => r.ruleId === "drop-table").map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual(["guide/dangerous.sql"]);
  });

  it("prints GitLab Code Quality and JUnit reports that parse", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS }));
    const gitlab = JSON.parse((await cli(p, ["--format", "gitlab", "migrations"])).stdout) as { check_name: string; location: { path: string; lines: { begin: number } } }[];
    expect(gitlab.map((issue) => [issue.check_name, issue.location.path, issue.location.lines.begin])).toEqual([
      ["drop-table", "migrations/001_drop.sql", 1],
      ["require-lock-timeout", "migrations/001_drop.sql", 1],
    ]);
    const junit = await cli(p, ["--format", "junit", "migrations"]);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(junit.stdout.match(/<testcase /g)).toHaveLength(2);
    expect(junit.stdout.match(/<failure /g)).toHaveLength(2);
  });
});

describe("migsafe (built) on many files", () => {
  it("writes a report piped to a slow reader through as it is made, holding none of it queued in memory", async () => {
    // ≈1 KB of JSON a file, far more than a pipe's buffer (64 KB) and what the reader takes before it starts reading.
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`migrations/${String(i).padStart(4, "0")}_drop.sql`] = `DROP TABLE IF EXISTS users_${i};\n`;
    const p = project(withRollbacks(files));
    const preload = path.join(root, "test/cli/fixtures/stdout-queue.mjs");
    const env = { ...process.env, NODE_OPTIONS: `--import=${preload}`, MIGSAFE_THREADS: "1" };
    const child = spawn(process.execPath, [main, "--format", "json", "migrations"], { cwd: p.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    // The reader starts late: a migsafe that queued what the pipe could not take would hold the rest of the report.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    expect(await exited).toBe(1);
    const stdout = Buffer.concat(chunks).toString();
    expect(stdout.length).toBeGreaterThan(256 * 1024);
    expect((JSON.parse(stdout) as unknown[]).length).toBe(600);
    expect(stderr).toContain("stdout queued at most 0 bytes");
  }, 60_000);

  it("gives the same report and exit code on every core as on one thread", async () => {
    // Files big enough that the main thread cannot finish them all before the worker starts.
    const bulk = Array.from({ length: 60 }, (_, k) => `ALTER TABLE IF EXISTS audit ADD COLUMN IF NOT EXISTS c${k} int DEFAULT ${k};`).join("\n");
    const files: Record<string, string> = {};
    // Two folders: a thread lints a folder's history whole (work-queue.ts), so one folder would be one thread's.
    for (let i = 0; i < 400; i++) {
      const name = `m/p${i % 2}/${String(i).padStart(4, "0")}_step`;
      if (i % 3 === 0) files[`${name}.sql`] = `${bulk}\nCREATE TABLE IF NOT EXISTS t${i} (id int);\nDROP TABLE IF EXISTS t${i};\n`;
      else if (i % 3 === 1) files[`${name}.sql`] = `${bulk}\nDROP TABLE IF EXISTS users_${i};\nUPDATE accounts SET flag = true;\n`;
      else files[`${name}.sql`] = i % 50 === 2 ? "SELEC 1;\n" : `${bulk}\nALTER TABLE users ADD COLUMN IF NOT EXISTS c${i} int NOT NULL;\n`;
    }
    const p = project(withRollbacks(files));
    const parallel = await cli(p, ["--format", "json", "--debug", "m"], { MIGSAFE_THREADS: "2" });
    const serial = await cli(p, ["--format", "json", "--debug", "m"], { MIGSAFE_THREADS: "1" });
    expect(parallel.code).toBe(2);
    expect(serial.code).toBe(2);
    expect(parallel.stdout).toEqual(serial.stdout);
    const threads = /linted 800 files on (\d+) threads \((\d+) \+ (\d+)\)/.exec(parallel.stderr);
    expect(threads?.[1]).toBe("2");
    expect(Number(threads![3])).toBeGreaterThan(0);
    expect(serial.stderr).toContain("linted 800 files on 1 threads (800)");
    const report = JSON.parse(parallel.stdout) as { filePath: string; messages: unknown[] }[];
    expect(report).toHaveLength(800);
    expect(report.map((file) => file.filePath)).toEqual([...report.map((file) => file.filePath)].sort());
    expect(report.filter((file) => file.messages.length > 0).length).toBeGreaterThan(250);
  }, 60_000);
});
