/**
 * Docs that work when pasted: every fenced code block of README.md and docs/*.md is run or checked in a temporary
 * project where migsafe is installed from the packed tarball (`npm pack`), or skipped with a stated reason.
 *
 * Each block gets a decision from its language and its `<!-- docs-test: … -->` annotation (invisible on GitHub), on
 * the line before the fence:
 *
 * - `sh`/`bash`/`shell`/`console`: each command line runs with `bash -e` in the project (`console`: the `$ ` lines),
 *   `npx migsafe` resolving to the installed tarball (npm offline). `exit=1` (or `exit=0,1,…` per line) states the
 *   expected exit codes; `skip-lines=2,3 (reason)` leaves lines out; `files=a.sql,b` creates files first;
 *   `in=repo` runs the block in a clone of this repository instead (README's set-up); `written-by="command"
 *   file=PATH` says the block is the file that command writes.
 * - `sql`: `findings=rule,rule` (or `none`): the set of rule ids the installed CLI reports for the block as a migration
 *   file (`file=` names it); `eslint` also lints it with ESLint 9 and 10 and expects the same rules.
 * - `json`/`jsonc`: the file it is (`file=`, or a `// name` first line): `migsafe.config.json`/`.migsaferc.json` must
 *   pass the published JSON Schema and `migsafe --print-config`; `package.json` fragments are merged into the
 *   project and the commands they hold run on a dangerous migration (exit 1); other files must parse.
 * - `js`/`mjs`/`ts`: an `eslint.config.*` (`file=`, or a `// eslint.config.mjs` first line) runs with real ESLint 9
 *   and 10 on a dangerous migration; code importing "migsafe" runs with node (TypeScript type-checked against the
 *   installed types, then transpiled); `expect="js expression"` must hold at the end; `placeholder="x" value="y"`
 *   fills a placeholder; `typecheck in=repo` type-checks code written inside this repository.
 * - `yaml`: parses; `uses: migsafe/migsafe@…` names this version and only the action's inputs; a pre-commit
 *   `repos:` entry names this version and the hooks of .pre-commit-hooks.yaml; the `npx migsafe` lines of its
 *   `run`/`script`/`command` steps run in a git project (`no-run (reason)` leaves them out).
 * - `text` and unlabelled blocks: `output command="…"` (or a `$ ` first line) re-runs the command and compares the
 *   report's files, positions, severities, rules and summary line; `output (reason)` shows output that is not re-run.
 * - `skip (reason)`: not run, for the reason given.
 *
 * A block without a decision fails "every block has a decision". Third-party packages the examples need (ESLint 9
 * and 10, @eslint/js, PGlite, @typescript-eslint/parser) are linked from this repository's node_modules, the
 * versions its lockfile pins, so that nothing but migsafe's own dependencies comes from the registry.
 */
import { spawn, type SpawnSyncReturns } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import yaml from "js-yaml";
import jsonc from "jsonc-parser";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env, installPacked, repo, run, writeIn, type PackedProject } from "../package/packed-project.js";
import { codeBlocks, strayAnnotations, type Annotation, type CodeBlock } from "./markdown.js";


