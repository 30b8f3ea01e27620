// The floor under any linter built on Node and libpg-query's WebAssembly parser: start Node, load libpg-query,
// read every `.sql` file under the folder (or the one file) and parse it, on as many threads as migsafe uses, with
// nothing else — no lexing, no rules, no report. What a run of migsafe costs above this is migsafe's own work.
//
//   node bench/parse-floor.mjs <folder | file>
//
// Run like migsafe's CLI: baseline WebAssembly code only (see src/cli/main.ts), files claimed in batches of 8 from
// one shared counter by the main thread and one worker per further core (see src/project/lint-parallel.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { createRequire } from "node:module";
import { Worker, isMainThread, workerData, parentPort } from "node:worker_threads";

v8.setFlagsFromString("--liftoff-only");
const pg = createRequire(import.meta.url)("libpg-query");
const BATCH = 8;
const MIN_FILES_PER_THREAD = 200;

if (isMainThread) {
  const target = path.resolve(process.argv[2] ?? ".");
  const paths = fs.statSync(target).isDirectory()
    ? fs.readdirSync(target, { recursive: true }).filter((name) => name.endsWith(".sql")).map((name) => path.join(target, name)).sort()
    : [target];
  const threads = Math.max(1, Math.min(os.availableParallelism(), 8, Math.floor(paths.length / MIN_FILES_PER_THREAD)));
  const queue = new SharedArrayBuffer(4);
  const workers = Array.from({ length: threads - 1 }, () => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { paths, queue } });
    return new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  });
  const counts = [await parseClaimed(paths, queue), ...(await Promise.all(workers))];
  process.stdout.write(`${JSON.stringify({ files: paths.length, parsed: counts.reduce((sum, count) => sum + count.parsed, 0), threads })}\n`);
} else {
  parentPort.postMessage(await parseClaimed(workerData.paths, workerData.queue));
}

async function parseClaimed(paths, queue) {
  await pg.loadModule();
  const next = new Int32Array(queue);
  let parsed = 0;
  let failed = 0;
  for (let start = Atomics.add(next, 0, BATCH); start < paths.length; start = Atomics.add(next, 0, BATCH)) {
    for (const file of paths.slice(start, start + BATCH)) {
      const text = fs.readFileSync(file, "utf8");
      try {
        if (text.trim() !== "") pg.parseSync(text);
        parsed++;
      } catch {
        failed++;
      }
    }
  }
  return { parsed, failed };
}
