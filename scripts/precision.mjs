// Scores migsafe on the labelled precision set (docs/precision.md): lints every corpus project the way a user would
// (zero configuration, the project's own folder layout), matches the findings to the hand-made labels in
// test/precision/labels.jsonl and the known misses in test/precision/misses.json, and prints precision, TPs kept and
// misses caught, per project, per rule and overall. It measures; it gates only with --check.
//   npm run precision                      (builds first)
//   node scripts/precision.mjs [--unlabelled] [--check] [--json FILE] [--corpus DIR]
//     --unlabelled      list the new findings: neither labelled nor in the run the sample was drawn from (judge them)
//     --check           exit 1 when precision < 0.90, TPs kept < 0.95 or misses caught < 0.5
//     --json FILE       also write every finding of the run, with its verdict if labelled, as JSON lines
//     --write-baseline  record this run's findings as the sampled run (only when the sample is drawn again)
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const SNIPPET_LENGTH = 60;
/** How far a label's line may be from a finding's for the line fallback (a few lines inserted or removed above). */
export const LINE_TOLERANCE = 3;
export const THRESHOLDS = { precision: 0.9, tpsKept: 0.95, missesCaught: 0.5 };
/** Pseudo-findings at the rule's precision added to every (rule, project) stratum of the estimate. */
export const SHRINKAGE = 2;

/** The statement text a label is keyed by: whitespace runs collapsed, at most SNIPPET_LENGTH characters. */
export function snippetOf(text) {
  return text.replace(/\s+/g, " ").trim().slice(0, SNIPPET_LENGTH);
}

function keyOf(item) {
  return `${item.project}\u0000${item.file}\u0000${item.ruleId}`;
}

