/**
 * The JSON Schema of migsafe.config.json (published as migsafe.config.schema.json, written by
 * `npm run docs:schema`): editors complete and check a configuration with it. It is built from the same
 * lists the validator checks against (keys, presets, severities, runners, defaults); test/config/json-schema.test.ts
 * proves that it accepts and refuses what validateConfig does. What JSON Schema cannot say (a placeholder's regular
 * expression that backtracks, a function named in both directions) is left to migsafe's own check.
 */
import { RUNNER_NAMES } from "../runners/profiles.js";
import { CONFIG_KEYS, PRESETS, SEVERITY_SETTINGS, type MigsafeConfig } from "./schema.js";
import { DEFAULT_SETTINGS } from "./settings.js";

type JsonSchema = Record<string, unknown>;

const stringList = (description: string): JsonSchema => ({ description, type: "array", items: { type: "string" } });

function properties(ruleIds: readonly string[]): Record<keyof MigsafeConfig, JsonSchema> {
  const severity = { enum: SEVERITY_SETTINGS };
  return {
    extends: { description: "The preset the rules start from.", enum: PRESETS, default: "recommended" },
    rules: {
      description: "Per-rule severity, or [severity, options].",
      type: "object",
      propertyNames: { enum: ruleIds },
      additionalProperties: { anyOf: [severity, { type: "array", items: [severity, {}], minItems: 2, maxItems: 2 }] },
    },
    pgVersion: { description: "The PostgreSQL major version the migrations run on.", type: "integer", minimum: 9, maximum: 99, default: DEFAULT_SETTINGS.pgVersion },
    runner: {
      description: 'The runner that runs the migrations, instead of the one detected for each file; "none": nothing wraps a file.',
      enum: [...RUNNER_NAMES, "none"],
    },
    assumeInTransaction: { description: "The runner wraps each file in a transaction (true) or does not (false), whatever runner is detected.", type: "boolean" },
    include: stringList("Globs (relative to the configuration file) of the migrations to lint; default every .sql file given."),
    exclude: stringList("Globs (relative to the configuration file) of files never linted."),
    rollbackPatterns: {
      description: "Extra rollback file names, with {name} for the forward migration's name without .sql.",
      type: "array",
      items: { type: "string", pattern: "\\{name\\}" },
    },
    startAfter: { description: "Skip migrations whose file name sorts at or before this one: history already applied.", type: "string", minLength: 1 },
    requireIgnoreReason: { description: "An inline ignore without a reason is itself a finding.", type: "boolean", default: DEFAULT_SETTINGS.requireIgnoreReason },
    standardConformingStrings: {
      description: "The database's standard_conforming_strings: false reads '...' strings with backslash escapes.",
      type: "boolean",
      default: DEFAULT_SETTINGS.standardConformingStrings,
    },
    placeholders: {
      description: "Template syntax replaced before parsing: regular expression (JavaScript syntax) → the SQL text put in its place.",
      type: "object",
      additionalProperties: { type: "string" },
    },
    migrationFunctions: {
      description: "The functions of a TS/JS migration the runner calls, by direction, in the order it calls them.",
      type: "object",
      properties: { up: { type: "array", items: { type: "string" } }, down: { type: "array", items: { type: "string" } } },
      required: ["up", "down"],
      additionalProperties: false,
      default: DEFAULT_SETTINGS.migrationFunctions,
    },
    otherDatabases: stringList("Databases whose branches, functions and folders in TS/JS migrations are not linted ([] lints everything as PostgreSQL)."),
  };
}

/** The JSON Schema (draft-07, which editors support best) of a configuration, for migsafe's rules. */
export function configJsonSchema(ruleIds: readonly string[]): JsonSchema {
  const byKey = properties(ruleIds);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "migsafe configuration (migsafe.config.json, .migsaferc.json, package.json#migsafe)",
    type: "object",
    properties: { $schema: { type: "string" }, ...Object.fromEntries(CONFIG_KEYS.map((key) => [key, byKey[key]])) },
    additionalProperties: false,
  };
}
