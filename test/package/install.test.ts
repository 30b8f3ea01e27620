/**
 * The package as users get it: `npm pack`, installed into a fresh project with npm, and every
 * entry point run from that installed copy (never from this repository): the CLI, the API
 * (ESM import and CommonJS require), the ESLint plugin, `init-hook` and `verify`.
 * Needs a build (`npm test` builds first) and the npm registry (or npm's cache) for the dependencies.
 */
import type { SpawnSyncReturns } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTALL_FLAGS, installPacked, npm, repo, run as runIn, runOk as runOkIn, writeIn } from "./packed-project.js";

/** What only verify (PGlite, pg) and the linting of TS/JS migrations (typescript-estree, typescript) need. */
const OPTIONAL_PEERS = ["@electric-sql/pglite", "pg", "@typescript-eslint/typescript-estree", "typescript", "recheck"];
const TS_MIGRATION = `import { MigrationInterface, QueryRunner } from "typeorm";
export class AddTotal1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`ALTER TABLE orders ADD COLUMN total int\`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`ALTER TABLE orders DROP COLUMN total\`);
  }
}
`;

/** A placeholder whose regular expression recheck finds linear. */
const REGEX_CONFIG = '{"placeholders": {"\\\\{\\\\{[^{}]*\\\\}\\\\}": "users"}}';

let temp: string;
/** What `npm install <tarball>` printed on stderr. */
let installWarnings: string;
let tarball: string;
let project: string;

function run(command: string, args: readonly string[], cwd = project): SpawnSyncReturns<string> {
  return runIn(command, args, cwd);
}

function runOk(command: string, args: readonly string[], cwd = project): string {
  return runOkIn(command, args, cwd);
}

function write(relative: string, content: string): void {
  writeIn(project, relative, content);
}

const migsafeBin = () => path.join(project, "node_modules/.bin/migsafe");

beforeAll(() => {
  ({ temp, tarball, project, installWarnings } = installPacked("migsafe-package-", {
    "migrations/001_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    "migrations/002_drop_users.sql": "DROP TABLE users;\n",
    // What the tests below run, written once: each test stands alone, in whatever order the tests run.
    "verify/001_orders.sql": "ALTER TABLE orders ADD COLUMN total int;\n",
    "src/migrations/1700000000000-AddTotal.ts": TS_MIGRATION,
    "regex/migsafe.config.json": REGEX_CONFIG,
    "regex/001_drop.sql": "DROP TABLE {{ .Table }};\n",
  }));
}, 180_000);

