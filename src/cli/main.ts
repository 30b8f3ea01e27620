#!/usr/bin/env node
import v8 from "node:v8";

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
const { run } = await import("./run.js");

// `migsafe ... | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// Reports written as they are made go straight to stdout (writes to pipes and files are synchronous on POSIX).
const write = (chunk: string) => void process.stdout.write(chunk);
const isTTY = process.stdout.isTTY === true;
const result = await run(process.argv.slice(2), { isTTY, write, ...(isTTY && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}) });
if (result.output) process.stdout.write(result.output);
if (result.stderr) process.stderr.write(result.stderr);
// Let the streams drain and the process end by itself: process.exit() could cut piped output short.
process.exitCode = result.exitCode;
