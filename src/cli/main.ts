#!/usr/bin/env node
import { run } from "./run.js";

// `migsafe ... | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const result = await run(process.argv.slice(2), { isTTY: process.stdout.isTTY === true });
if (result.output) process.stdout.write(result.output);
if (result.stderr) process.stderr.write(result.stderr);
// Let the streams drain and the process end by itself: process.exit() could cut piped output short.
process.exitCode = result.exitCode;
