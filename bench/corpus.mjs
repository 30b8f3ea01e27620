// npm run bench: migsafe against squawk on the same inputs, in one run (issue 6).
//
//   case 1  ../shared/corpus/sql, every .sql file
//   case 2  that corpus replicated 20× into a scratch folder
//   case 3  one small migration (the pre-commit case), with bare `node -e 0` as the yardstick
//   case 4  warm cache, nothing changed: the corpus again with --cache (issue 16)
//   case 5  warm cache, one file changed: lemmy's Diesel history in its folders, a new migration before each round
//   case 6  a pre-commit run on three staged files, against migsafe on the first of them alone
//
// Each case starts with one untimed round that checks every tool linted every file (and warms the page cache);
// then the tools take turns, round after round (A B C A B C …), so a machine that speeds up or slows down
// mid-run affects them alike. Prints the median wall time, MB/s and peak RSS of each tool, the ratios, and the
// issue's targets with PASS or MISS; then the soak test (bench/soak.mjs). Exits 0 whatever the figures, 1 when a
// tool failed to run or lint everything.
//
// Every command runs without NODE_EXTRA_CA_CERTS (bench/measure.mjs): Node 20 reads that file at every start.
//
// Environment: BENCH_RUNS (rounds of cases 1 and 3–6, default 5), BENCH_BIG_RUNS (rounds of case 2, default 3),
// BENCH_CASES (default "1,2,3,4,5,6"), BENCH_SOAK_PASSES (default 5; 0 skips the soak, as does --no-soak),
// BENCH_JSON=path (write every figure as JSON).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setImmediate } from "node:timers";
import { fileURLToPath } from "node:url";
import { runMeasured, rssMethod } from "./measure.mjs";
import { formatCase, formatTargets, judgeTargets, summarise } from "./report.mjs";
import { defineTools } from "./tools.mjs";
import { appendDieselMigration, createScratch, listSqlFiles, replicate, restoreLayout, writeSmallMigration, writeStagedMigrations } from "./workspace.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPLICAS = 20;

const settings = readSettings();
const tools = defineTools(root);
const corpus = path.resolve(root, "../shared/corpus/sql");
if (!fs.existsSync(corpus)) throw new Error(`corpus not found at ${corpus}`);

const scratch = createScratch();
// The runs are synchronous: the bench yields to the event loop between them so that these handlers get to run.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    scratch.cleanup();
    process.exit(130);
  });
}
const yieldToSignals = () => new Promise((resolve) => setImmediate(resolve));

try {
  process.exitCode = (await main()) ? 0 : 1;
} finally {
  scratch.cleanup();
}

async function main() {
  printHeader();
  const corpusListing = listSqlFiles(corpus);
  const needsReplica = settings.cases.has(2) || settings.soakPasses > 0;
  const replicaFolder = needsReplica ? replicateCorpus(corpusListing.files) : undefined;

  const inputs = [];
  if (settings.cases.has(1)) {
    inputs.push({ id: "corpus", title: "case 1: corpus", folder: corpus, ...counts(corpusListing), rounds: settings.runs, toolIds: ["migsafe", "squawk", "squawkWrapper", "parseFloor"] });
  }
  if (settings.cases.has(2)) {
    inputs.push({ id: "replicated", title: `case 2: corpus ×${REPLICAS}`, folder: replicaFolder, ...counts(listSqlFiles(replicaFolder)), rounds: settings.bigRuns, toolIds: ["migsafe", "squawk", "parseFloor"] });
  }
  if (settings.cases.has(3)) {
    const small = writeSmallMigration(path.join(scratch.folder, "small"));
    inputs.push({ id: "small", title: "case 3: one small migration", folder: path.dirname(small.file), file: small.file, files: 1, bytes: small.bytes, rounds: settings.runs, toolIds: ["migsafe", "squawk", "squawkWrapper", "parseFloor", "bareNode"] });
  }
  if (settings.cases.has(4)) {
    // A copy, with a package.json, so that the cache is written in the scratch folder and not beside the corpus.
    const folder = replicate(corpus, corpusListing.files, 1, path.join(scratch.folder, "cached"));
    fs.writeFileSync(path.join(folder, "package.json"), '{ "private": true }\n');
    inputs.push({ id: "cached", title: "case 4: corpus, warm cache, nothing changed", folder, ...counts(listSqlFiles(folder)), rounds: settings.runs, toolIds: ["migsafeCached", "squawk"] });
  }
  if (settings.cases.has(5)) {
    const folder = restoreLayout(path.join(corpus, "lemmy"), path.join(scratch.folder, "lemmy"));
    const prepare = appendDieselMigration(folder);
    prepare();
    inputs.push({ id: "oneChanged", title: "case 5: lemmy's history, warm cache, a new migration before each run", folder, ...counts(listSqlFiles(folder)), rounds: settings.runs, prepare, toolIds: ["migsafeCached", "squawk"] });
  }
  if (settings.cases.has(6)) {
    const staged = writeStagedMigrations(path.join(scratch.folder, "staged"));
    inputs.push({ id: "preCommit", title: "case 6: pre-commit, three staged files", folder: path.dirname(staged.files[0]), paths: staged.files, files: staged.files.length, bytes: staged.bytes, rounds: settings.runs, toolIds: ["migsafe", "migsafeOneFile", "squawk"] });
  }

  const cases = [];
  for (const input of inputs) {
    const measured = await benchCase(input);
    if (!measured) return false;
    cases.push(measured);
    console.log(`${formatCase(measured)}\n`);
  }

  let soakResult;
  if (settings.soakPasses > 0) {
    await yieldToSignals();
    soakResult = runSoak(replicaFolder);
    if (!soakResult) return false;
    console.log("");
  }

  const targets = judgeTargets(cases, soakResult);
  console.log(`targets (issue 16)\n${formatTargets(targets)}`);
  console.log(`\nload average at the end ${os.loadavg().map((load) => load.toFixed(1)).join(" ")} (other work on this machine slows every tool)`);
  if (settings.jsonFile) writeJson(settings.jsonFile, cases, targets, soakResult);
  return true;
}

