/**
 * The GitHub Action's lint step (scripts/action/lint.sh, run by action.yml) with npm and npx replaced by
 * stand-ins that record how they were called: which migsafe it runs, before and after the version is published.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(repo, "scripts/action/lint.sh");
const version = (JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { version: string }).version;

let temp: string;
let work: string;
let bin: string;
let calls: string;
let output: string;

/** A stand-in for `name` that appends its arguments to the calls file and runs `body`. */
function standIn(name: string, body: string): void {
  fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $* (in $PWD)" >> "${calls}"\n${body}\n`, { mode: 0o755 });
}

function lintStep(env: Record<string, string>) {
  const result = spawnSync("bash", [script], {
    cwd: work,
    encoding: "utf8",
    env: {
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      HOME: temp,
      NO_COLOR: "1",
      GITHUB_ACTION_PATH: repo,
      GITHUB_OUTPUT: output,
      MIGSAFE_PATHS: "migrations",
      MIGSAFE_BASE: "",
      MIGSAFE_FORMAT: "compact",
      MIGSAFE_ARGS: "",
      MIGSAFE_SARIF: "false",
      MIGSAFE_SARIF_FILE: "migsafe.sarif",
      MIGSAFE_VERSION: "",
      ...env,
    },
  });
  return { ...result, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "", outputs: fs.readFileSync(output, "utf8") };
}

beforeEach(() => {
  temp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-action-")));
  work = path.join(temp, "project");
  bin = path.join(temp, "bin");
  calls = path.join(temp, "calls");
  output = path.join(temp, "github-output");
  fs.mkdirSync(path.join(work, "migrations"), { recursive: true });
  fs.mkdirSync(bin);
  fs.writeFileSync(output, "");
  fs.writeFileSync(path.join(work, "migrations/001_drop.sql"), "DROP TABLE users;\n");
  // npx runs the CLI of this checkout, as the published package would.
  standIn("npx", `exec node "${path.join(repo, "dist/cli.js")}" "\${@:3}"`);
});

afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

describe("the action's lint step", () => {
  it("builds migsafe from the action's checkout when its version is not on the npm registry, and runs that build", () => {
    standIn("npm", `case "$1" in view) echo "npm error 404 Not Found - GET https://registry.npmjs.org/migsafe" >&2; exit 1 ;; *) exit 0 ;; esac`);
    const step = lintStep({});
    expect(step.stdout).toContain(`::notice title=migsafe::migsafe ${version} is not on the npm registry: installing and building it from the action's checkout`);
    expect(step.calls).toBe(
      [`npm view migsafe@${version} version (in ${work})`, `npm ci --no-audit --no-fund --loglevel=error (in ${repo})`, `npm run build --silent (in ${repo})`, ""].join("\n"),
    );
    expect(step.stdout).toMatch(/^migrations\/001_drop\.sql:1:1: dangerous drop-table DROP TABLE users /m);
    expect(step.outputs).toBe("exit-code=1\n");
    expect(step.status).toBe(0);
  });

  it("runs the published version with npx when the registry has it", () => {
    standIn("npm", `case "$1" in view) echo "${version}" ;; *) exit 3 ;; esac`);
    const step = lintStep({});
    expect(step.stdout).not.toContain("::notice");
    expect(step.calls).toBe([`npm view migsafe@${version} version (in ${work})`, `npx --yes migsafe@${version} --format compact migrations (in ${work})`, ""].join("\n"));
    expect(step.outputs).toBe("exit-code=1\n");
  });

  it("runs the version the workflow asks for from npm, without looking up the action's own", () => {
    standIn("npm", "exit 3");
    const step = lintStep({ MIGSAFE_VERSION: "latest", MIGSAFE_ARGS: "--max-warnings 5\n--rule drop-table=careful" });
    expect(step.calls).toBe(`npx --yes migsafe@latest --format compact --max-warnings 5 --rule drop-table=careful migrations (in ${work})\n`);
    expect(step.outputs).toBe("exit-code=0\n");
  });

  it("records exit code 2, and runs nothing, when the build from the checkout fails", () => {
    standIn("npm", `case "$1" in view) exit 1 ;; ci) echo "npm error network" >&2; exit 1 ;; *) exit 0 ;; esac`);
    const step = lintStep({});
    expect(step.stdout).toContain("::error title=migsafe::migsafe could not be built from the action's checkout");
    expect(step.calls).not.toContain("run build");
    expect(step.outputs).toBe("exit-code=2\n");
    expect(step.status).toBe(0);
  });

  it("is the script action.yml runs, with the inputs passed as environment variables only", () => {
    const action = fs.readFileSync(path.join(repo, "action.yml"), "utf8");
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/scripts/action/lint.sh"');
    for (const name of ["PATHS", "BASE", "FORMAT", "ARGS", "SARIF", "SARIF_FILE", "VERSION"]) expect(action).toMatch(new RegExp(`MIGSAFE_${name}: \\$\\{\\{ inputs\\.`));
    expect(action).not.toMatch(/run: .*\$\{\{/);
  });
});