function groupByKey(items) {
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

/**
 * Pairs findings with labels (both `{ project, file, ruleId, line, snippet }`) one to one: first by the statement
 * snippet (the nearest line wins among equal snippets), then by line alone within LINE_TOLERANCE. Returns a Map from
 * finding to label.
 */
export function matchLabels(findings, labels) {
  const matched = new Map();
  const labelsByKey = groupByKey(labels);
  for (const [key, group] of groupByKey(findings)) {
    const free = [...(labelsByKey.get(key) ?? [])];
    const pairUp = (accepts) => {
      for (const finding of group) {
        if (matched.has(finding)) continue;
        const candidates = free.filter((label) => accepts(finding, label));
        if (candidates.length === 0) continue;
        const nearest = candidates.reduce((best, label) =>
          Math.abs(label.line - finding.line) < Math.abs(best.line - finding.line) ? label : best,
        );
        matched.set(finding, nearest);
        free.splice(free.indexOf(nearest), 1);
      }
    };
    pairUp((finding, label) => finding.snippet === label.snippet);
    pairUp((finding, label) => Math.abs(label.line - finding.line) <= LINE_TOLERANCE);
  }
  return matched;
}

/** A finding's identity in the sampled run, without its line: hex SHA-1 of project, file, rule and snippet, cut short. */
export function findingHash(finding) {
  const key = [finding.project, finding.file, finding.ruleId, finding.snippet].join("\u0000");
  return createHash("sha1").update(key).digest("hex").slice(0, 10);
}

/**
 * Marks `isNew` the findings that no label matched (`verdict` unset) and that were not in the sampled run, whose
 * finding hashes `baseline` lists (a multiset: a statement reported twice in the same file counts twice).
 */
export function markNew(findings, baseline) {
  const left = new Map();
  for (const hash of baseline) left.set(hash, (left.get(hash) ?? 0) + 1);
  for (const finding of findings) {
    const hash = findingHash(finding);
    const count = left.get(hash) ?? 0;
    if (count > 0) left.set(hash, count - 1);
    finding.isNew = !finding.verdict && count === 0;
  }
}

/**
 * A miss is caught when one of its expected rules reports on its file within LINE_TOLERANCE of its line, at the
 * miss's `severity` when it names one (a risk reported too mildly is still missed).
 */
export function missCaught(miss, findings) {
  return findings.some(
    (finding) =>
      finding.project === miss.project &&
      finding.file === miss.file &&
      miss.rules.includes(finding.ruleId) &&
      (miss.severity === undefined || finding.severity === miss.severity) &&
      Math.abs(finding.line - miss.line) <= LINE_TOLERANCE,
  );
}

const ratio = (part, whole) => (whole === 0 ? undefined : part / whole);

/**
 * The figures of one run over a set of findings (each `{ project, ruleId, verdict?, isNew? }`, verdict "TP" | "NOISE"
 * | "FP" when a label matched) and the labelled TPs that existed (`tpLabels`). `estimate` is the precision over all findings:
 * each (rule, project) stratum weighs by its finding count, with its labelled precision shrunk toward its rule's
 * precision over all projects by SHRINKAGE pseudo-findings (a stratum with one or two labels says little on its own);
 * a rule with no labelled finding at all is left out (its share is `unestimated`). The rules' precision comes from
 * `pooled` (all projects' findings, when `findings` are one project's).
 */
export function score(findings, tpLabels, misses = { total: 0, caught: 0 }, pooled = findings) {
  const counts = { TP: 0, NOISE: 0, FP: 0 };
  for (const finding of findings) if (finding.verdict) counts[finding.verdict]++;
  const labelled = counts.TP + counts.NOISE + counts.FP;
  return {
    findings: findings.length,
    labelled,
    ...counts,
    new: findings.filter((finding) => finding.isNew).length,
    precision: ratio(counts.TP, labelled),
    tpsKept: ratio(counts.TP, tpLabels),
    tpLabels,
    missesCaught: ratio(misses.caught, misses.total),
    misses,
    ...weightedEstimate(findings, pooled),
  };
}

function weightedEstimate(findings, pooled) {
  const tally = (items, keyOf) => {
    const strata = new Map();
    for (const finding of items) {
      const key = keyOf(finding);
      const stratum = strata.get(key) ?? { count: 0, labelled: 0, tp: 0 };
      stratum.count++;
      if (finding.verdict) {
        stratum.labelled++;
        if (finding.verdict === "TP") stratum.tp++;
      }
      strata.set(key, stratum);
    }
    return strata;
  };
  const byRule = tally(pooled, (finding) => finding.ruleId);
  const byStratum = tally(findings, (finding) => `${finding.ruleId}\u0000${finding.project}`);
  let weight = 0;
  let tp = 0;
  for (const [key, stratum] of byStratum) {
    const rule = byRule.get(key.split("\u0000")[0]);
    if (!rule || rule.labelled === 0) continue;
    const rulePrecision = rule.tp / rule.labelled;
    weight += stratum.count;
    tp += (stratum.count * (stratum.tp + SHRINKAGE * rulePrecision)) / (stratum.labelled + SHRINKAGE);
  }
  return { estimate: ratio(tp, weight), unestimated: findings.length - weight };
}

/** The failed thresholds of `--check` (an empty list passes); an undefined figure (nothing to measure) does not fail. */
export function failedThresholds(figures) {
  return Object.entries(THRESHOLDS)
    .filter(([name, minimum]) => figures[name] !== undefined && figures[name] < minimum)
    .map(([name, minimum]) => `${name} ${format(figures[name])} < ${minimum}`);
}

function format(value) {
  return value === undefined ? "-" : value.toFixed(3);
}

// ---- the corpus run -------------------------------------------------------------------------------------------------

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const precisionDir = path.join(root, "test/precision");
const baselineFile = path.join(precisionDir, "baseline.txt");

function readLines(file) {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"));
}

/**
 * The corpus projects, each `{ name, root }` in its original layout: `projects/<name>` as it is, `sql/<name>` and
 * `js/<name>` (file names are paths with `/` written `__`) rebuilt under `scratch`.
 */
function corpusProjects(corpus, scratch) {
  const folders = (dir) =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
      : [];
  const projects = folders(path.join(corpus, "projects")).map((name) => ({ name, root: path.join(corpus, "projects", name) }));
  for (const group of ["sql", "js"]) {
    for (const name of folders(path.join(corpus, group))) {
      const projectRoot = path.join(scratch, name);
      for (const file of fs.readdirSync(path.join(corpus, group, name))) {
        const target = path.join(projectRoot, ...file.split("__"));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(corpus, group, name, file), target);
      }
      projects.push({ name, root: projectRoot });
    }
  }
  return projects;
}

/** Every finding of a zero-configuration run on one project: `{ project, file, line, ruleId, severity, snippet, message }`. */
async function lintProject(lint, project) {
  const report = await lint(["."], { cwd: project.root });
  const findings = [];
  for (const result of report.results) {
    const file = path.relative(project.root, result.filePath).split(path.sep).join("/");
    for (const finding of result.findings) {
      findings.push({
        project: project.name,
        file,
        line: finding.loc.start.line,
        ruleId: finding.ruleId,
        severity: finding.severity,
        snippet: snippetOf((result.text ?? "").slice(finding.range.start, finding.range.end)),
        message: finding.message,
      });
    }
  }
  return { findings, filesWithErrors: report.filesWithErrors };
}

