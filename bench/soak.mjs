// Soak test: lints the same large file set several times in one process through the public API and prints the
// memory after each pass (after a forced garbage collection). Memory must stay flat: nothing, the WebAssembly heap of
// libpg-query included (it shows in `external`), may grow from pass to pass. The API returns every file's result at
// once, so a pass's peak is far above what is left after it.
//
//   node --expose-gc bench/soak.mjs [folder] [--passes 5] [--result-file soak.json]
//
// Without a folder it lints ../shared/corpus/sql replicated 20 times into a scratch folder.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createScratch, listSqlFiles, replicate } from "./workspace.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The last pass's RSS may exceed the second pass's by this share (the first pass includes warming up). */
export const SOAK_RSS_TOLERANCE = 0.1;

const MB = 1024 * 1024;

/** Lints `files` `passes` times; returns one memory sample per pass and the verdict. */
export async function soak(files, passes, log = console.log) {
  if (typeof globalThis.gc !== "function") throw new Error("the soak test needs node --expose-gc");
  const lintMany = await loadLintApi();
  log(`soak: ${files.length} files, ${passes} pass${passes === 1 ? "" : "es"} in one process (API), memory after a forced GC\n`);
  log(
    `${"pass".padEnd(6)}${"seconds".padStart(9)}${"findings".padStart(10)}${"RSS MB".padStart(9)}${"heap used".padStart(11)}` +
      `${"external".padStart(10)}${"arrayBuffers".padStart(14)}${"peak RSS so far".padStart(17)}`,
  );
  const samples = [];
  for (let pass = 1; pass <= passes; pass++) {
    const { seconds, findings } = await lintPass(lintMany, files, pass);
    globalThis.gc();
    const memory = process.memoryUsage();
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const sample = { pass, seconds, findings, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers, peakRss };
    samples.push(sample);
    log(
      `${String(pass).padEnd(6)}${seconds.toFixed(1).padStart(9)}${String(findings).padStart(10)}${mb(sample.rss).padStart(9)}` +
        `${mb(sample.heapUsed).padStart(11)}${mb(sample.external).padStart(10)}${mb(sample.arrayBuffers).padStart(14)}${mb(peakRss).padStart(17)}`,
    );
  }
  const verdict = judge(samples);
  log(`\n${verdict.pass === null ? "—" : verdict.pass ? "PASS" : "MISS"} ${verdict.text}`);
  return { files: files.length, passes, samples, ...verdict };
}

/**
 * One pass in a call of its own: a suspended async frame keeps the value it awaited, so results awaited in the
 * loop above would stay reachable through the next forced GC and be counted as migsafe's memory.
 */
async function lintPass(lintMany, files, pass) {
  const started = process.hrtime.bigint();
  const results = await lintMany(files);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!Array.isArray(results) || results.length !== files.length) throw new Error(`pass ${pass}: the API returned ${results?.length} results for ${files.length} files`);
  return { seconds, findings: results.reduce((sum, result) => sum + result.findings.length, 0) };
}

function judge(samples) {
  if (samples.length < 3) return { pass: null, rssGrowth: null, text: "too few passes to judge (3 or more needed)" };
  const reference = samples[1];
  const last = samples.at(-1);
  const growth = last.rss / reference.rss - 1;
  const sameFindings = samples.every((sample) => sample.findings === samples[0].findings);
  const flat = growth <= SOAK_RSS_TOLERANCE;
  return {
    pass: flat && sameFindings,
    rssGrowth: growth,
    text:
      `RSS after the last pass ${mb(last.rss)} MB, after pass 2 ${mb(reference.rss)} MB (${signedPercent(growth)}, ` +
      `allowed +${SOAK_RSS_TOLERANCE * 100}%); heap used ${mb(reference.heapUsed)} → ${mb(last.heapUsed)} MB; ` +
      (sameFindings ? "same findings every pass" : "findings DIFFER between passes"),
  };
}

/** The built public API: `lintFiles(paths)` (or `lint(paths)`), resolving to one result per file. */
async function loadLintApi() {
  const entry = path.join(root, "dist/src/index.js");
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const api = await import(pathToFileURL(entry).href);
  const lintMany = api.lintFiles ?? api.lint;
  if (typeof lintMany !== "function") throw new Error("dist/src/index.js exports neither lintFiles nor lint");
  return (files) => lintMany(files);
}

const mb = (bytes) => (bytes / MB).toFixed(1);
const signedPercent = (share) => `${share >= 0 ? "+" : ""}${(share * 100).toFixed(1)}%`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { passes: { type: "string", default: "5" }, "result-file": { type: "string" } },
  });
  const passes = Number(values.passes);
  if (!Number.isInteger(passes) || passes < 1) throw new Error(`--passes takes a whole number, not ${values.passes}`);
  let folder = positionals[0];
  let scratch;
  try {
    if (folder === undefined) {
      const corpus = path.resolve(root, "../shared/corpus/sql");
      scratch = createScratch();
      // Handled between passes, when the event loop gets a turn.
      for (const signal of ["SIGINT", "SIGTERM"]) {
        process.on(signal, () => {
          scratch.cleanup();
          process.exit(130);
        });
      }
      folder = replicate(corpus, listSqlFiles(corpus).files, 20, path.join(scratch.folder, "replicated"));
    }
    const result = await soak(listSqlFiles(folder).files, passes);
    if (values["result-file"]) fs.writeFileSync(values["result-file"], JSON.stringify(result));
  } finally {
    scratch?.cleanup();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`soak: ${error.message}`);
    process.exitCode = 1;
  });
}
