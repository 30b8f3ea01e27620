import { didYouMean } from "../did-you-mean.js";
import type { RuleSetting } from "../engine/lint.js";
import { placeholderProblem } from "../engine/placeholders.js";
import { backtrackingProblem } from "./regex-safety.js";
import { CONFIG_FILE, resolveSettings, type MigrationSettings, type ResolvedSettings } from "./settings.js";
import type { RunnerName } from "../runners/profiles.js";
import { isStringList, show } from "./values.js";

export type PresetName = "recommended" | "strict";
export type RuleEntry = RuleSetting | [RuleSetting, unknown];

/** migsafe.config.json, .migsaferc.json or package.json#migsafe. */
export interface MigsafeConfig {
  /** The preset the rules start from (default "recommended"). */
  extends?: PresetName;
  /** Per-rule severity, or [severity, options]. */
  rules?: Record<string, RuleEntry>;
  /** The PostgreSQL major version migrations run on (default 14). */
  pgVersion?: number;
  /** The runner that runs the migrations, instead of the one detected for each file; "none": nothing wraps a file. */
  runner?: RunnerName | "none";
  /** The migration runner wraps each file in a transaction (true) or does not (false), whatever runner is detected. */
  assumeInTransaction?: boolean;
  /** Globs (relative to the config file) of the migrations to lint; default every .sql file given. */
  include?: string[];
  /** Globs (relative to the config file) of files never linted. */
  exclude?: string[];
  /** Extra rollback file names, with `{name}` for the forward migration's name without `.sql`. */
  rollbackPatterns?: string[];
  /** Skip migrations whose file name sorts at or before this one: history already applied. */
  startAfter?: string;
  /** An inline ignore without a reason is itself a finding (default true). */
  requireIgnoreReason?: boolean;
  /** The database's standard_conforming_strings (default true): false reads '...' strings with backslash escapes. */
  standardConformingStrings?: boolean;
  /** Template syntax replaced before parsing: regular expression → SQL text (e.g. Go templates → a name). */
  placeholders?: Record<string, string>;
  /** The functions of a TS/JS migration the runner calls, by direction (default `{ "up": ["up"], "down": ["down"] }`). */
  migrationFunctions?: { up: string[]; down: string[] };
  /** Databases whose branches, functions and folders in TS/JS migrations are skipped (default: SQLite, MySQL, MariaDB, …). */
  otherDatabases?: string[];
}

export const PRESETS: readonly PresetName[] = ["recommended", "strict"];
export const SEVERITY_SETTINGS: readonly RuleSetting[] = ["off", "careful", "dangerous"];

type Check = (value: unknown, key: string, ruleIds: ReadonlySet<string>) => string | undefined;

const checkStringList: Check = (value, key) => (isStringList(value) ? undefined : `"${key}" must be a list of strings`);

/** The settings shared with ESLint's configuration are checked by resolveSettings (src/config/settings.ts). */
const SETTING = "setting";

/** Each key's check, in the order the "unknown key" message lists them. */
const CHECKS: Record<keyof MigsafeConfig, Check | typeof SETTING> = {
  extends: (value, key) => (typeof value === "string" && (PRESETS as readonly string[]).includes(value) ? undefined : `"${key}" must be "recommended" or "strict", not ${show(value)}`),
  rules: checkRules,
  pgVersion: SETTING,
  runner: SETTING,
  assumeInTransaction: SETTING,
  include: checkStringList,
  exclude: checkStringList,
  rollbackPatterns: SETTING,
  startAfter: (value, key) => (typeof value === "string" && value !== "" ? undefined : `"${key}" must be a migration file name`),
  requireIgnoreReason: SETTING,
  standardConformingStrings: SETTING,
  placeholders: checkPlaceholders,
  migrationFunctions: SETTING,
  otherDatabases: SETTING,
};

/** Every key of a configuration, in the order the "unknown key" message lists them (`$schema` is accepted besides). */
export const CONFIG_KEYS = Object.keys(CHECKS) as readonly (keyof MigsafeConfig)[];

function checkPlaceholders(value: unknown, key: string): string | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return `"${key}" must be an object of regular expression → replacement`;
  for (const [pattern, replacement] of Object.entries(value)) {
    if (typeof replacement !== "string") return `"${key}.${pattern}" must be a string (the SQL the match is replaced with), not ${show(replacement)}`;
    const problem = placeholderProblem(pattern) ?? backtrackingProblem(pattern);
    if (problem) return `"${key}.${pattern}": ${problem}`;
  }
  return undefined;
}

function checkRules(value: unknown, key: string, ruleIds: ReadonlySet<string>): string | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return `"${key}" must be an object of rule id → severity`;
  for (const [id, entry] of Object.entries(value)) {
    if (!ruleIds.has(id)) return `unknown rule "${id}" in "${key}"${didYouMean(id, [...ruleIds])}`;
    const setting = Array.isArray(entry) ? entry[0] : entry;
    if (Array.isArray(entry) && entry.length !== 2) return `"${key}.${id}" must be a severity or [severity, options]`;
    if (typeof setting !== "string" || !(SEVERITY_SETTINGS as readonly string[]).includes(setting)) return `"${key}.${id}" must be "off", "careful" or "dangerous", not ${show(setting)}`;
  }
  return undefined;
}

export type ValidatedConfig = { ok: true; config: MigsafeConfig; settings: MigrationSettings } | { ok: false; message: string };

/** Checks a parsed configuration, and completes its settings; the message names the key at fault (the first one in the file). */
export function validateConfig(raw: unknown, ruleIds: ReadonlySet<string>): ValidatedConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { ok: false, message: "the configuration must be a JSON object" };
  const settings = resolveSettings(raw, CONFIG_FILE);
  for (const [key, value] of Object.entries(raw)) {
    if (key === "$schema") continue;
    // Own keys only: "constructor" or "__proto__" must not find Object.prototype's.
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof MigsafeConfig] : undefined;
    if (!check) return { ok: false, message: `unknown key "${key}"${didYouMean(key, CONFIG_KEYS) || ` (known keys: ${CONFIG_KEYS.join(", ")})`}` };
    const problem = check === SETTING ? settingProblem(settings, key) : check(value, key, ruleIds);
    if (problem) return { ok: false, message: problem };
  }
  return settings.ok ? { ok: true, config: raw as MigsafeConfig, settings: settings.settings } : settings;
}

function settingProblem(settings: ResolvedSettings, key: string): string | undefined {
  return !settings.ok && settings.key === key ? settings.message : undefined;
}
