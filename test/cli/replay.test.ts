/**
 * Run replay (src/project/run-record.ts): a --cache run's record covers every path the run read, and a replay
 * gives exactly what a run without any cache prints, whatever changed in between; a modified or foreign record
 * is refused, a changed environment or command line misses.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/run.js";
import { recordRun } from "../../src/cli/replay-record.js";
import { startRecording, type RecordedInputs } from "../../src/files/fs-recorder.js";
import { cacheFolder } from "../../src/files/cache-mac.js";
import { recordFile, replayRun, type RecordedOutput, type RunIdentity, type RunOutput } from "../../src/project/run-record.js";
import { packageVersion } from "../../src/version.js";
import { useTempProjects } from "./fixtures/temp-project.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const project = useTempProjects();
const xdg = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-replay-secret-"));
afterAll(() => fs.rmSync(xdg, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

function envOf(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: xdg, NO_COLOR: "1", ...extra };
}

function identityOf(dir: string, argv: string[], env: NodeJS.ProcessEnv): RunIdentity {
  return { argv, cwd: dir, env, tty: [false, false, 0], bundle: "test", version: packageVersion() };
}

/** What src/cli/main.ts does for a --cache run: records its reads while it runs, then writes the record. */
async function recordedRun(dir: string, argv: string[], env: NodeJS.ProcessEnv, racyMs?: number): Promise<{ output: RunOutput; inputs: RecordedInputs; notRecorded: string | undefined }> {
  const saved = process.env;
  process.env = { ...env };
  const recorder = startRecording([cacheFolder(dir), path.join(xdg, "migsafe")], racyMs === undefined ? {} : { racyMs });
  let printed = "";
  let result: Awaited<ReturnType<typeof run>>;
  try {
    result = await run(argv, { cwd: dir, write: (chunk) => void (printed += chunk) });
  } finally {
    recorder.stop();
    process.env = saved;
  }
  const output = { stdout: printed + result.output, stderr: result.stderr, exitCode: result.exitCode };
  return { output, inputs: recorder.inputs, notRecorded: recordRun(identityOf(dir, argv, env), recorder.inputs, output) };
}

/** A run with no cache at all: the reference. */
async function plainRun(dir: string, argv: string[], env: NodeJS.ProcessEnv): Promise<RunOutput> {
  let printed = "";
  const result = await run(argv.filter((arg) => arg !== "--cache"), { cwd: dir, env, write: (chunk) => void (printed += chunk) });
  return { stdout: printed + result.output, stderr: result.stderr, exitCode: result.exitCode };
}

type Call = { fn: string; file: string };
const READS = ["readFileSync", "statSync", "lstatSync", "existsSync", "readdirSync", "realpathSync", "accessSync", "openSync", "readdir", "stat", "lstat", "readFile"] as const;

