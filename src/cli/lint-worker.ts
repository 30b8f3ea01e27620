/** A worker thread of a parallel run: claims batches of files from the shared queue, lints them, posts their results. */
import { parentPort, workerData } from "node:worker_threads";
import { allRules } from "../../rules/index.js";
import type { RuleSetting } from "../engine/lint.js";
import { loadParser } from "../parser/pg.js";
import { lintClaimedBatches } from "./work-queue.js";

export interface WorkerInput {
  paths: string[];
  severities: Record<string, RuleSetting>;
  queue: SharedArrayBuffer;
}

const { paths, severities, queue } = workerData as WorkerInput;
await loadParser();
parentPort!.postMessage(lintClaimedBatches(paths, new Int32Array(queue), { rules: allRules, severities }));
