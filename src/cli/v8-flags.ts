import v8 from "node:v8";

/**
 * The command line's V8 flags, set before the linter bundle is compiled: its code cache (code-cache.ts) is valid
 * only under the flags it was made with.
 */
export function setCommandLineFlags(): void {
  // V8 compiles libpg-query's 1.7 MB of WebAssembly twice: at once with its baseline compiler,
  // then again optimised in the background, and a process cannot exit before that second
  // compile ends (≈150 ms here). A lint run is over sooner than the optimised code would pay
  // off (measured on the whole corpus: no slower), so the CLI keeps the baseline code.
  v8.setFlagsFromString("--liftoff-only");
  // The code cache is written at the end of the first run of a build (code-cache.ts): V8 flushes the bytecode of
  // functions not run for a while, so after a long first run (a whole history) the cache lacked the start-up code
  // that ran first, and every later small run compiled it again (one file: 0.175 s instead of 0.133 s).
  v8.setFlagsFromString("--no-flush-bytecode");
  // A file's parse tree is garbage once the file is linted, and only ≈10 MB of heap is live in a long
  // run; left to its defaults, V8 lets the young generation grow to 48 MB and the old one to several
  // times what it holds before collecting (350 MB peak over 31,000 files). Small semi-spaces, and an old
  // generation collected when it has grown by a fifth, keep such a run under 200 MB, for ≈25% more time
  // on it and none measurable on a run of 1,500 files (docs/performance.md). Worker threads get their
  // young generation in src/project/lint-parallel.ts.
  v8.setFlagsFromString("--max-semi-space-size=2");
  v8.setFlagsFromString("--heap-growing-percent=20");
}