const PAGES = ["README.md", ...fs.readdirSync(path.join(repo, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`)];
const BLOCKS = PAGES.flatMap((page) => codeBlocks(page, fs.readFileSync(path.join(repo, page), "utf8")));
const VERSION = (JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { version: string }).version;

/** Linked into the installed project from this repository's node_modules. */
const LINKED = ["@electric-sql/pglite", "@eslint/js", "@typescript-eslint/parser", "@typescript-eslint/typescript-estree", "typescript", "recheck"];
const ESLINTS = [
  { name: "ESLint 9", dir: path.join(repo, "node_modules/eslint-v9") },
  { name: "ESLint 10", dir: path.join(repo, "node_modules/eslint") },
];
/** Every project starts with these: safe migrations where the docs' commands look for them. */
const BASE_FILES: Record<string, string> = {
  "migrations/001_users.sql": "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);\n",
  "migrations/001_users_rollback.sql": "DROP TABLE IF EXISTS users;\n",
  "db/migrations/001_users.sql": "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);\n",
  "db/migrations/001_users_rollback.sql": "DROP TABLE IF EXISTS users;\n",
};
const DANGEROUS_SQL = "DROP TABLE users;\n";
// Another table than DANGEROUS_SQL's: a table that an earlier migration dropped is no loss (cross-file history).
const DANGEROUS_JS = 'exports.up = (pgm) => {\n  pgm.sql("DROP TABLE orders;");\n};\n';
const DANGEROUS_TS = `import { MigrationInterface, QueryRunner } from "typeorm";
export class DropInvoices1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`DROP TABLE invoices\`);
  }
}
`;

type Decision =
  | { kind: "skip"; reason: string }
  | { kind: "output"; command?: string; inRepo: boolean; exit: number; reason?: string }
  | { kind: "shell"; inRepo: boolean }
  | { kind: "written-by"; command: string; file: string }
  | { kind: "sql"; findings: string[]; file: string; eslint: boolean }
  | { kind: "eslint-config"; file: string }
  | { kind: "migsafe-config"; file: string }
  | { kind: "package-json" }
  | { kind: "json-file"; file: string }
  | { kind: "script"; typescript: boolean; inRepo: boolean; runs: boolean }
  | { kind: "yaml"; runs: boolean }
  | { kind: "undecided"; why: string };

const has = (annotation: Annotation | undefined, word: string) => annotation?.words.includes(word) ?? false;
const value = (annotation: Annotation | undefined, key: string) => annotation?.values.get(key);
/** The file a block names on its first line (`// eslint.config.mjs`, `# .gitlab-ci.yml`). */
const firstLineFile = (block: CodeBlock) => /^(?:\/\/|#)\s*([\w./-]+\.(?:m?js|cjs|ts|json|jsonc|ya?ml))\s*$/.exec(block.text.split("\n")[0]!)?.[1];

function decide(block: CodeBlock): Decision {
  const note = block.annotation;
  if (has(note, "skip")) return note!.reason ? { kind: "skip", reason: note!.reason } : { kind: "undecided", why: "skip without a (reason)" };
  if (has(note, "output")) {
    const command = value(note, "command") ?? /^\$ (.+)$/.exec(block.text.split("\n")[0]!)?.[1];
    if (!command && !note!.reason) return { kind: "undecided", why: "output with neither a command to re-run nor a (reason)" };
    return { kind: "output", command, inRepo: value(note, "in") === "repo", exit: Number(value(note, "exit") ?? 0), reason: note!.reason };
  }
  const file = value(note, "file") ?? firstLineFile(block);
  if (value(note, "skip-lines") && !note!.reason) return { kind: "undecided", why: "skip-lines without a (reason)" };
  switch (block.lang) {
    case "sh":
    case "bash":
    case "shell":
    case "console": {
      const writtenBy = value(note, "written-by");
      if (writtenBy) return file ? { kind: "written-by", command: writtenBy, file } : { kind: "undecided", why: "written-by without file=" };
      return { kind: "shell", inRepo: value(note, "in") === "repo" };
    }
    case "sql": {
      const findings = value(note, "findings");
      if (!findings) return { kind: "undecided", why: "SQL without findings=rule,… (or findings=none)" };
      return { kind: "sql", findings: findings === "none" ? [] : findings.split(",").sort(), file: file ?? "migrations/100_docs_example.sql", eslint: has(note, "eslint") };
    }
    case "json":
    case "jsonc":
      if (!file) return { kind: "undecided", why: "JSON without file= (or a // name first line)" };
      if (/(^|\/)(migsafe\.config\.json|\.migsaferc\.json)$/.test(file)) return { kind: "migsafe-config", file };
      if (file === "package.json") return { kind: "package-json" };
      return { kind: "json-file", file };
    case "js":
    case "mjs":
    case "ts":
      if (file && /(^|\/)eslint\.config\.[cm]?[jt]s$/.test(file)) return { kind: "eslint-config", file };
      if (has(note, "typecheck")) {
        if (block.lang !== "ts" || !note!.reason) return { kind: "undecided", why: "typecheck needs a ts block and a (reason) for not running it" };
        return { kind: "script", typescript: true, inRepo: value(note, "in") === "repo", runs: false };
      }
      if (/from "migsafe"|require\("migsafe"\)/.test(block.text)) return { kind: "script", typescript: block.lang === "ts", inRepo: false, runs: true };
      return { kind: "undecided", why: "script that neither imports migsafe nor is an eslint.config.* (file=)" };
    case "yaml":
    case "yml":
      if (has(note, "no-run") && !note!.reason) return { kind: "undecided", why: "no-run without a (reason)" };
      return { kind: "yaml", runs: !has(note, "no-run") };
    default:
      return { kind: "undecided", why: `a ${block.lang || "plain"} block with no docs-test annotation` };
  }
}

const DECIDED = BLOCKS.map((block) => ({ block, decision: decide(block) }));
const ofKind = <K extends Decision["kind"]>(kind: K) =>
  DECIDED.filter((entry): entry is { block: CodeBlock; decision: Extract<Decision, { kind: K }> } => entry.decision.kind === kind).map(
    ({ block, decision }) => [block.where, block, decision] as const,
  );

// ---------------------------------------------------------------------------------------------------------------
// The projects: one install from the tarball, shared by a fresh folder per block.

let packed: PackedProject | undefined;
let blockCount = 0;
/** A clone of this repository with `npm ci` run in it, for README's set-up commands (started early: it is slow). */
let repoClone: Promise<string> | undefined;
const shellRuns = new Map<CodeBlock, Promise<LineResult[]>>();

interface LineResult {
  line: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

function sh(script: string, cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<LineResult> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-e", "-o", "pipefail", "-c", script], { cwd, env: shellEnv(cwd, extraEnv), timeout: 150_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (status) => resolve({ line: script, status, stdout, stderr }));
  });
}

function shellEnv(cwd: string, extraEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const inProject = packed !== undefined && cwd.startsWith(packed.temp);
  return {
    ...env,
    PATH: `${path.join(cwd, "node_modules/.bin")}${path.delimiter}${env.PATH ?? ""}`,
    // npx must find the installed migsafe and never download one.
    ...(inProject ? { npm_config_offline: "true" } : { npm_config_prefer_offline: "true" }),
    npm_config_audit: "false",
    npm_config_fund: "false",
    GITHUB_ACTIONS: "",
    ...extraEnv,
  };
}

function git(cwd: string, ...args: string[]): string {
  const result = run("git", args, cwd);
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A fresh project: the base files, a git repository with them committed (origin/main too), migsafe installed. */
function newProject(eslint?: string): string {
  const dir = path.join(packed!.temp, `block-${++blockCount}`);
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.copyFileSync(path.join(packed!.project, "package.json"), path.join(dir, "package.json"));
  for (const [relative, content] of Object.entries(BASE_FILES)) writeIn(dir, relative, content);
  const shared = path.join(packed!.project, "node_modules");
  for (const entry of fs.readdirSync(shared)) fs.symlinkSync(path.join(shared, entry), path.join(dir, "node_modules", entry), "junction");
  if (eslint) linkEslint(dir, eslint);
  fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules/\n");
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "base");
  git(dir, "update-ref", "refs/remotes/origin/main", "HEAD");
  return dir;
}

function linkEslint(dir: string, eslintDir: string): void {
  fs.rmSync(path.join(dir, "node_modules/eslint"), { force: true });
  fs.symlinkSync(eslintDir, path.join(dir, "node_modules/eslint"), "junction");
}

function commandLines(block: CodeBlock): string[] {
  const lines = block.text.split("\n");
  const commands = block.lang === "console" ? lines.filter((line) => line.startsWith("$ ")).map((line) => line.slice(2)) : lines;
  return commands.filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
}

function numbers(list: string | undefined): number[] {
  return (list ?? "").split(",").filter(Boolean).map(Number);
}

async function runShellBlock(block: CodeBlock, cwd: string): Promise<LineResult[]> {
  const skipped = new Set(numbers(value(block.annotation, "skip-lines")));
  for (const file of (value(block.annotation, "files") ?? "").split(",").filter(Boolean)) writeIn(cwd, file, file.endsWith(".sql") ? "SELECT 1;\n" : "");
  const results: LineResult[] = [];
  for (const [index, line] of commandLines(block).entries()) {
    if (skipped.has(index + 1)) continue;
    results.push(await sh(line, cwd));
  }
  return results;
}

function cloneRepo(): Promise<string> {
  const clone = path.join(packed!.temp, "clone");
  git(packed!.temp, "clone", "-q", repo, clone);
  return Promise.resolve(clone);
}

beforeAll(() => {
  packed = installPacked("migsafe-docs-");
  for (const name of LINKED) {
    fs.mkdirSync(path.dirname(path.join(packed.project, "node_modules", name)), { recursive: true });
    fs.symlinkSync(path.join(repo, "node_modules", name), path.join(packed.project, "node_modules", name), "junction");
  }
  // README's set-up block runs `npm ci` in a clone of the repository: start it now, alongside the other blocks.
  const repoBlocks = ofKind("shell").filter(([, , decision]) => decision.inRepo);
  if (repoBlocks.length) {
    repoClone = cloneRepo();
    for (const [, block] of repoBlocks) shellRuns.set(block, repoClone.then((clone) => runShellBlock(block, clone)));
  }
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(shellRuns.values());
  if (packed) fs.rmSync(packed.temp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------

describe("the code blocks of README.md and docs/*.md", () => {
  it("are found on every page", () => {
    expect(BLOCKS.length).toBeGreaterThan(40);
    for (const page of ["README.md", "docs/ci.md", "docs/configuration.md", "docs/editor.md"]) {
      expect(BLOCKS.some((block) => block.page === page), page).toBe(true);
    }
  });

  it("every block has a decision: run, checked, or skipped with a reason", () => {
    const undecided = DECIDED.filter(({ decision }) => decision.kind === "undecided").map(
      ({ block, decision }) => `${block.where} (${block.lang || "no language"}): ${(decision as { why: string }).why}`,
    );
    expect(undecided).toEqual([]);
  });

  it("every docs-test annotation sits right before a fence", () => {
    expect(PAGES.flatMap((page) => strayAnnotations(page, fs.readFileSync(path.join(repo, page), "utf8")))).toEqual([]);
  });

  it("tallies the decisions", () => {
    const tally = new Map<string, number>();
    for (const { decision } of DECIDED) tally.set(decision.kind, (tally.get(decision.kind) ?? 0) + 1);
    const skips = DECIDED.filter(({ decision }) => decision.kind === "skip").map(({ block, decision }) => `  ${block.where}: ${(decision as { reason: string }).reason}`);
    console.log(`docs code blocks: ${BLOCKS.length}\n${[...tally].map(([kind, count]) => `  ${kind}: ${count}`).join("\n")}\nskipped:\n${skips.join("\n")}`);
    expect(skips.length).toBeLessThanOrEqual(5);
  });
});

function expectExits(block: CodeBlock, results: LineResult[]): void {
    const exits = numbers(value(block.annotation, "exit"));
    expect(results.length, "no command ran").toBeGreaterThan(0);
    results.forEach((result, index) => {
      const expected = exits.length === 1 ? exits[0] : (exits[index] ?? 0);
      expect(result.status, `${result.line}\n${result.stdout}\n${result.stderr}`).toBe(expected);
    });
}

describe("shell blocks run", { timeout: 180_000 }, () => {
  it.each(ofKind("shell").filter(([, , decision]) => !decision.inRepo))("%s", async (_where, block) => {
    expectExits(block, await runShellBlock(block, newProject()));
  });

  it.each(ofKind("written-by"))("%s is the file its command writes", async (_where, block, decision) => {
    const dir = newProject();
    const result = await sh(decision.command, dir);
    expect(result.status, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, decision.file), "utf8")).toBe(block.text);
  });
});

/** A stylish report, as its parts: the files, their findings by position/severity/rule, and the summary line. */
function reportParts(text: string): { findings: string[]; summary: string[] } {
  const findings: string[] = [];
  const summary: string[] = [];
  let file = "";
  for (const line of text.split("\n")) {
    const finding = /^\s+(\d+:\d+)\s+(dangerous|careful)\s.*\s([a-z-]+)$/.exec(line);
    if (finding) findings.push(`${file} ${finding[1]} ${finding[2]} ${finding[3]}`);
    else if (/^\S/.test(line) && !line.startsWith("$ ")) {
      if (/^(✖|migsafe: )/.test(line)) summary.push(line.replace(/\d+\.\d+(\.\d+)?/g, "#.#"));
      else file = line.trim();
    }
  }
  return { findings, summary };
}

async function expectOutput(block: CodeBlock, decision: Extract<Decision, { kind: "output" }>): Promise<void> {
    let cwd: string;
    if (decision.inRepo) {
      await Promise.all(shellRuns.values());
      cwd = await repoClone!;
    } else cwd = newProject();
    const result = await sh(decision.command!, cwd);
    expect(result.status, result.stderr).toBe(decision.exit);
    const shown = reportParts(block.text);
    const actual = reportParts(`${result.stdout}\n${result.stderr}`);
    expect(shown.findings.length, "no finding shown").toBeGreaterThan(0);
    expect(actual.findings).toEqual(expect.arrayContaining(shown.findings));
    expect(actual.summary).toEqual(shown.summary);
}

// Output blocks of commands run in the packed project (those run in the clone are checked with README's set-up).
const outputBlocks = ofKind("output").filter(([, , decision]) => decision.command && !decision.inRepo);
describe.skipIf(outputBlocks.length === 0)("output blocks match what the command prints", { timeout: 180_000 }, () => {
  it.each(outputBlocks)("%s", async (_where, block, decision) => {
    await expectOutput(block, decision);
  });
});

interface JsonReport {
  filePath: string;
  messages: { ruleId: string | null; message: string; severity: number; fatal?: boolean }[];
}

function eslint(dir: string, eslintDir: string, args: string[]): SpawnSyncReturns<string> {
  linkEslint(dir, eslintDir);
  return run(process.execPath, [path.join(eslintDir, "bin/eslint.js"), "--format", "json", ...args], dir);
}

describe("SQL examples give the findings the docs say", { timeout: 120_000 }, () => {
  it.each(ofKind("sql"))("%s", (_where, block, decision) => {
    const dir = newProject();
    writeIn(dir, decision.file, block.text);
    const result = run(path.join(dir, "node_modules/.bin/migsafe"), ["--format", "json", decision.file], dir);
    // A file that does not parse is reported on stderr too (one line per error), and as ruleId null in the report.
    if (!decision.findings.includes("parse-error")) expect(result.stderr).toBe("");
    const [report] = JSON.parse(result.stdout) as JsonReport[];
    const rules = [...new Set(report!.messages.map((message) => message.ruleId ?? "parse-error"))].sort();
    expect(rules).toEqual(decision.findings);
    if (!decision.eslint) return;
    writeIn(dir, "eslint.config.mjs", 'import migsafe from "migsafe/eslint";\nexport default [migsafe.configs.recommended];\n');
    for (const { name, dir: eslintDir } of ESLINTS) {
      const linted = eslint(dir, eslintDir, [decision.file]);
      const [file] = JSON.parse(linted.stdout) as JsonReport[];
      const eslintRules = [...new Set(file!.messages.map((message) => message.ruleId ?? "parse-error"))].sort();
      expect(eslintRules, name).toEqual(decision.findings.map((rule) => `migsafe/${rule}`));
    }
  });
});

describe("eslint.config.* blocks run with real ESLint 9 and 10", { timeout: 120_000 }, () => {
  it.each(ofKind("eslint-config"))("%s", (_where, block, decision) => {
    const dir = newProject();
    writeIn(dir, decision.file, block.text);
    writeIn(dir, "migrations/002_drop_users.sql", DANGEROUS_SQL);
    const typescript = block.text.includes("configs.typescript");
    if (typescript) writeIn(dir, "migrations/003_drop_orders.js", DANGEROUS_JS);
    if (typescript) writeIn(dir, "migrations/004_drop_invoices.ts", DANGEROUS_TS);
    for (const { name, dir: eslintDir } of ESLINTS) {
      const result = eslint(dir, eslintDir, ["."]);
      expect(result.status, `${name}: ${result.stderr}`).toBe(1);
      const reports = JSON.parse(result.stdout) as JsonReport[];
      const fatal = reports.flatMap((report) => report.messages.filter((message) => message.fatal || !message.ruleId).map((message) => `${report.filePath}: ${message.message}`));
      expect(fatal, name).toEqual([]);
      const dropped = reports.filter((report) => report.messages.some((message) => message.ruleId === "migsafe/drop-table" && message.severity === 2));
      const seen = reports.map((report) => `${path.relative(dir, report.filePath)}: ${report.messages.map((message) => message.ruleId).join(", ")}`);
      expect(dropped.map((report) => path.relative(dir, report.filePath)).sort(), `${name}\n${seen.join("\n")}`).toEqual(
        typescript ? ["migrations/002_drop_users.sql", "migrations/003_drop_orders.js", "migrations/004_drop_invoices.ts"] : ["migrations/002_drop_users.sql"],
      );
    }
  });
});

describe("JSON blocks load", { timeout: 60_000 }, () => {
  it.each(ofKind("migsafe-config"))("%s: the JSON Schema and migsafe --print-config accept it", (_where, block, decision) => {
    const dir = newProject();
    writeIn(dir, decision.file, block.text);
    const schema = JSON.parse(fs.readFileSync(path.join(dir, "node_modules/migsafe/migsafe.config.schema.json"), "utf8")) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const errors: jsonc.ParseError[] = [];
    const config = jsonc.parse(block.text, errors) as unknown;
    expect(errors).toEqual([]);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    const result = run(path.join(dir, "node_modules/.bin/migsafe"), ["--print-config", "db/migrations/001_users.sql"], dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toBeTruthy();
  });

  it.each(ofKind("json-file"))("%s parses", (_where, block) => {
    const errors: jsonc.ParseError[] = [];
    jsonc.parse(block.text, errors, { allowTrailingComma: false });
    expect(errors).toEqual([]);
  });

  it.each(ofKind("package-json"))("%s: in package.json, its commands refuse a dangerous migration", async (_where, block) => {
    const dir = newProject();
    const fragment = JSON.parse(block.text) as Record<string, Record<string, string>>;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...manifest, ...fragment }, null, 2));
    writeIn(dir, "migrations/002_drop_users.sql", DANGEROUS_SQL);
    git(dir, "add", "migrations/002_drop_users.sql");
    const commands: string[] = [];
    for (const [key, entries] of Object.entries(fragment)) {
      // lint-staged appends the staged files that match the glob; a git hook's command runs as written.
      if (key === "lint-staged") commands.push(...Object.values(entries).map((command) => `${command} migrations/002_drop_users.sql`));
      else if (key === "simple-git-hooks") commands.push(...Object.values(entries));
      else throw new Error(`${block.where}: no check for the package.json key ${key}`);
    }
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const result = await sh(command, dir);
      expect(result.stdout, command).toContain("drop-table");
      expect(result.status, `${command}\n${result.stderr}`).toBe(1);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Scripts: TypeScript type-checked (one program for all the blocks), then run with node.

const scriptFiles = new Map<CodeBlock, string>();
let diagnostics: Map<string, string[]> | undefined;

function scriptFile(block: CodeBlock, decision: Extract<Decision, { kind: "script" }>): string {
  let file = scriptFiles.get(block);
  if (file) return file;
  const extension = decision.typescript ? "mts" : "mjs";
  if (decision.inRepo) {
    // Code written inside this repository (a rule in rules/): its relative imports reach the repository's src/.
    const dir = path.join(packed!.temp, `repo-example-${scriptFiles.size}`);
    fs.mkdirSync(path.join(dir, "rules"), { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
    file = path.join(dir, "rules", "docs-example.ts");
  } else file = path.join(newProject(), `example.${extension}`);
  let text = decision.inRepo ? block.text.replace(/(from ")\.\.\/src\//g, `$1${repo}/src/`) : block.text;
  const placeholder = value(block.annotation, "placeholder");
  if (placeholder) text = text.split(placeholder).join(value(block.annotation, "value") ?? "");
  const check = value(block.annotation, "expect");
  if (check) text += `\nif (!(${check})) { console.error(${JSON.stringify(`docs-test: expected ${check}`)}); process.exit(3); }\n`;
  fs.writeFileSync(file, text);
  scriptFiles.set(block, file);
  return file;
}

function typeErrors(file: string): string[] {
  if (!diagnostics) {
    const entries = ofKind("script").filter(([, , decision]) => decision.typescript);
    const files = entries.map(([, block, decision]) => scriptFile(block, decision));
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [path.join(repo, "node_modules/@types")],
    });
    diagnostics = new Map(files.map((name) => [name, []]));
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const name = diagnostic.file?.fileName ?? "";
      const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
      const text = `${name}${where ? `:${where.line + 1}` : ""}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
      // An error in a file the examples import (migsafe's types, the repository's src/) counts against all of them.
      for (const owner of files.includes(name) ? [name] : files) diagnostics.get(owner)!.push(text);
    }
  }
  return diagnostics.get(file) ?? [];
}

describe("scripts that use migsafe run", { timeout: 120_000 }, () => {
  it.each(ofKind("script"))("%s", (_where, block, decision) => {
    const file = scriptFile(block, decision);
    if (decision.typescript) expect(typeErrors(file)).toEqual([]);
    if (!decision.runs) return;
    let runnable = file;
    if (decision.typescript) {
      runnable = file.replace(/\.mts$/, ".mjs");
      const output = ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      fs.writeFileSync(runnable, output.outputText);
    }
    const result = run(process.execPath, [runnable], path.dirname(runnable));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// YAML: CI configurations.

type Yaml = unknown;
function walk(node: Yaml, visit: (key: string, value: Yaml, parent: Record<string, Yaml>) => void): void {
  if (Array.isArray(node)) for (const item of node) walk(item, visit);
  else if (node && typeof node === "object") {
    for (const [key, child] of Object.entries(node as Record<string, Yaml>)) {
      visit(key, child, node as Record<string, Yaml>);
      walk(child, visit);
    }
  }
}

const dedent = (text: string) => {
  const indent = Math.min(...text.split("\n").filter((line) => line.trim() && !line.trimStart().startsWith("#")).map((line) => line.length - line.trimStart().length));
  return text
    .split("\n")
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join("\n");
};

describe("YAML blocks (CI configurations) parse and name what exists", { timeout: 120_000 }, () => {
  const actionInputs = Object.keys((yaml.load(fs.readFileSync(path.join(repo, "action.yml"), "utf8")) as { inputs: object }).inputs);
  const hookIds = (yaml.load(fs.readFileSync(path.join(repo, ".pre-commit-hooks.yaml"), "utf8")) as { id: string }[]).map((hook) => hook.id);

  it.each(ofKind("yaml"))("%s", async (_where, block, decision) => {
    const document = yaml.load(dedent(block.text));
    expect(document).toBeTruthy();
    const commands: string[] = [];
    walk(document, (key, node, parent) => {
      if (key === "uses" && typeof node === "string" && node.startsWith("migsafe/migsafe@")) {
        expect(node).toBe(`migsafe/migsafe@v${VERSION}`);
        expect(Object.keys((parent.with as object | undefined) ?? {}).filter((input) => !actionInputs.includes(input))).toEqual([]);
      }
      if (key === "repo" && node === "https://github.com/migsafe/migsafe") {
        expect(parent.rev).toBe(`v${VERSION}`);
        expect((parent.hooks as { id: string }[]).map((hook) => hook.id).filter((id) => !hookIds.includes(id))).toEqual([]);
      }
      const scripts = key === "run" || key === "command" ? [node] : key === "script" ? (Array.isArray(node) ? node : [node]) : [];
      for (const script of scripts) if (typeof script === "string") commands.push(...script.split("\n").map((line) => line.trim()));
    });
    // An expression pasted into a script is a script injection: the docs pass ${{ }} values through env.
    expect(commands.filter((line) => line.includes("${{"))).toEqual([]);
    const runnable = commands.filter((line) => /^(npx migsafe|mkdir) /.test(line));
    if (!decision.runs || !runnable.length) return;
    const dir = newProject();
    const base = git(dir, "rev-parse", "HEAD");
    const placeholders = { BASE_SHA: base, CI_MERGE_REQUEST_DIFF_BASE_SHA: base, BITBUCKET_PR_DESTINATION_BRANCH: "main" };
    for (const line of runnable) {
      const result = await sh(line, dir, placeholders);
      expect(result.status, `${line}\n${result.stdout}\n${result.stderr}`).toBe(0);
    }
  });
});


// Last, so that the other blocks run while `npm ci` installs the clone.
describe("README's set-up, in a clone of the repository", { timeout: 240_000 }, () => {
  it.each(ofKind("shell").filter(([, , decision]) => decision.inRepo))("%s runs", async (_where, block) => {
    expectExits(block, await shellRuns.get(block)!);
  });

  it.each(ofKind("output").filter(([, , decision]) => decision.command && decision.inRepo))("%s matches what the command prints", async (_where, block, decision) => {
    await expectOutput(block, decision);
  });
});
