import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The built migsafe under test: this checkout's, or another one's with
 * MIGSAFE_ROOT=/path/to/checkout (how these tests are shown to fail on the code before the fix).
 */
export const MIGSAFE_ROOT = process.env.MIGSAFE_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = path.join(MIGSAFE_ROOT, "dist/cli.js");

export interface CliRun {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the built CLI in `cwd`, without the GitHub Actions environment unless `env` sets it. */
export function migsafe(
  args: readonly string[],
  cwd: string,
  options: { env?: Record<string, string>; nodeArgs?: string[]; timeout?: number } & Pick<SpawnSyncOptions, "input" | "uid" | "gid"> = {},
): CliRun {
  const { GITHUB_ACTIONS: _actions, GITHUB_STEP_SUMMARY: _summary, FORCE_COLOR: _color, ...env } = process.env;
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
    cwd,
    env: { ...env, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    input: options.input,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
    timeout: options.timeout ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, signal: result.signal };
}

/** A module of the build under test (dist/src/…), for the tests that call migsafe in-process. */
export async function fromBuild<T>(module: string): Promise<T> {
  return (await import(path.join(MIGSAFE_ROOT, "dist/src", `${module}.js`))) as T;
}
