#!/usr/bin/env node
import v8 from "node:v8";

// V8 compiles libpg-query's 1.7 MB of WebAssembly twice: at once with its baseline compiler,
// then again optimised in the background, and a process cannot exit before that second
// compile ends (≈150 ms here). A lint run is over sooner than the optimised code would pay
// off (measured on the whole corpus: no slower), so the CLI keeps the baseline code.
v8.setFlagsFromString("--liftoff-only");
const { run } = await import("./run.js");

// `migsafe ... | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// Reports written as they are made go straight to stdout (writes to pipes and files are synchronous on POSIX).
const write = (chunk: string) => void process.stdout.write(chunk);
const result = await run(process.argv.slice(2), { isTTY: process.stdout.isTTY === true, write });
if (result.output) process.stdout.write(result.output);
if (result.stderr) process.stderr.write(result.stderr);
// Let the streams drain and the process end by itself: process.exit() could cut piped output short.
process.exitCode = result.exitCode;