/** One case: a checking round, then `rounds` timed rounds with the tools taking turns. Null when a tool failed. */
async function benchCase(input) {
  const outputs = path.join(scratch.folder, "out");
  fs.mkdirSync(outputs, { recursive: true });
  const files = (toolId) => ({
    stdoutFile: path.join(outputs, `${toolId}.out`),
    stderrFile: path.join(outputs, `${toolId}.err`),
    rssFile: path.join(outputs, `${toolId}.rss`),
  });
  const run = async (toolId, checking) => {
    await yieldToSignals();
    // Untimed: the change a run is to find (case 5).
    input.prepare?.();
    const tool = tools[toolId];
    const result = runMeasured({ ...tool.command(input, { checking }), cwd: input.folder, ...files(toolId) });
    if (result.signal || !tool.statusOk(result.status)) {
      const stderr = fs.readFileSync(files(toolId).stderrFile, "utf8").slice(0, 2000);
      throw new Error(`${tool.label} failed on ${input.title} (${result.signal ?? `exit code ${result.status}`}):\n${stderr}`);
    }
    return result;
  };

  try {
    const checked = {};
    for (const toolId of input.toolIds) {
      await run(toolId, true);
      checked[toolId] = tools[toolId].check(files(toolId).stdoutFile, files(toolId).stderrFile, input).summary;
      // The checking round made the cache folder (node_modules/.cache/migsafe) in the folder it linted, so that the
      // folder's listing changed after the run read it: one more untimed run, as in a project that has one already.
      if (toolId === "migsafeCached") await run(toolId, false);
    }
    const samples = Object.fromEntries(input.toolIds.map((toolId) => [toolId, []]));
    for (let round = 0; round < input.rounds; round++) {
      for (const toolId of input.toolIds) samples[toolId].push(await run(toolId, false));
    }
    return {
      id: input.id,
      title: input.title,
      files: input.files,
      bytes: input.bytes,
      rounds: input.rounds,
      tools: input.toolIds.map((toolId) => ({
        id: toolId,
        label: tools[toolId].label,
        checked: checked[toolId],
        ...summarise(samples[toolId], input.bytes),
        samples: samples[toolId].map(({ seconds, rssBytes }) => ({ seconds, rssBytes })),
      })),
    };
  } catch (error) {
    console.error(`bench: ${error.message}`);
    return null;
  }
}

/** The soak test in a process of its own (it needs --expose-gc, and the bench's own memory must not count). */
function runSoak(folder) {
  const resultFile = path.join(scratch.folder, "soak.json");
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", path.join(root, "bench/soak.mjs"), folder, "--passes", String(settings.soakPasses), "--result-file", resultFile],
    { stdio: "inherit" },
  );
  if (child.status !== 0 || !fs.existsSync(resultFile)) {
    console.error(`bench: the soak test failed (${child.signal ?? `exit code ${child.status}`})`);
    return null;
  }
  return JSON.parse(fs.readFileSync(resultFile, "utf8"));
}

function replicateCorpus(corpusFiles) {
  const started = Date.now();
  const folder = replicate(corpus, corpusFiles, REPLICAS, path.join(scratch.folder, "replicated"));
  console.log(`(replicated the corpus ${REPLICAS}× into ${folder} in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return folder;
}

function printHeader() {
  const squawkVersion = spawnSync(path.join(root, "node_modules/@squawk-cli/linux-x64/bin/squawk"), ["--version"], { encoding: "utf8" }).stdout.trim();
  const migsafeVersion = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
  console.log(
    `migsafe ${migsafeVersion} against ${squawkVersion} — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n` +
      `Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}\n` +
      `median of ${settings.runs} rounds (case 2: ${settings.bigRuns}), tools taking turns; peak RSS by ${rssMethod}; ` +
      `every command without NODE_EXTRA_CA_CERTS\n`,
  );
}

function writeJson(file, cases, targets, soakResult) {
  const report = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), cases, targets, soak: soakResult ?? null };
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n(figures written to ${file})`);
}

function counts(listing) {
  return { files: listing.files.length, bytes: listing.bytes };
}

function readSettings() {
  const whole = (name, fallback, min) => {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} takes a whole number, ${min} or more, not '${raw}'`);
    return value;
  };
  const cases = new Set((process.env.BENCH_CASES || "1,2,3,4,5,6").split(",").map((item) => Number(item.trim())));
  for (const item of cases) if (![1, 2, 3, 4, 5, 6].includes(item)) throw new Error(`BENCH_CASES lists cases 1 to 6, not '${process.env.BENCH_CASES}'`);
  return {
    runs: whole("BENCH_RUNS", 5, 1),
    bigRuns: whole("BENCH_BIG_RUNS", 3, 1),
    cases,
    soakPasses: process.argv.includes("--no-soak") ? 0 : whole("BENCH_SOAK_PASSES", 5, 0),
    jsonFile: process.env.BENCH_JSON || undefined,
  };
}
