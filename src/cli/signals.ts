import { removePendingTempFiles } from "../files/write-file.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
let installed = false;

/**
 * Called before migsafe writes files (--fix, --output-file, the cache): from then on, SIGINT
 * and SIGTERM are handled by migsafe, so that one is acted on between two writes, never in
 * the middle of one; it removes any temporary `*.migsafe.tmp` file left and, when nothing
 * else in the process handles the signal, ends the process as the signal would (exit 130
 * or 143 in a shell). Without a handler, Node ends the process at once, in the middle of a
 * write, leaving the temporary file behind. The handler stays until a signal comes: one
 * that arrives during the last write is still acted on, after it.
 */
export function removeTempFilesOnSignals(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    removePendingTempFiles();
    const othersHandle = process.listenerCount(signal) > 1;
    for (const other of SIGNALS) process.off(other, onSignal);
    installed = false;
    if (!othersHandle) process.kill(process.pid, signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
