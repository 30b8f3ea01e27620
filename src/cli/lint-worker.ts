/** A worker thread of a parallel run: claims batches of files from the shared queue, lints them, posts their results. */
import { parentPort, workerData } from "node:worker_threads";
import { allRules } from "../../rules/index.js";
import type { LintOptions } from "../engine/lint.js";
import { loadParser } from "../parser/pg.js";
import { lintClaimedBatches } from "./work-queue.js";

export interface WorkerInput {
  paths: string[];
  /** The lint options without the rules (functions cannot cross threads): the worker runs migsafe's own. */
  options: Omit<LintOptions, "rules">;
  queue: SharedArrayBuffer;
}

const { paths, options, queue } = workerData as WorkerInput;
await loadParser();
parentPort!.postMessage(lintClaimedBatches(paths, new Int32Array(queue), { ...options, rules: allRules }));
