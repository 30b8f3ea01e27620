#!/usr/bin/env node
/**
 * The `migsafe` command (dist/cli.js): a small module that, for a `--cache` run, checks the run record
 * (src/project/run-record.ts, node:fs and node:crypto only) and, when nothing the last identical run read
 * changed, prints what it printed and exits as it did. Otherwise — and for every other command line — it
 * loads the linter (dist/run.cjs: rules, engine, formatters, and the WebAssembly parser when a file is parsed),
 * compiled from the user's code cache when it holds this build (code-cache.ts).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageVersion } from "../version.js";
import { bundleId, replayRun } from "../project/run-record.js";
import { escapeControl } from "../formatters/escape.js";
import { loadBundle } from "./code-cache.js";
import { setCommandLineFlags } from "./v8-flags.js";

const argv = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
if (argv.includes("--cache") && argv[0] !== "verify") {
  const replay = replayRun({
    argv,
    cwd: path.resolve(process.cwd()),
    env: process.env,
    tty: [process.stdout.isTTY === true, process.stderr.isTTY === true, process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : 0],
    bundle: bundleId([path.join(here, "run.cjs"), path.join(here, "lint-worker.js")]),
    version: packageVersion(),
  });
  if (replay.warning) process.stderr.write(`migsafe: ${escapeControl(replay.warning)}\n`);
  if (replay.output) {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
    if (replay.output.stdout.length > 0) process.stdout.write(replay.output.stdout);
    if (replay.output.stderr.length > 0) process.stderr.write(replay.output.stderr);
    process.exitCode = replay.output.exitCode;
  } else await lint();
} else await lint();

async function lint(): Promise<void> {
  setCommandLineFlags();
  const bundle = loadBundle(path.join(here, "run.cjs"), process.env);
  if (argv.includes("--debug")) process.stderr.write(`migsafe: debug: the linter compiled ${bundle.compiled}\n`);
  await (bundle.exports.main as () => Promise<void>)();
  bundle.keepCode();
}
