import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  failedThresholds,
  findingHash,
  markNew,
  matchLabels,
  missCaught,
  score,
  snippetOf,
  type Label,
  type Miss,
  type ScoredFinding,
} from "../../scripts/precision.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

const label = (line: number, snippet: string, verdict: Label["verdict"] = "TP", ruleId = "drop-column"): Label => ({
  project: "app",
  file: "migrations/001.sql",
  ruleId,
  line,
  snippet,
  verdict,
  reason: "test",
});
const finding = (line: number, snippet: string, ruleId = "drop-column"): ScoredFinding => ({
  project: "app",
  file: "migrations/001.sql",
  ruleId,
  line,
  snippet,
});

describe("matching labels to findings", () => {
  it("keys a statement by its first characters with whitespace collapsed", () => {
    expect(snippetOf("ALTER TABLE users\n    DROP COLUMN   email")).toBe("ALTER TABLE users DROP COLUMN email");
    expect(snippetOf("x".repeat(100))).toHaveLength(60);
  });

  it("finds a label by its statement when lines moved further than the line tolerance", () => {
    const moved = finding(40, "DROP COLUMN email");
    const matched = matchLabels([finding(3, "DROP COLUMN name"), moved], [label(12, "DROP COLUMN email")]);
    expect(matched.get(moved)?.line).toBe(12);
    expect(matched.size).toBe(1);
  });

  it("pairs equal statements by the nearest line, one label per finding", () => {
    const first = finding(10, "DROP INDEX idx_a");
    const second = finding(30, "DROP INDEX idx_a");
    const matched = matchLabels([second, first], [label(29, "DROP INDEX idx_a", "NOISE"), label(11, "DROP INDEX idx_a", "TP")]);
    expect(matched.get(first)?.verdict).toBe("TP");
    expect(matched.get(second)?.verdict).toBe("NOISE");
  });

  it("falls back to the line when the statement text of the finding changed, within the tolerance only", () => {
    const reworded = finding(13, "ALTER TABLE users DROP COLUMN email");
    const far = finding(30, "ALTER TABLE users DROP COLUMN name");
    const matched = matchLabels([reworded, far], [label(12, "DROP COLUMN email"), label(22, "DROP COLUMN name")]);
    expect(matched.get(reworded)?.snippet).toBe("DROP COLUMN email");
    expect(matched.has(far)).toBe(false);
  });

  it("never matches across rules or files", () => {
    const other = { ...finding(12, "DROP COLUMN email"), file: "migrations/002.sql" };
    expect(matchLabels([finding(12, "DROP COLUMN email", "require-lock-timeout"), other], [label(12, "DROP COLUMN email")]).size).toBe(0);
  });
});

