// npm run bench, last part: how much a reader gets per finding in the default report (issue 15: ≤ 250 bytes).
//
// For each project of ../shared/corpus/projects and ../shared/corpus/sql, migsafe runs as a user would, with no
// configuration and its report piped (no colours, no code frames): the stylish report's bytes are divided by the
// number of findings the JSON report of the same run counts. Prints one line per project and the total.
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist/cli.js");
const GOAL = 250;
const env = { ...process.env, NO_COLOR: "1" };
delete env.NODE_EXTRA_CA_CERTS;
delete env.GITHUB_ACTIONS;
delete env.CI;

const folders = ["projects", "sql"].flatMap((kind) => {
  const dir = path.resolve(root, "../shared/corpus", kind);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => path.join(dir, entry.name));
});
if (folders.length === 0) throw new Error("corpus not found beside the checkout (../shared/corpus)");

const run = (folder, args) => spawnSync(process.execPath, [cli, ...args, "."], { cwd: folder, env, encoding: "utf8", maxBuffer: 1 << 30 });
let totalBytes = 0;
let totalFindings = 0;
console.log("report size: default (stylish) output, piped, bytes per finding");
for (const folder of folders) {
  const stylish = run(folder, []);
  const json = run(folder, ["--format", "json"]);
  let findings;
  try {
    findings = JSON.parse(json.stdout).reduce((sum, file) => sum + file.messages.filter((message) => message.ruleId !== null).length, 0);
  } catch {
    console.log(`  ${path.basename(folder)}: the JSON report could not be read (exit ${json.status})`);
    continue;
  }
  if (findings === 0) continue;
  const bytes = Buffer.byteLength(stylish.stdout);
  totalBytes += bytes;
  totalFindings += findings;
  console.log(`  ${path.relative(path.resolve(root, "../shared/corpus"), folder).padEnd(34)} ${String(findings).padStart(5)} findings  ${String(bytes).padStart(9)} bytes  ${Math.round(bytes / findings)} B/finding`);
}
const perFinding = Math.round(totalBytes / totalFindings);
console.log(`  all: ${totalFindings} findings, ${totalBytes} bytes, ${perFinding} B/finding — goal ≤ ${GOAL}: ${perFinding <= GOAL ? "PASS" : "MISS"}`);
