/**
 * The package as users get it: `npm pack` of this repository, installed into a fresh project with npm. Shared by
 * test/package/install.test.ts and test/docs/code-blocks.test.ts. Needs a build (`npm test` builds first) and the npm
 * registry (or npm's cache) for the dependencies.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const npm = process.platform === "win32" ? "npm.cmd" : "npm";
export const INSTALL_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund"];

// Under `npm test`, npm passes its own configuration down as npm_* variables (the repository as prefix, among
// others): the npm of the fresh project and the hook must see none of it. An empty git configuration keeps the
// user's own (a global core.hooksPath) out of init-hook.
export const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
Object.assign(env, { NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com" });
Object.assign(env, { GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" });

export function run(command: string, args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 60_000 });
}

export function runOk(command: string, args: readonly string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

export function writeIn(root: string, relative: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  fs.writeFileSync(path.join(root, relative), content);
}

export interface PackedProject {
  /** The temporary folder holding the tarball and the project; remove it when done. */
  readonly temp: string;
  readonly tarball: string;
  /** The project, a CommonJS package (what `npm init -y` writes) with migsafe installed from the tarball. */
  readonly project: string;
  /** What `npm install <tarball>` printed on stderr (warnings). */
  readonly installWarnings: string;
}

/** Packs this repository and installs the tarball into a fresh project; `files` are written into it first. */
export function installPacked(prefix: string, files: Record<string, string> = {}): PackedProject {
  if (!fs.existsSync(path.join(repo, "dist/cli.js"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
  const temp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  // --ignore-scripts: the build is already there; `prepack` would rebuild it for every run of the tests.
  const packed = JSON.parse(runOk(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", temp], repo)) as { filename: string }[];
  const tarball = path.join(temp, packed[0]!.filename);
  const project = path.join(temp, "app");
  fs.mkdirSync(project);
  writeIn(project, "package.json", JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "commonjs" }, null, 2));
  for (const [relative, content] of Object.entries(files)) writeIn(project, relative, content);
  const installed = run(npm, ["install", tarball, ...INSTALL_FLAGS], project);
  if (installed.status !== 0) throw new Error(`npm install exited ${installed.status}:\n${installed.stdout}\n${installed.stderr}`);
  return { temp, tarball, project, installWarnings: installed.stderr };
}
