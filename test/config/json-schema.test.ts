import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import jsonc from "jsonc-parser";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { configJsonSchema } from "../../src/config/json-schema.js";
import { CONFIG_KEYS, validateConfig } from "../../src/config/schema.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ruleIds = allRules.map((rule) => rule.meta.id);
const published = JSON.parse(fs.readFileSync(path.join(root, "migsafe.config.schema.json"), "utf8")) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: true }).compile(published);
const migsafeAccepts = (config: unknown) => validateConfig(config, new Set(ruleIds)).ok;

/** Values of each key, good and bad: the schema and validateConfig must agree on every one. */
const SAMPLES: Record<string, unknown[]> = {
  $schema: ["./node_modules/migsafe/migsafe.config.schema.json"],
  extends: ["recommended", "strict", "all", 1],
  rules: [{ "drop-table": "off" }, { "drop-table": ["careful", {}] }, { "drop-table": "warn" }, { "drop-tabel": "off" }, { "drop-table": ["off"] }, []],
  pgVersion: [9, 14, 18, 99, 8, 100, 14.5, "14"],
  runner: ["flyway", "none", "rails", 1],
  assumeInTransaction: [true, false, "yes"],
  include: [["db/**/*.sql"], [], "db/**/*.sql", [1]],
  exclude: [["db/seeds/**"], "x"],
  rollbackPatterns: [["{name}.undo.sql"], ["undo.sql"], "{name}.undo.sql"],
  startAfter: ["0042_init.sql", "", 42],
  requireIgnoreReason: [true, 0],
  standardConformingStrings: [false, "off"],
  placeholders: [{ "\\{\\{[^{}]*\\}\\}": "x" }, { a: 1 }, ["a"]],
  migrationFunctions: [{ up: ["up", "change"], down: ["down"] }, { up: ["up"] }, { up: ["up"], down: ["down"], side: [] }, { up: "up", down: "down" }],
  otherDatabases: [[], ["sqlite"], "sqlite", [null]],
};

/** The ```json/```jsonc blocks of README.md and docs/ that are configurations: objects with a configuration key. */
function documentedConfigs(): { where: string; config: Record<string, unknown> }[] {
  const files = ["README.md", ...fs.readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  return files.flatMap((file) =>
    [...fs.readFileSync(path.join(root, file), "utf8").matchAll(/^```jsonc?\n([\s\S]*?)^```/gm)].flatMap((block) => {
      const value = jsonc.parse(block[1]!) as unknown;
      const config = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      return config && Object.keys(config).some((key) => (CONFIG_KEYS as readonly string[]).includes(key)) ? [{ where: file, config }] : [];
    }),
  );
}

describe("the configuration's JSON Schema (migsafe.config.schema.json)", () => {
  it("is the one generated from the validator's lists (npm run docs:schema writes it)", () => {
    expect(published).toEqual(configJsonSchema(ruleIds));
  });

  it("has a property for every key the validator knows, and $schema", () => {
    expect(Object.keys(published.properties as object)).toEqual(["$schema", ...CONFIG_KEYS]);
    expect(Object.keys(SAMPLES).sort()).toEqual(["$schema", ...CONFIG_KEYS].sort());
  });

  it.each(Object.entries(SAMPLES).flatMap(([key, values]) => values.map((value) => [key, value] as const)))("agrees with validateConfig on %s: %j", (key, value) => {
    const config = { [key]: value };
    expect(validate(config)).toBe(migsafeAccepts(config));
  });

  it("refuses an unknown key, as the validator does", () => {
    expect(validate({ pgversion: 14 })).toBe(false);
    expect(migsafeAccepts({ pgversion: 14 })).toBe(false);
  });

  it("accepts every configuration the docs show", () => {
    const configs = documentedConfigs();
    expect(configs.length).toBeGreaterThanOrEqual(4);
    for (const { where, config } of configs) {
      expect(validate(config) ? [] : validate.errors, where).toEqual([]);
      expect(migsafeAccepts(config), where).toBe(true);
    }
  });

  it("is published with the package", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { files: string[] };
    expect(manifest.files).toContain("migsafe.config.schema.json");
  });
});
