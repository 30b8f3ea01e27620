import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { presetSeverities } from "../src/config/resolve.js";
import { lintFile } from "../src/embedded/lint-file.js";
import { allRules } from "../rules/index.js";
import { DEFAULT_SETTINGS } from "../src/config/settings.js";

const guide = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/guide");
const lintGuide = (name: string, preset: "recommended" | "strict") =>
  lintFile(path.join(guide, name), { settings: DEFAULT_SETTINGS, rules: allRules, severities: presetSeverities(preset, allRules) });

describe("presets on the migration guide's examples", () => {
  it.each(["007_add_premium_tier.sql", "008_add_teacher_mode.sql", "safe.sql", "careful.sql"])(
    "%s has no dangerous finding under recommended",
    (name) => {
      const result = lintGuide(name, "recommended");
      expect(result.errors).toEqual([]);
      expect(result.findings.filter((finding) => finding.severity === "dangerous").map((finding) => finding.ruleId)).toEqual([]);
    },
  );

  it("reports every one of the guide's dangerous examples as dangerous", () => {
    const dangerous = lintGuide("dangerous.sql", "recommended").findings.filter((finding) => finding.severity === "dangerous");
    expect(dangerous.map((finding) => [finding.ruleId, finding.loc.start.line])).toEqual([
      ["drop-table", 2],
      ["drop-column", 3],
      ["truncate", 4],
      ["delete-without-where", 5],
      ["drop-schema", 6],
      ["hard-delete", 8],
    ]);
  });

  it("reports the careful examples as careful, each with its rule", () => {
    const careful = new Set(lintGuide("careful.sql", "recommended").findings.map((finding) => finding.ruleId));
    for (const id of ["not-null-without-backfill", "change-column-type", "update-without-where"]) {
      expect(careful.has(id), id).toBe(true);
    }
  });

  it("leaves schema-design advice, missing-if-not-exists and change-default (mostly noise, measured on the corpus) to strict", () => {
    const strictOnly = allRules.filter((rule) => rule.meta.recommended === false).map((rule) => rule.meta.id);
    expect(strictOnly.sort()).toEqual(["change-default", "missing-if-not-exists", "prefer-bigint-keys", "prefer-identity", "prefer-text", "prefer-timestamptz", "require-primary-key"]);
    const recommended = new Set(lintGuide("careful.sql", "recommended").findings.map((finding) => finding.ruleId));
    const strict = new Set(lintGuide("careful.sql", "strict").findings.map((finding) => finding.ruleId));
    for (const id of strictOnly) expect(recommended.has(id)).toBe(false);
    expect([...strict].some((id) => strictOnly.includes(id))).toBe(true);
  });

  it("has a fixture for each of the guide's own migrations", () => {
    expect(fs.readdirSync(guide).sort()).toEqual(["007_add_premium_tier.sql", "008_add_teacher_mode.sql", "careful.sql", "dangerous.sql", "safe.sql"]);
  });
});
