#!/usr/bin/env node
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { cacheFolder } from "../project/cache-mac.js";
import { secretFile } from "../project/cache-secret.js";
import { startRecording } from "../files/fs-recorder.js";

// V8 compiles libpg-query's 1.7 MB of WebAssembly twice: at once with its baseline compiler,
// then again optimised in the background, and a process cannot exit before that second
// compile ends (≈150 ms here). A lint run is over sooner than the optimised code would pay
// off (measured on the whole corpus: no slower), so the CLI keeps the baseline code.
v8.setFlagsFromString("--liftoff-only");
// A file's parse tree is garbage once the file is linted, and only ≈10 MB of heap is live in a long
// run; left to its defaults, V8 lets the young generation grow to 48 MB and the old one to several
// times what it holds before collecting (350 MB peak over 31,000 files). Small semi-spaces, and an old
// generation collected when it has grown by a fifth, keep such a run under 200 MB, for ≈25% more time
// on it and none measurable on a run of 1,500 files (docs/performance.md). Worker threads get their
// young generation in src/project/lint-parallel.ts.
v8.setFlagsFromString("--max-semi-space-size=2");
v8.setFlagsFromString("--heap-growing-percent=20");
const argv = process.argv.slice(2);
const cwd = path.resolve(process.cwd());
// A --cache run records what it reads and prints, for the next identical run to replay (src/cli/entry.ts). The
// recording starts before the linter's modules load, so that it sees every read, theirs included.
const recorder = argv.includes("--cache") && argv[0] !== "verify" ? startRecording([cacheFolder(cwd), path.dirname(secretFile(process.env))]) : undefined;
const { run } = await import("./run.js");

// `migsafe ... | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// Reports written as they are made go straight to stdout (writes to pipes and files are synchronous on POSIX).
const printed: string[] = [];
const write = (chunk: string) => {
  if (recorder) printed.push(chunk);
  process.stdout.write(chunk);
};
const isTTY = process.stdout.isTTY === true;
// On a terminal the report fits its width (the summary per rule): the width is part of what a replay must match.
const columns = isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined;
const result = await run(argv, { isTTY, write, ...(columns ? { columns } : {}) });
if (result.output) process.stdout.write(result.output);
if (result.stderr) process.stderr.write(result.stderr);
if (recorder) {
  const inputs = recorder.stop();
  const [{ recordRun }, { bundleId }, { packageVersion }] = await Promise.all([import("./replay-record.js"), import("../project/run-record.js"), import("../version.js")]);
  const here = path.dirname(fileURLToPath(import.meta.url));
  // A record that cannot be written only means the next run lints again.
  recordRun(
    {
      argv,
      cwd,
      env: process.env,
      tty: [process.stdout.isTTY === true, process.stderr.isTTY === true, columns ?? 0],
      bundle: bundleId([path.join(here, "run.js"), path.join(here, "lint-worker.js")]),
      version: packageVersion(),
    },
    inputs,
    { stdout: printed.join("") + result.output, stderr: result.stderr, exitCode: result.exitCode },
  );
}
// Let the streams drain and the process end by itself: process.exit() could cut piped output short.
process.exitCode = result.exitCode;