/** Spies on every fs read of the process; returns the calls with their absolute paths. */
function spyOnReads(): { calls: Call[]; restore: () => void } {
  const calls: Call[] = [];
  const mutable = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const spies = READS.map((fn) => {
    const original = mutable[fn]!.bind(fs);
    return vi.spyOn(mutable, fn).mockImplementation((...args: unknown[]) => {
      const target = args[0];
      if (typeof target === "string" || target instanceof URL) calls.push({ fn, file: typeof target === "string" ? path.resolve(target) : fileURLToPath(target) });
      return original(...args);
    });
  });
  return { calls, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** The calls the record does not cover. */
function uncovered(calls: readonly Call[], inputs: RecordedInputs, ignored: readonly string[]): string[] {
  const probed = new Set(Object.keys(inputs.probes).map((key) => key.slice(key.indexOf("\0") + 1)));
  const named = new Set(Object.keys(inputs.probes).filter((key) => key.startsWith("n\0")).map((key) => path.dirname(key.slice(2))));
  return [
    ...new Set(
      calls
        .filter(({ fn, file }) => {
          if (ignored.some((folder) => file === folder || file.startsWith(folder + path.sep))) return false;
          if (fn === "readFileSync" || fn === "readFile" || fn === "openSync") return !inputs.files[file] && !probed.has(file);
          if (fn === "readdirSync" || fn === "readdir") return inputs.dirs[file] === undefined && !named.has(file) && !probed.has(file);
          return !probed.has(file) && !inputs.files[file] && inputs.dirs[file] === undefined;
        })
        .map(({ fn, file }) => `${fn} ${file}`),
    ),
  ];
}

async function checkCompleteness(dir: string, argv: string[]): Promise<number> {
  const ignored = [cacheFolder(dir), path.join(xdg, "migsafe")];
  const spy = spyOnReads();
  const saved = process.env;
  process.env = { ...envOf(), MIGSAFE_THREADS: "1" };
  const recorder = startRecording(ignored);
  try {
    await run(argv, { cwd: dir, write: () => undefined });
  } finally {
    recorder.stop();
    process.env = saved;
    spy.restore();
  }
  expect(recorder.inputs.unrepeatable, dir).toBeUndefined();
  // Making the cache folder tests whether node_modules and node_modules/.cache exist: nothing printed depends on that.
  const makers = new Set([path.dirname(ignored[0]!), path.dirname(path.dirname(ignored[0]!))]);
  expect(uncovered(spy.calls.filter(({ file }) => !makers.has(file)), recorder.inputs, ignored)).toEqual([]);
  return spy.calls.length;
}

/** A replayed output as the run printed it: stdout and stderr as text. */
function asText(output: RecordedOutput | undefined) {
  return output && { stdout: output.stdout.toString("utf8"), stderr: output.stderr.toString("utf8"), exitCode: output.exitCode };
}

describe("the run record covers every path the run read", () => {
  it("fixtures/ (a copy, with --cache)", async () => {
    const p = project({ "package.json": "{}" });
    fs.cpSync(path.join(repo, "fixtures"), p.path("fixtures"), { recursive: true });
    // Vitest loads modules imported on first use (fast-glob, typescript-estree) with fs.promises, which the bundle does not: load them first.
    await run(["fixtures"], { cwd: p.dir, env: envOf(), write: () => undefined });
    expect(await checkCompleteness(p.dir, ["--cache", "fixtures"])).toBeGreaterThan(50);
    // Second run: results from the cache.
    expect(await checkCompleteness(p.dir, ["--cache", "fixtures"])).toBeGreaterThan(50);
  });

  it("the runner fixtures in place, without --cache", async () => {
    for (const layout of ["fixtures/cases/diesel", "fixtures/cases/rollback-pair", "fixtures/typescript"]) {
      expect(await checkCompleteness(path.join(repo, layout), ["."])).toBeGreaterThan(0);
    }
  });

  const corpus = path.resolve(repo, "../shared/corpus/projects");
  const projects = fs.existsSync(corpus) ? fs.readdirSync(corpus).filter((name) => fs.statSync(path.join(corpus, name)).isDirectory()) : [];
  it.skipIf(projects.length === 0)("the real projects of ../shared/corpus/projects, without --cache", async () => {
    for (const name of projects) await checkCompleteness(path.join(corpus, name), ["."]);
  }, 600_000);
});

describe("a replay prints what a run without cache prints", () => {
  const FILES = ["migrations/001_users.sql", "migrations/002_orders.sql", "migrations/003_drop.sql", "migrations/001_users_rollback.sql"];
  const CONTENTS = ["CREATE TABLE users (id bigint);\n", "ALTER TABLE users ADD COLUMN name text NOT NULL;\n", "DROP TABLE users;\n", "SELECT 1;\n", "CREATE INDEX i ON users (id);\n", "DROP TABLE users;\nSELECT 1;\n"];
  const CONFIGS = ['{ "rules": { "drop-table": "off" } }\n', '{ "rules": { "require-concurrent-index": "careful" } }\n', "{}\n"];
  const change = fc.oneof(
    fc.record({ kind: fc.constant("write" as const), file: fc.constantFrom(...FILES), content: fc.constantFrom(...CONTENTS) }),
    fc.record({ kind: fc.constant("byte" as const), file: fc.constantFrom(...FILES), at: fc.nat(40) }),
    fc.record({ kind: fc.constant("touch" as const), file: fc.constantFrom(...FILES) }),
    fc.record({ kind: fc.constant("config" as const), content: fc.constantFrom(...CONFIGS) }),
    fc.record({ kind: fc.constant("rename" as const), from: fc.constantFrom(...FILES), to: fc.constantFrom(...FILES, "migrations/004_new.sql") }),
    fc.record({ kind: fc.constant("remove" as const), file: fc.constantFrom(...FILES, "migsafe.config.json") }),
    // A migration replaced by a folder of that name holding one.
    fc.record({ kind: fc.constant("folder" as const), file: fc.constantFrom(...FILES) }),
  );
  type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;
  const OLD = new Date("2001-01-01T00:00:00Z");

  function apply(dir: string, step: Change): void {
    const at = (file: string) => path.join(dir, file);
    const isFile = (file: string) => fs.statSync(at(file), { throwIfNoEntry: false })?.isFile() === true;
    if (step.kind === "write") {
      fs.rmSync(at(step.file), { recursive: true, force: true });
      fs.writeFileSync(at(step.file), step.content);
    } else if (step.kind === "folder") {
      fs.rmSync(at(step.file), { recursive: true, force: true });
      fs.mkdirSync(at(step.file));
      fs.writeFileSync(path.join(at(step.file), "001_inner.sql"), "DROP TABLE users;\n");
    } else if (step.kind === "byte" && isFile(step.file)) {
      const bytes = fs.readFileSync(at(step.file));
      if (bytes.length > 0) bytes[step.at % bytes.length] = bytes[step.at % bytes.length] === 0x41 ? 0x42 : 0x41;
      fs.writeFileSync(at(step.file), bytes);
    } else if (step.kind === "touch" && fs.existsSync(at(step.file))) fs.utimesSync(at(step.file), new Date(), new Date());
    else if (step.kind === "config") fs.writeFileSync(at("migsafe.config.json"), step.content);
    else if (step.kind === "rename" && fs.existsSync(at(step.from)) && step.from !== step.to) {
      fs.rmSync(at(step.to), { recursive: true, force: true });
      fs.renameSync(at(step.from), at(step.to));
    } else if (step.kind === "remove") fs.rmSync(at(step.file), { recursive: true, force: true });
    // Same old mtime for every file (as a checkout may leave them): only the size, ctime, inode or content tells a change.
    if (step.kind !== "touch") for (const file of [...FILES, "migrations/004_new.sql"]) if (fs.existsSync(at(file))) fs.utimesSync(at(file), OLD, OLD);
  }

  it("after any sequence of changes (fast-check)", async () => {
    let replays = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 6 }), fc.constantFrom<string[]>(["--cache"], ["--cache", "--format", "json"], ["--cache", "migrations"]), async (steps, argv) => {
        const p = project({ "package.json": "{}", ...Object.fromEntries(FILES.map((file, i) => [file, CONTENTS[i]!])) });
        const env = envOf();
        // racyMs 0: trust an unchanged stat, as for files not modified in the last seconds.
        await recordedRun(p.dir, argv, env, 0);
        for (const step of steps) {
          apply(p.dir, step);
          const replay = replayRun(identityOf(p.dir, argv, env));
          const reference = await plainRun(p.dir, argv, env);
          if (replay.output) {
            replays++;
            expect(asText(replay.output)).toEqual(reference);
          }
          const recorded = await recordedRun(p.dir, argv, env, 0);
          expect(recorded.output).toEqual(reference);
          // And unchanged, it replays (a run that met a folder named like a migration is not recorded: it tried that folder
          // through fs.promises, which the recorder does not follow).
          const again = replayRun(identityOf(p.dir, argv, env));
          if (FILES.every((file) => fs.statSync(path.join(p.dir, file), { throwIfNoEntry: false })?.isDirectory() !== true)) expect(asText(again.output)).toEqual(reference);
          else if (again.output) expect(asText(again.output)).toEqual(reference);
        }
      }),
      { numRuns: 25 },
    );
    expect(replays).toBeGreaterThan(0);
  }, 300_000);
});

