/**
 * What the reliability suite shares: the built CLI run as a child process, `run()` in
 * process, and the checks every hostile input must pass (exit code, valid JSON and
 * SARIF, the other files still linted).
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { expect } from "vitest";
import { run, type RunOptions, type RunResult } from "../../src/cli/run.js";
import type { JsonMessage, JsonResult } from "../../src/formatters/json.js";
import { uriReference } from "../../src/formatters/sarif.js";
import { escapeControl } from "../../src/formatters/escape.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The bundle users run (`bin` in package.json). */
export const cliBundle = path.join(root, "dist/cli.js");

/** The dangerous neighbour put next to every bad file: its finding proves the run went on. */
export const DROP_FILE = "drop.sql";
export const DROP_SQL = "DROP TABLE users;\n";

function newestSource(): number {
  let newest = 0;
  const visit = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  visit(path.join(root, "src"));
  visit(path.join(root, "rules"));
  return newest;
}

/** Builds dist/ when it is missing or older than the sources (`npm test` builds first; this is for running the suite alone). */
export function ensureBuilt(): void {
  if (fs.existsSync(cliBundle) && fs.statSync(cliBundle).mtimeMs >= newestSource()) return;
  try {
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", root], { cwd: root, stdio: "pipe" });
  } catch {
    // tsc still emits when another part of the tree has type errors; the bundle below is what matters.
  }
  execFileSync(process.execPath, [path.join(root, "scripts/bundle.mjs")], { cwd: root, stdio: "pipe" });
}

export interface Spawned {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in `cwd`, as a user would, without colours; killed after `timeoutMs` (then `signal` is SIGKILL). */
export function cli(cwd: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Spawned> {
  const baseEnv: Record<string, string | undefined> = { ...process.env };
  delete baseEnv.FORCE_COLOR;
  delete baseEnv.NO_COLOR;
  delete baseEnv.GITHUB_ACTIONS;
  delete baseEnv.GITHUB_STEP_SUMMARY;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle, ...args], { cwd, env: { ...baseEnv, ...env }, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
}

/** `run()` in this process: no start-up cost, the same code as the CLI. */
export function runIn(cwd: string, args: readonly string[], options: Omit<RunOptions, "cwd"> = {}): Promise<RunResult> {
  return run(args, { env: {}, isTTY: false, ...options, cwd });
}

const sarifSchema = JSON.parse(fs.readFileSync(path.join(root, "test/fixtures/sarif-schema-2.1.0.json"), "utf8")) as Record<string, unknown>;
const validateSarif = new Ajv({ allErrors: true, validateFormats: false }).compile(sarifSchema);

export interface SarifLog {
  runs: {
    invocations: { executionSuccessful: boolean }[];
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn?: number } } }[];
    }[];
  }[];
}

/** Parses a SARIF report and checks it against the OASIS 2.1.0 schema. */
export function parseSarif(text: string): SarifLog {
  const log = JSON.parse(text) as unknown;
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? [], "SARIF schema errors").toEqual([]);
  expect(valid).toBe(true);
  return log as SarifLog;
}

/** Parses a JSON report: one line of JSON and a newline, nothing else. */
export function parseJson(text: string): JsonResult[] {
  expect(text.endsWith("\n")).toBe(true);
  expect(text.slice(0, -1)).not.toContain("\n");
  return JSON.parse(text) as JsonResult[];
}

/** A message without the fields that only repeat the rule's docs (help, docsUrl), for exact comparisons. */
export function brief(message: JsonMessage): Pick<JsonMessage, "ruleId" | "message" | "line" | "column" | "endLine" | "endColumn"> {
  const { ruleId, message: text, line, column, endLine, endColumn } = message;
  return { ruleId, message: text, line, column, endLine, endColumn };
}

/** The report of one file, by its name relative to `dir`. */
export function fileIn(results: readonly JsonResult[], dir: string, name: string): JsonResult {
  const found = results.find((result) => result.filePath === path.join(dir, name));
  expect(found, `no result for ${name}`).toBeDefined();
  return found!;
}

/** The drop-table finding of the neighbour, exactly: the run went on past the bad file. */
export function expectDropReported(results: readonly JsonResult[], dir: string, name = DROP_FILE): void {
  const drops = fileIn(results, dir, name).messages.filter((message) => message.ruleId === "drop-table").map(brief);
  expect(drops).toEqual([
    {
      ruleId: "drop-table",
      message:
        "DROP TABLE users deletes the table and its rows (ACCESS EXCLUSIVE)",
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 17,
    },
  ]);
}

