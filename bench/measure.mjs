// Runs one command and measures its wall time and peak resident memory.
//
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`, Debian package `time`): it reports the ru_maxrss that wait4
// returns for the command, which covers native binaries as well as Node. For a command that starts a child of its
// own (squawk's npm wrapper) that is the larger of the two processes, not their sum. Without GNU time, Node commands
// report their own peak through a preloaded module (report-rss.mjs) and native ones report none.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const GNU_TIME = "/usr/bin/time";
// Under GNU time a timeout must kill the command, not just GNU time (which would leave the command running):
// coreutils' timeout, run by GNU time, kills the command it runs.
const TIMEOUT = "/usr/bin/timeout";
const RSS_PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), "report-rss.mjs");

export const rssMethod = fs.existsSync(GNU_TIME)
  ? "GNU time (ru_maxrss of the command)"
  : "Node's process.resourceUsage() for Node commands; none for native ones (install the `time` package)";

/**
 * Runs `command args` in `cwd` with its output going to `stdoutFile` and `stderrFile`, waiting at most
 * `timeoutSeconds`. Returns { seconds, rssBytes (null when unknown), status, signal }.
 */
export function runMeasured({ command, args, cwd, stdoutFile, stderrFile, rssFile, timeoutSeconds = 900 }) {
  const withGnuTime = fs.existsSync(GNU_TIME);
  const isNode = command === process.execPath;
  let file = command;
  let argv = args;
  if (withGnuTime) {
    file = GNU_TIME;
    const limit = fs.existsSync(TIMEOUT) ? [TIMEOUT, "--signal=KILL", String(timeoutSeconds)] : [];
    argv = ["-f", "%M", "-o", rssFile, ...limit, command, ...args];
  } else if (isNode) {
    argv = ["--import", RSS_PRELOAD, ...args];
  }
  fs.rmSync(rssFile, { force: true });
  const stdout = fs.openSync(stdoutFile, "w");
  const stderr = fs.openSync(stderrFile, "w");
  const started = process.hrtime.bigint();
  let child;
  try {
    child = spawnSync(file, argv, {
      cwd,
      stdio: ["ignore", stdout, stderr],
      // Without NODE_EXTRA_CA_CERTS: Node 20 reads that file at every start (≈47 ms here), which no tool needs.
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, NODE_EXTRA_CA_CERTS: undefined, MIGSAFE_BENCH_RSS_FILE: rssFile },
      timeout: (timeoutSeconds + 10) * 1000,
      killSignal: "SIGKILL",
    });
  } finally {
    fs.closeSync(stdout);
    fs.closeSync(stderr);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.error) throw new Error(`cannot run ${command}: ${child.error.message}`, { cause: child.error });
  if (child.signal) return { seconds, rssBytes: null, status: null, signal: child.signal };
  if (seconds >= timeoutSeconds) return { seconds, rssBytes: null, status: null, signal: `timed out after ${timeoutSeconds} s` };
  return { seconds, ...readRss(rssFile, withGnuTime, child.status) };
}

function readRss(rssFile, withGnuTime, status) {
  if (!fs.existsSync(rssFile)) return { rssBytes: null, status, signal: null };
  const text = fs.readFileSync(rssFile, "utf8");
  if (!withGnuTime) return { rssBytes: Number(text), status, signal: null };
  // GNU time writes "Command exited with non-zero status N" or "Command terminated by signal N" above the figure.
  const killed = /terminated by signal (\d+)/.exec(text);
  const kilobytes = Number(text.trim().split("\n").at(-1));
  return {
    rssBytes: Number.isFinite(kilobytes) ? kilobytes * 1024 : null,
    status: killed ? null : status,
    signal: killed ? `signal ${killed[1]}` : null,
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