function table(title, rows) {
  const header = [title, "findings", "labelled", "TP", "NOISE", "FP", "precision", "TPs kept", "misses", "new", "estimate", "unparsed"];
  const lines = rows.map(({ name, figures, unparsed = "" }) => [
    name,
    figures.findings,
    figures.labelled,
    figures.TP,
    figures.NOISE,
    figures.FP,
    format(figures.precision),
    `${format(figures.tpsKept)} (${figures.TP}/${figures.tpLabels})`,
    figures.misses.total === 0 ? "" : `${figures.misses.caught}/${figures.misses.total}`,
    figures.new,
    format(figures.estimate),
    unparsed,
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...lines.map((line) => String(line[column]).length)));
  const render = (cells) =>
    cells.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[0]) : String(cell).padStart(widths[column]))).join("  ");
  return [render(header), ...lines.map(render)].join("\n");
}

async function main(argv) {
  const option = (name) => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const corpus = path.resolve(option("--corpus") ?? path.join(root, "../shared/corpus"));
  const labels = readLines(path.join(precisionDir, "labels.jsonl")).map((line) => JSON.parse(line));
  const misses = JSON.parse(fs.readFileSync(path.join(precisionDir, "misses.json"), "utf8"));
  const { lint } = await import(pathToFileURL(path.join(root, "dist/src/index.js")).href);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-precision-"));
  const runs = [];
  try {
    for (const project of corpusProjects(corpus, scratch)) runs.push({ project: project.name, ...(await lintProject(lint, project)) });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const all = runs.flatMap((run) => run.findings);
  if (argv.includes("--write-baseline")) {
    const hashes = all.map(findingHash).sort();
    const note = "# The findings of the run the labelled sample was drawn from (scripts/precision.mjs findingHash), one a line.\n";
    fs.writeFileSync(baselineFile, note + hashes.join("\n") + "\n");
  }

  const matched = matchLabels(all, labels);
  for (const finding of all) finding.verdict = matched.get(finding)?.verdict;
  markNew(all, readLines(baselineFile));
  const figuresOf = (findings, where) =>
    score(
      findings,
      labels.filter((label) => label.verdict === "TP" && where(label)).length,
      { total: misses.filter(where).length, caught: misses.filter(where).filter((miss) => missCaught(miss, findings)).length },
      all,
    );
  const overall = figuresOf(all, () => true);
  const byProject = runs.map((run) => ({
    name: run.project,
    figures: figuresOf(run.findings, (item) => item.project === run.project),
    unparsed: run.filesWithErrors,
  }));
  byProject.push({ name: "overall", figures: overall, unparsed: runs.reduce((sum, run) => sum + run.filesWithErrors, 0) });
  const rules = [...new Set([...all.map((finding) => finding.ruleId), ...labels.map((label) => label.ruleId)])].sort();
  const byRule = rules.map((ruleId) => ({
    name: ruleId,
    figures: score(
      all.filter((finding) => finding.ruleId === ruleId),
      labels.filter((label) => label.verdict === "TP" && label.ruleId === ruleId).length,
      undefined,
      all,
    ),
  }));
  console.log(table("project", byProject));
  console.log(`\n${table("rule", byRule)}`);
  console.log(
    `\nprecision ${format(overall.precision)} on ${overall.labelled} labelled findings; estimated over all ${overall.findings} findings ` +
      `(each rule × project stratum weighted by its count) ${format(overall.estimate)}` +
      (overall.unestimated > 0 ? ` (${overall.unestimated} findings of rules with no label left out)` : ""),
  );
  console.log(
    `TPs kept ${format(overall.tpsKept)}; misses caught ${format(overall.missesCaught)}; ` +
      `labels no finding matched ${labels.length - matched.size}; new findings ${overall.new}` +
      (overall.new > 0 && !argv.includes("--unlabelled") ? " (list them with --unlabelled, judge them, label them)" : ""),
  );

  if (argv.includes("--unlabelled")) {
    console.log(`\n${overall.new} new findings, neither labelled nor in the sampled run:`);
    for (const finding of all.filter((item) => item.isNew)) {
      console.log(`${finding.project}\t${finding.file}:${finding.line}\t${finding.ruleId}\t${finding.snippet}`);
    }
  }
  const jsonFile = option("--json");
  if (jsonFile) fs.writeFileSync(jsonFile, all.map((finding) => JSON.stringify(finding)).join("\n") + "\n");
  if (argv.includes("--check")) {
    const failed = failedThresholds(overall);
    if (failed.length > 0) {
      console.log(`\n--check failed: ${failed.join("; ")}`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main(process.argv.slice(2));