afterAll(() => {
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

// The project is checked without the optional peer dependencies, then with them installed: those two groups run in
// this order even when the tests are shuffled (--sequence.shuffle); the tests inside each group stand alone.
describe("before and after the optional peer dependencies", { shuffle: false }, () => {
  describe("the packed package, installed into a fresh project", { timeout: 90_000, shuffle: true }, () => {
    it("is installed from the tarball, not linked to this repository", () => {
      const installed = fs.realpathSync(path.join(project, "node_modules/migsafe"));
      expect(installed).toBe(path.join(project, "node_modules/migsafe"));
      const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as { version: string };
      expect(manifest.version).toBe((JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { version: string }).version);
      expect(fs.existsSync(path.join(installed, "src"))).toBe(false);
    });

    it("runs the CLI: a dangerous finding exits 1", () => {
      const result = run(migsafeBin(), ["migrations"]);
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/migrations\/002_drop_users\.sql\n\s+1:1\s+dangerous\s.*drop-table/);
      expect(result.status).toBe(1);
      const json = run(migsafeBin(), ["--format", "json", "migrations/001_users.sql"]);
      expect(json.status).toBe(0);
      expect(JSON.parse(json.stdout)).toBeTruthy();
    });

    it("reads a migsafe.config.json with comments and a $schema that points at the published schema", () => {
      const schema = "./node_modules/migsafe/migsafe.config.schema.json";
      expect(JSON.parse(fs.readFileSync(path.join(project, schema), "utf8"))).toHaveProperty("properties.pgVersion");
      write("configured/migsafe.config.json", `{\n  "$schema": "${schema}",\n  // dropped on purpose\n  "rules": { "drop-table": "off" }\n}\n`);
      write("configured/001_drop.sql", "DROP TABLE users;\n");
      const result = run(migsafeBin(), ["--format", "compact", "configured/001_drop.sql"]);
      expect(result.stderr).toBe("");
      expect(result.stdout).not.toContain("drop-table");
    });

    it("runs through npx --no-install, as the Action and the hook do", () => {
      const result = run("npx", ["--no-install", "migsafe", "migrations/002_drop_users.sql"]);
      expect(result.stdout).toContain("drop-table");
      expect(result.status).toBe(1);
    });

    it("serves the API to an ESM import", () => {
      write(
        "api.mjs",
        `import { lint, lintText } from "migsafe";
const report = await lint(["migrations"]);
const text = await lintText("DROP TABLE users;", { filePath: "migrations/003.sql" });
console.log(JSON.stringify({
    from: import.meta.resolve("migsafe"),
    dangerous: report.dangerous,
    rules: report.results.flatMap((r) => r.findings.map((f) => f.ruleId)),
    textRules: text.findings.map((f) => f.ruleId),
}));
`,
      );
      const out = JSON.parse(runOk("node", ["api.mjs"])) as { from: string; dangerous: number; rules: string[]; textRules: string[] };
      expect(fileURLToPath(out.from).startsWith(path.join(project, "node_modules/migsafe/"))).toBe(true);
      expect(out.dangerous).toBe(1);
      expect(out.rules).toContain("drop-table");
      expect(out.textRules).toContain("drop-table");
    });

    it("serves the API to a CommonJS require", () => {
      write(
        "api.cjs",
        `const { lintText } = require("migsafe");
lintText("DROP TABLE users;", { filePath: "migrations/003.sql" }).then((result) => {
    console.log(JSON.stringify({ from: require.resolve("migsafe"), rules: result.findings.map((f) => f.ruleId) }));
  });
`,
      );
      const result = run("node", ["api.cjs"]);
      expect(result.stderr).toBe("");
      const out = JSON.parse(result.stdout) as { from: string; rules: string[] };
      expect(out.from.startsWith(path.join(project, "node_modules/migsafe/"))).toBe(true);
      expect(out.rules).toContain("drop-table");
    });

    it("serves the ESLint plugin from migsafe/eslint (eslint.config.mjs, as docs/editor.md shows)", () => {
      write(
        "eslint.config.mjs",
        `import migsafe from "migsafe/eslint";
export default [migsafe.configs.recommended];
`,
      );
      // This repository's ESLint, with the plugin the config imports from the project's node_modules.
      const eslint = path.join(repo, "node_modules/eslint/bin/eslint.js");
      const result = run("node", [eslint, "--format", "json", "migrations/002_drop_users.sql"]);
      const [file] = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; severity: number }[] }[];
      expect(file!.messages).toContainEqual(expect.objectContaining({ ruleId: "migsafe/drop-table", severity: 2 }));
      expect(result.status).toBe(1);
    });

    it("writes a pre-commit hook with init-hook that runs the installed migsafe and refuses a dangerous commit", () => {
      runOk("git", ["init", "-q", "-b", "main"]);
      fs.writeFileSync(path.join(project, ".gitignore"), "node_modules/\n");
      const init = run(migsafeBin(), ["init-hook"]);
      expect(init.stdout).toContain("Wrote .git/hooks/pre-commit");
      expect(init.status).toBe(0);
      runOk("git", ["add", ".gitignore", "package.json", "migrations/001_users.sql"]);
      expect(run("git", ["commit", "-q", "-m", "users"]).status).toBe(0);
      runOk("git", ["add", "migrations/002_drop_users.sql"]);
      const commit = run("git", ["commit", "-q", "-m", "drop"]);
      expect(commit.stdout + commit.stderr).toContain("drop-table");
      expect(commit.status).not.toBe(0);
      expect(runOk("git", ["rev-list", "--count", "HEAD"])).toBe("1\n");
    });

    it("installs without an install-scripts warning: the published manifest has no install-time script", () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(project, "node_modules/migsafe/package.json"), "utf8")) as { scripts?: Record<string, string> };
      const installTime = ["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"];
      expect(Object.keys(manifest.scripts ?? {}).filter((name) => installTime.includes(name))).toEqual([]);
      expect(installWarnings).not.toContain("install-scripts");
    });

    it("stays light: the optional peer dependencies are not installed with it", () => {
      for (const name of OPTIONAL_PEERS) expect(fs.existsSync(path.join(project, "node_modules", name)), name).toBe(false);
    });

    it("asks in one line for PGlite when verify needs it (exit 2)", () => {
      const result = run(migsafeBin(), ["verify", "verify"]);
      expect(result.stderr).toMatch(/^migsafe: migsafe verify without a DATABASE_URL .* needs @electric-sql\/pglite in the project: npm install --save-dev @electric-sql\/pglite\n$/);
      expect(result.status).toBe(2);
    });

    it("asks in one line for node-postgres when verify is given a DATABASE_URL (exit 2)", () => {
      const result = run(migsafeBin(), ["verify", "verify", "--database-url", "postgres://u:secret@localhost:1/db"]);
      expect(result.stderr).toContain("needs pg in the project: npm install --save-dev pg\n");
      expect(result.stderr).not.toContain("secret");
      expect(result.status).toBe(2);
    });

    it("asks in one line for typescript-estree when a TypeScript migration is linted (exit 2)", () => {
      const result = run(migsafeBin(), ["src/migrations/1700000000000-AddTotal.ts"]);
      expect(result.stdout + result.stderr).toContain("npm install --save-dev @typescript-eslint/typescript-estree typescript");
      expect(result.status).toBe(2);
    });

    it("asks in one line for recheck when the configuration holds a regular expression (exit 2)", () => {
      const result = run(migsafeBin(), ["regex/001_drop.sql"]);
      expect(result.stderr).toContain("needs recheck in the project: npm install --save-dev recheck");
      expect(result.status).toBe(2);
    });
  });

  describe("with its optional peer dependencies installed", { timeout: 90_000, shuffle: true }, () => {
    beforeAll(() => {
      const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
      runOk(npm, ["install", ...OPTIONAL_PEERS.map((name) => `${name}@${manifest.peerDependencies[name]}`), ...INSTALL_FLAGS]);
    }, 180_000);

    it("runs verify on PGlite", () => {
      const result = run(migsafeBin(), ["verify", "verify"]);
      expect(result.stdout).toMatch(/1:1\s+dangerous\s.*relation "orders" does not exist.*verify-error/);
      expect(result.stderr).toMatch(/verified 1 migration on PGlite [\d.]+ \(PostgreSQL \d+/);
      expect(result.status).toBe(1);
    });

    it("checks a placeholder's regular expression with recheck: a linear one is used, a backtracking one refused", () => {
      const used = run(migsafeBin(), ["regex/001_drop.sql"]);
      expect(used.stdout).toContain("drop-table");
      expect(used.status).toBe(1);
      write("regex-refused/migsafe.config.json", '{"placeholders": {"(a|aa)+$": "users"}}');
      write("regex-refused/001_drop.sql", "DROP TABLE {{ .Table }};\n");
      const refused = run(migsafeBin(), ["regex-refused/001_drop.sql"]);
      expect(refused.stderr).toMatch(/"placeholders\.\(a\|aa\)\+\$": the regular expression can backtrack for exponential time/);
      expect(refused.status).toBe(2);
    });

    it("lints the SQL of a TypeScript migration", () => {
      const result = run(migsafeBin(), ["src/migrations/1700000000000-AddTotal.ts"]);
      expect(result.stdout).toMatch(/1700000000000-AddTotal\.ts\n\s+\d+:\d+\s+careful\s.*require-lock-timeout/);
      expect(result.status).toBe(0);
    });
  });

});