describe("scoring a run", () => {
  it("computes precision among labelled findings and the share of labelled TPs still reported", () => {
    const findings: ScoredFinding[] = [
      { ...finding(1, "a"), verdict: "TP" },
      { ...finding(2, "b"), verdict: "TP" },
      { ...finding(3, "c"), verdict: "NOISE" },
      { ...finding(4, "d"), verdict: "FP" },
      finding(5, "e"),
    ];
    const figures = score(findings, 4, { total: 4, caught: 1 });
    expect(figures).toMatchObject({ findings: 5, labelled: 4, TP: 2, NOISE: 1, FP: 1, precision: 0.5, tpsKept: 0.5, missesCaught: 0.25 });
    expect(failedThresholds(figures)).toEqual(["precision 0.500 < 0.9", "tpsKept 0.500 < 0.95", "missesCaught 0.250 < 0.5"]);
  });

  it("leaves a figure undefined when there is nothing to measure, and does not fail --check on it", () => {
    const figures = score([finding(1, "a")], 0);
    expect(figures.precision).toBeUndefined();
    expect(figures.tpsKept).toBeUndefined();
    expect(failedThresholds(figures)).toEqual([]);
  });

  it("estimates precision over all findings: strata weighted by their count, shrunk toward their rule's precision", () => {
    const stratum = (project: string, ruleId: string, verdicts: (Label["verdict"] | undefined)[]) =>
      verdicts.map((verdict, index) => ({ ...finding(index, `s${index}`, ruleId), project, verdict }));
    // rule x: 3 of 4 labelled TP overall; project p has 1 TP label among 10 findings, project q 3 labels among 2 + 3.
    const findings = [
      ...stratum("p", "x", ["TP", ...Array<undefined>(9).fill(undefined)]),
      ...stratum("q", "x", ["TP", "TP", "FP", undefined, undefined]),
      ...stratum("q", "unlabelled-rule", [undefined]),
    ];
    const figures = score(findings, 3);
    const p = (1 + 2 * 0.75) / (1 + 2);
    const q = (2 + 2 * 0.75) / (3 + 2);
    expect(figures.estimate).toBeCloseTo((10 * p + 5 * q) / 15, 10);
    expect(figures.unestimated).toBe(1);
  });

  it("takes a rule's precision from the pooled run when scoring one project", () => {
    const pooled = [{ ...finding(1, "a"), project: "other", verdict: "FP" as const }, finding(2, "b")];
    expect(score([pooled[1]!], 0, undefined, pooled).estimate).toBe(0);
  });
});

describe("new findings and misses", () => {
  it("marks as new only the unlabelled findings the sampled run did not have, counting repeats", () => {
    const sampled = [finding(1, "a"), finding(2, "b")];
    const now: ScoredFinding[] = [finding(9, "a"), finding(2, "b"), finding(3, "b"), { ...finding(4, "c"), verdict: "TP" }, finding(5, "d")];
    markNew(now, sampled.map(findingHash));
    expect(now.map((item) => item.isNew)).toEqual([false, false, true, false, true]);
    expect(score(now, 0).new).toBe(2);
  });

  it("catches a miss when an expected rule reports near its line, at its severity if it names one", () => {
    const miss: Miss = { project: "app", file: "migrations/001.sql", line: 20, rules: ["hard-delete"], severity: "dangerous" };
    const careful = { ...finding(21, "DELETE FROM users", "hard-delete"), severity: "careful" as const };
    expect(missCaught(miss, [careful])).toBe(false);
    expect(missCaught(miss, [{ ...careful, severity: "dangerous" }])).toBe(true);
    expect(missCaught(miss, [{ ...careful, severity: "dangerous", line: 30 }])).toBe(false);
    expect(missCaught({ ...miss, severity: undefined }, [careful])).toBe(true);
  });
});

describe("the labelled set", () => {
  const labels = fs
    .readFileSync(path.join(here, "labels.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Label);
  const misses = JSON.parse(fs.readFileSync(path.join(here, "misses.json"), "utf8")) as (Miss & { snippet: string; risk: string })[];

  it("gives every label its key, a verdict, a reason and, for NOISE and FP, a class", () => {
    for (const item of labels) {
      expect(item, JSON.stringify(item)).toMatchObject({
        project: expect.any(String),
        file: expect.any(String),
        ruleId: expect.any(String),
        line: expect.any(Number),
        snippet: expect.any(String),
        reason: expect.any(String),
      });
      expect(["TP", "NOISE", "FP"]).toContain(item.verdict);
      if (item.verdict !== "TP") expect(item.class, JSON.stringify(item)).toEqual(expect.any(String));
    }
  });

  it("labels each finding once", () => {
    const keys = labels.map((item) => `${item.project}:${item.file}:${item.line}:${item.ruleId}:${item.snippet}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("names for every miss its place, the rules that should report it and the risk", () => {
    for (const item of misses) {
      expect(item.rules.length, JSON.stringify(item)).toBeGreaterThan(0);
      expect(item).toMatchObject({ project: expect.any(String), file: expect.any(String), line: expect.any(Number), risk: expect.any(String) });
    }
  });
});