/** The neighbour's drop-table result in SARIF, at its place. */
export function expectDropInSarif(log: SarifLog, uri = DROP_FILE): void {
  const drops = log.runs[0]!.results.filter((result) => result.ruleId === "drop-table" && result.locations[0]!.physicalLocation.artifactLocation.uri === uri);
  expect(drops.map((result) => [result.level, result.locations[0]!.physicalLocation.region.startLine])).toEqual([["error", 1]]);
}

/** What the stylish report says about one file: its header line and the lines under it, up to the blank line. */
export function stylishBlock(stdout: string, name: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.indexOf(name);
  expect(start, `no stylish block for ${name}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end);
}

/** A fatal error as the JSON report gives it. */
export interface ExpectedError {
  message: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** What stderr says of files that could not be read or parsed: a line naming each, with its first error, then a count. */
export function fatalStderr(files: readonly { name: string; errors: readonly ExpectedError[] }[]): string {
  const failing = files.filter((file) => file.errors.length > 0);
  if (failing.length === 0) return "";
  const lines = failing.map(({ name, errors: [first, ...more] }) => {
    const where = first!.line === undefined ? "" : `:${first!.line}:${first!.column}`;
    const extra = more.length > 0 ? ` (and ${more.length} more error${more.length === 1 ? "" : "s"})` : "";
    return `migsafe: ${escapeControl(name)}${where}: ${escapeControl(first!.message)}${extra}\n`;
  });
  return `${lines.join("")}migsafe: ${failing.length} file${failing.length === 1 ? "" : "s"} could not be read or parsed\n`;
}

/**
 * The contract every hostile input keeps, checked on `bad` linted together with the
 * dangerous neighbour: the exit code; exactly these fatal errors, at their line and
 * column, in JSON, SARIF, compact and stylish (from the built CLI); one summary line on
 * stderr; and the neighbour's drop-table finding, which proves the run went on.
 */
export async function expectContract(dir: string, bad: string, errors: readonly ExpectedError[]): Promise<void> {
  const exitCode = errors.length > 0 ? 2 : 1;
  const stderr = fatalStderr([{ name: bad, errors }]);

  const json = await runIn(dir, ["--format", "json", bad, DROP_FILE]);
  expect({ exitCode: json.exitCode, stderr: json.stderr }).toEqual({ exitCode, stderr });
  const results = parseJson(json.output);
  const fatal = fileIn(results, dir, bad).messages.filter((message) => message.fatal);
  expect(fatal.map(({ message, line, column, hint }) => ({ message, line, column, hint }))).toEqual(
    errors.map(({ message, line, column, hint }) => ({ message, line, column, hint })),
  );
  expectDropReported(results, dir);

  const sarif = await runIn(dir, ["--format", "sarif", bad, DROP_FILE]);
  expect(sarif.exitCode).toBe(exitCode);
  const log = parseSarif(sarif.output);
  expectDropInSarif(log);
  const uri = uriReference(bad.split(path.sep).join("/"));
  const parseErrors = log.runs[0]!.results.filter((result) => result.ruleId === "parse-error" && result.locations[0]!.physicalLocation.artifactLocation.uri === uri);
  expect(parseErrors.map((result) => [result.message.text, result.locations[0]!.physicalLocation.region.startLine])).toEqual(
    errors.map((error) => [error.hint ? `${error.message}\n\n${error.hint}` : error.message, error.line ?? 1]),
  );
  expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(errors.length === 0);

  const compact = await runIn(dir, ["--format", "compact", bad, DROP_FILE]);
  const errorLines = compact.output.split("\n").filter((line) => line.includes(": error parse-error "));
  expect(errorLines).toEqual(errors.map((error) => `${bad}${error.line === undefined ? "" : `:${error.line}:${error.column}`}: error parse-error ${error.message}`));

  const built = await cli(dir, [bad, DROP_FILE]);
  expect({ code: built.code, signal: built.signal, stderr: built.stderr }).toEqual({ code: exitCode, signal: null, stderr });
  expect(stylishBlock(built.stdout, DROP_FILE).some((line) => /^ {2}1:1 +dangerous +DROP TABLE users deletes .* drop-table$/.test(line))).toBe(true);
  if (errors.length > 0) {
    const block = stylishBlock(built.stdout, bad);
    for (const error of errors) {
      const where = error.line === undefined ? "0:0" : `${error.line}:${error.column}`;
      const line = new RegExp(`^ {2}${where} +error +${escapeRegExp(error.message)}$`);
      expect(block.filter((text) => line.test(text)), `stylish line for ${where} in ${JSON.stringify(block)}`).toHaveLength(1);
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
