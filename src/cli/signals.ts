import { removePendingTempFiles } from "../files/write-file.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs `write` (--fix, --output-file, the cache) with SIGINT and SIGTERM handled: a
 * signal is acted on between two writes, never in the middle of one, removes any
 * temporary `*.migsafe.tmp` file left, and then, when nothing else in the process
 * handles the signal, ends the process as the signal would (exit 130 or 143 in a shell).
 * Without a handler, Node ends the process at once, in the middle of a write, leaving
 * the temporary file behind.
 */
export async function withWriteSignals<T>(write: () => T | Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    removePendingTempFiles();
    const othersHandle = process.listenerCount(signal) > 1;
    stop();
    if (!othersHandle) process.kill(process.pid, signal);
  };
  const stop = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    return await write();
  } finally {
    // A signal that arrived during the last synchronous write is delivered in this turn of the event loop, before the handler goes.
    await new Promise((resolve) => setImmediate(resolve));
    stop();
  }
}
