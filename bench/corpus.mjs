// npm run bench: wall time, throughput and peak memory of the migsafe CLI on the real-world corpus
// and on one small migration (the pre-commit case). Each case runs several times; medians are printed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist/cli.js");
const corpus = path.resolve(root, "../shared/corpus/sql");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const targets = { corpusSeconds: 1.5, corpusRssMb: 300, smallFileMs: 250 };

if (!fs.existsSync(cli)) throw new Error("dist/ is missing: run `npm run build` first");
if (!fs.existsSync(corpus)) throw new Error(`corpus not found at ${corpus}`);

const corpusFiles = fg.sync("**/*.sql", { cwd: corpus, absolute: true });
const corpusBytes = corpusFiles.reduce((sum, file) => sum + fs.statSync(file).size, 0);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-bench-"));
const small = path.join(scratch, "001_add_column.sql");
fs.writeFileSync(small, "ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;\n");
fs.writeFileSync(path.join(scratch, "001_add_column_rollback.sql"), "ALTER TABLE users DROP COLUMN IF EXISTS nickname;\n");

function measure(args, script = cli) {
  const rssFile = path.join(scratch, "rss");
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--import", path.join(root, "bench/report-rss.mjs"), script, ...args], {
    env: { ...process.env, MIGSAFE_BENCH_RSS_FILE: rssFile, NO_COLOR: "1" },
    maxBuffer: 1 << 30,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status === null || child.status > 2) throw new Error(`migsafe failed: ${child.stderr}`);
  return { seconds, rss: Number(fs.readFileSync(rssFile, "utf8")) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function bench(label, args, bytes, files, script) {
  const results = Array.from({ length: runs }, () => measure(args, script));
  const seconds = median(results.map((r) => r.seconds));
  const rssMb = Math.max(...results.map((r) => r.rss)) / 1024 / 1024;
  const mb = bytes / 1024 / 1024;
  console.log(
    `${label.padEnd(22)} files ${String(files).padStart(5)}  ${mb.toFixed(2)} MB  wall ${(seconds * 1000).toFixed(0).padStart(5)} ms  ` +
      `${(mb / seconds).toFixed(2)} MB/s  peak RSS ${rssMb.toFixed(0)} MB`,
  );
  return { seconds, rssMb };
}

console.log(`migsafe benchmark: ${runs} runs each, median wall time, on ${os.cpus().length} cores\n`);
const whole = bench("corpus (json output)", ["--format", "json", corpus], corpusBytes, corpusFiles.length);
const one = bench("one small file", [small], fs.statSync(small).size, 1);
const empty = path.join(scratch, "empty.mjs");
fs.writeFileSync(empty, "");
// This machine's speed varies from minute to minute: bare Node start-up, measured alongside, is the yardstick.
const bare = bench("bare node (no-op)", [], 0, 0, empty);
fs.rmSync(scratch, { recursive: true, force: true });

const verdicts = [
  [`corpus under ${targets.corpusSeconds} s`, whole.seconds < targets.corpusSeconds],
  [`corpus peak RSS under ${targets.corpusRssMb} MB`, whole.rssMb < targets.corpusRssMb],
  [`one small file under ${targets.smallFileMs} ms`, one.seconds * 1000 < targets.smallFileMs],
];
console.log(`\none small file: ${((one.seconds - bare.seconds) * 1000).toFixed(0)} ms more than bare Node start-up`);
console.log("");
for (const [target, met] of verdicts) console.log(`${met ? "met    " : "MISSED "} ${target}`);