describe("a record is used only when it is migsafe's and its run's", () => {
  function setUp() {
    const p = project({ "package.json": "{}", "migrations/001_a.sql": "CREATE TABLE a (id bigint);\n", "migrations/002_b.sql": "DROP TABLE a;\n" });
    return p;
  }

  it("replays the recorded output and exit code", async () => {
    const p = setUp();
    const env = envOf();
    const first = await recordedRun(p.dir, ["--cache"], env);
    expect(first.notRecorded).toBeUndefined();
    expect(first.output.exitCode).toBe(1);
    expect(asText(replayRun(identityOf(p.dir, ["--cache"], env)).output)).toEqual(first.output);
  });

  it("refuses a modified record with one warning", async () => {
    const p = setUp();
    const env = envOf();
    await recordedRun(p.dir, ["--cache"], env);
    const file = recordFile(["--cache"], p.dir);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"exitCode":1', '"exitCode":0'));
    const replay = replayRun(identityOf(p.dir, ["--cache"], env));
    expect(replay.output).toBeUndefined();
    expect(replay.warning).toBe(`the run record ${path.relative(p.dir, file)} is not used (it was modified after migsafe wrote it): the files are linted`);
  });

  /** A recorded run whose record then has one byte of its recorded output changed; returns the record as written. */
  async function withOutputChanged(dir: string, env: NodeJS.ProcessEnv): Promise<{ file: string; bytes: Buffer }> {
    await recordedRun(dir, ["--cache"], env);
    const file = recordFile(["--cache"], dir);
    const bytes = fs.readFileSync(file);
    const changed = Buffer.from(bytes);
    changed[changed.length - 2] = changed[changed.length - 2]! ^ 0x20;
    fs.writeFileSync(file, changed);
    return { file, bytes };
  }

  it("refuses a record whose recorded output was changed, or cut short", async () => {
    const p = setUp();
    const env = envOf();
    const { file, bytes } = await withOutputChanged(p.dir, env);
    expect(replayRun(identityOf(p.dir, ["--cache"], env)).miss).toBe("it was modified after migsafe wrote it");
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    expect(replayRun(identityOf(p.dir, ["--cache"], env)).miss).toBe("it was modified after migsafe wrote it");
  });

  it("on a miss, reads no further than the body: a changed input is the answer, whatever the output holds", async () => {
    const p = setUp();
    const env = envOf();
    await withOutputChanged(p.dir, env);
    fs.appendFileSync(path.join(p.dir, "migrations/002_b.sql"), "-- changed\n");
    expect(replayRun(identityOf(p.dir, ["--cache"], env)).miss).toBe(path.join(p.dir, "migrations/002_b.sql"));
  });

  it("misses when the results cache changed since, even by its stat alone", async () => {
    const p = setUp();
    const env = envOf();
    await recordedRun(p.dir, ["--cache"], env);
    const results = path.join(cacheFolder(p.dir), "results.json");
    const stat = fs.statSync(results);
    fs.utimesSync(results, stat.atime, new Date(stat.mtimeMs + 5000));
    expect(replayRun(identityOf(p.dir, ["--cache"], env)).miss).toBe(results);
  });

  it("refuses a record written under another secret", async () => {
    const p = setUp();
    await recordedRun(p.dir, ["--cache"], envOf({ MIGSAFE_CACHE_SECRET: "another-secret-of-another-job" }));
    const replay = replayRun(identityOf(p.dir, ["--cache"], envOf({ MIGSAFE_CACHE_SECRET: "the-secret-of-this-very-job" })));
    expect(replay.output).toBeUndefined();
    expect(replay.warning).toMatch(/written with another cache secret/);
  });

  it("misses when NO_COLOR, FORCE_COLOR or the command line changed", async () => {
    const p = setUp();
    const env = envOf();
    await recordedRun(p.dir, ["--cache"], env);
    expect(replayRun(identityOf(p.dir, ["--cache"], envOf({ NO_COLOR: "" }))).miss).toBe("environment NO_COLOR");
    expect(replayRun(identityOf(p.dir, ["--cache"], envOf({ FORCE_COLOR: "1" }))).miss).toBe("environment FORCE_COLOR");
    expect(replayRun(identityOf(p.dir, ["--cache", "--format", "json"], env)).miss).toBe("no record");
    expect(replayRun({ ...identityOf(p.dir, ["--cache"], env), tty: [true, false, 80] }).miss).toBe("terminal");
    expect(replayRun({ ...identityOf(p.dir, ["--cache"], env), tty: [false, false, 120] }).miss).toBe("terminal");
    expect(replayRun({ ...identityOf(p.dir, ["--cache"], env), bundle: "rebuilt" }).miss).toBe("migsafe build");
  });

  it("records no run that writes, reads standard input or git, or prints debug lines", async () => {
    const p = setUp();
    const env = envOf();
    for (const argv of [["--cache", "--fix"], ["--cache", "--fix-dry-run"], ["--cache", "--debug"], ["--cache", "-o", "report.txt"], ["--cache", "--format", "github"]]) {
      const recorded = await recordedRun(p.dir, argv, env);
      expect(recorded.notRecorded, argv.join(" ")).toBeDefined();
      expect(fs.existsSync(recordFile(argv, p.dir))).toBe(false);
    }
  });
});