describe("installed with pnpm (its strict node_modules: only declared dependencies resolve)", { timeout: 120_000 }, () => {
  let pnpmProject: string;
  const pnpm = path.join(repo, "node_modules/.bin/pnpm");

  beforeAll(() => {
    pnpmProject = path.join(temp, "pnpm-app");
    fs.mkdirSync(path.join(pnpmProject, "migrations"), { recursive: true });
    fs.writeFileSync(path.join(pnpmProject, "package.json"), JSON.stringify({ name: "pnpm-app", version: "1.0.0", private: true }, null, 2));
    fs.writeFileSync(path.join(pnpmProject, "migrations/001_drop.sql"), "DROP TABLE users;\n");
    runOk(pnpm, ["add", tarball, "--prefer-offline", "--reporter=append-only", "--store-dir", path.join(temp, "pnpm-store")], pnpmProject);
  }, 180_000);

  it("runs the CLI, serves the API (ESM and require) and the ESLint plugin (import(), also from CommonJS)", () => {
    const cli = run(path.join(pnpmProject, "node_modules/.bin/migsafe"), ["--format", "json", "migrations"], pnpmProject);
    expect((JSON.parse(cli.stdout) as { messages: { ruleId: string }[] }[])[0]!.messages.map((m) => m.ruleId)).toContain("drop-table");
    expect(cli.status).toBe(1);
    fs.writeFileSync(path.join(pnpmProject, "api.mjs"), 'import { lintText } from "migsafe";\nconsole.log((await lintText("TRUNCATE t;")).findings.map((f) => f.ruleId).join());\n');
    expect(runOk("node", ["api.mjs"], pnpmProject)).toContain("truncate");
    fs.writeFileSync(path.join(pnpmProject, "api.cjs"), 'console.log(require("migsafe").lintText.name);\nimport("migsafe/eslint").then((m) => console.log(Object.keys(m.default).sort().join()));\n');
    expect(runOk("node", ["api.cjs"], pnpmProject)).toMatch(/^lintText\n.*configs.*languages.*rules/);
  });
});

describe("npm ci of this repository", () => {
  it("has every dependency's install script approved or denied in allowScripts, so that it prints no install-scripts warning", (context) => {
    const listed = run(npm, ["install-scripts", "ls"], repo);
    // npm before allowScripts (before 11.x) has no such command, and runs the scripts without warning.
    if (/Unknown command/i.test(listed.stderr)) context.skip("this npm has no allowScripts");
    expect(listed.stdout + listed.stderr).not.toContain("not yet covered");
    expect(listed.status).toBe(0);
  });
});
