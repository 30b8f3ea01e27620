import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheFolder } from "../files/cache-mac.js";
import { secretFile } from "../files/cache-secret.js";
import { startRecording } from "../files/fs-recorder.js";
import { blockingWrites } from "./blocking-stdout.js";

/**
 * The linter's command line (dist/run.cjs, loaded by src/cli/entry.ts once the V8 flags of src/cli/v8-flags.ts are set).
 * Resolves when the run is over; the exit code is left in process.exitCode, for the streams to drain.
 */
export async function main(): Promise<void> {
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

  // Reports written as they are made go straight to stdout, a pipe's writes included (blocking-stdout.ts).
  blockingWrites(process.stdout);
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
        bundle: bundleId([path.join(here, "run.cjs"), path.join(here, "lint-worker.js")]),
        version: packageVersion(),
      },
      inputs,
      { stdout: printed.join("") + result.output, stderr: result.stderr, exitCode: result.exitCode },
    );
  }
  // Let the streams drain and the process end by itself: process.exit() could cut piped output short.
  process.exitCode = result.exitCode;
}
