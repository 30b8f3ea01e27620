// Draws the stratified random sample of new findings to judge (docs/precision.md, "The sample"): reads the findings a
// `node scripts/precision.mjs --json FILE` run wrote, keeps the new ones (neither labelled nor in the sampled run), and
// prints the sample as JSON lines, ready to judge and append to test/precision/labels.jsonl with their verdicts.
//   node scripts/precision.mjs --json /tmp/findings.jsonl
//   node scripts/precision-sample.mjs /tmp/findings.jsonl [--size 160] [--cap 40] [--floor 8] [--seed 13] > sample.jsonl
// Each rule gets min(its new findings, cap, max(floor, round(size × its share of the new findings))); a rule's quota
// goes first one finding to each project it fires in (largest first, while the quota lasts), the rest in proportion to
// what each project has left (largest remainders); within each (rule, project) stratum the findings are shuffled with
// a seeded mulberry32 and the first ones taken. Same input and options, same sample.
import fs from "node:fs";

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const index = argv.indexOf(name);
  return index === -1 ? fallback : Number(argv[index + 1]);
};
const size = option("--size", 160);
const cap = option("--cap", 40);
const floor = option("--floor", 8);
let state = option("--seed", 13);

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function random() {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function groupBy(items, keyOf) {
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

/** How many of `quota` each project gets: one each (largest first), the rest by largest remainder of what is left. */
function allocate(quota, byProject) {
  const projects = [...byProject.keys()].sort((a, b) => byProject.get(b).length - byProject.get(a).length || a.localeCompare(b));
  const counts = new Map(projects.map((project) => [project, 0]));
  let left = quota;
  for (const project of projects) {
    if (left === 0) break;
    counts.set(project, 1);
    left--;
  }
  if (left === 0) return counts;
  const room = projects.map((project) => ({ project, room: byProject.get(project).length - counts.get(project) }));
  const total = room.reduce((sum, item) => sum + item.room, 0);
  const shares = room.map((item) => ({ ...item, exact: (left * item.room) / total }));
  for (const share of shares) counts.set(share.project, counts.get(share.project) + Math.floor(share.exact));
  let remainder = left - shares.reduce((sum, share) => sum + Math.floor(share.exact), 0);
  for (const share of [...shares].sort((a, b) => (b.exact % 1) - (a.exact % 1) || a.project.localeCompare(b.project))) {
    if (remainder === 0) break;
    counts.set(share.project, counts.get(share.project) + 1);
    remainder--;
  }
  return counts;
}

const findings = fs
  .readFileSync(argv[0], "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line));
const fresh = findings.filter((finding) => finding.isNew);
const sample = [];
const byRule = groupBy(fresh, (finding) => finding.ruleId);
for (const rule of [...byRule.keys()].sort()) {
  const items = byRule.get(rule);
  const quota = Math.min(items.length, cap, Math.max(floor, Math.round((size * items.length) / fresh.length)));
  const byProject = groupBy(items, (finding) => finding.project);
  for (const [project, count] of allocate(quota, byProject)) {
    const pool = [...byProject.get(project)].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    sample.push(...pool.slice(0, count));
  }
}
const perRule = Object.fromEntries([...groupBy(sample, (finding) => finding.ruleId)].map(([rule, items]) => [rule, items.length]));
process.stderr.write(`${sample.length} of ${fresh.length} new findings: ${JSON.stringify(perRule)}\n`);
for (const finding of sample) process.stdout.write(`${JSON.stringify(finding)}\n`);
