/**
 * migsafe's settings (how a project's migrations run), checked and completed by one function for every
 * way they are given: migsafe.config.json (.migsaferc.json, package.json#migsafe), ESLint's
 * `languageOptions` for the `migsafe/sql` language, and ESLint's `settings.migsafe`.
 */
import type { LintOptions } from "../engine/lint.js";
import type { LintSettings } from "../engine/rule.js";
import { isRunnerName, RUNNER_NAMES } from "../runners/profiles.js";
import { isStringList, show } from "./values.js";

/** Every setting, each with a value. */
export interface MigrationSettings extends LintSettings {
  /** Extra rollback file names, `{name}` standing for the forward migration's name without `.sql`. */
  rollbackPatterns: readonly string[];
}

export type SettingKey = keyof MigrationSettings;

/**
 * Databases whose SQL TS/JS migrations of multi-database projects hold beside PostgreSQL's, by the names
 * their drivers, ORMs and folders use. CockroachDB is among them: it speaks PostgreSQL's protocol, but its
 * schema changes lock and rewrite differently, so migsafe's verdicts would be wrong there.
 */
export const OTHER_DATABASES: readonly string[] = [
  "sqlite", "sqlite3", "better-sqlite3", "sqljs", "mysql", "mysql2", "mariadb", "aurora-mysql", "mssql", "sqlserver", "oracle", "oracledb",
  "sap", "hana", "spanner", "cockroachdb", "cockroach", "mongodb", "db2", "snowflake", "cordova", "capacitor", "expo", "nativescript", "react-native",
];

/**
 * The one place settings get their defaults: PostgreSQL 14, ignores need a reason, and nothing said of the
 * runner: `runner` and `assumeInTransaction` stay undefined ("not set"), so that each file's runner is
 * detected (src/runners/) and only a value the user sets overrides what was detected.
 */
export const DEFAULT_SETTINGS: MigrationSettings = {
  pgVersion: 14,
  runner: undefined,
  assumeInTransaction: undefined,
  requireIgnoreReason: true,
  standardConformingStrings: true,
  rollbackPatterns: [],
  migrationFunctions: { up: ["up"], down: ["down"] },
  otherDatabases: OTHER_DATABASES,
};

/** Where settings were given, as messages name it and its keys. */
export interface SettingsOrigin {
  /** The object that holds them, e.g. `ESLint settings.migsafe`. */
  readonly name: string;
  /** One of its keys, e.g. `ESLint settings.migsafe.pgVersion`. */
  key(key: string): string;
}

/** A configuration file: the message about it comes after its path, and quotes the key as the file does. */
export const CONFIG_FILE: SettingsOrigin = { name: "the configuration", key: (key) => `"${key}"` };

/** An object of ESLint's configuration, named by its path, e.g. `ESLint languageOptions`. */
export function eslintOrigin(name: string): SettingsOrigin {
  return { name, key: (key) => `${name}.${key}` };
}

const mustBeBoolean = (value: unknown) => (typeof value === "boolean" ? undefined : `must be true or false, not ${show(value)}`);

/** What each setting accepts: the problem with a value (to follow the setting's name), or undefined. */
const CHECKS: Record<SettingKey, (value: unknown) => string | undefined> = {
  pgVersion: (value) =>
    typeof value === "number" && Number.isInteger(value) && value >= 9 && value <= 99 ? undefined : `must be a PostgreSQL major version such as 14, not ${show(value)}`,
  runner: (value) => (value === "none" || isRunnerName(value) ? undefined : `must be one of ${[...RUNNER_NAMES, "none"].map((name) => `"${name}"`).join(", ")}, not ${show(value)}`),
  assumeInTransaction: mustBeBoolean,
  requireIgnoreReason: mustBeBoolean,
  standardConformingStrings: mustBeBoolean,
  migrationFunctions: checkMigrationFunctions,
  otherDatabases: (value) => (isStringList(value) ? undefined : `must be a list of database names such as "sqlite", not ${show(value)}`),
  rollbackPatterns: (value) => {
    if (!isStringList(value)) return "must be a list of strings";
    return value.every((pattern) => pattern.includes("{name}")) ? undefined : `entries must contain {name}, e.g. "{name}.undo.sql"`;
  },
};

function checkMigrationFunctions(value: unknown): string | undefined {
  const example = `, e.g. {"up": ["up"], "down": ["down"]}`;
  if (!value || typeof value !== "object" || Array.isArray(value)) return `must be an object of the up and down functions${example}, not ${show(value)}`;
  const { up, down, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return `has an unknown key "${extra}": only "up" and "down"`;
  if (!isStringList(up) || !isStringList(down)) return `must list the function names of both directions${example}`;
  const both = up.find((name) => down.includes(name));
  return both === undefined ? undefined : `names "${both}" in both directions`;
}

function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(CHECKS, key);
}

export type ResolvedSettings = { ok: true; settings: MigrationSettings } | { ok: false; message: string; /** The setting at fault, when one is. */ key?: SettingKey };

/**
 * The settings in `input`, checked, with `base`'s value for each one not given (or given as undefined).
 * Keys that are not settings are left to the caller. When several settings are bad, the first one in
 * `input`'s order is reported, in one line that names it as `origin` does.
 */
export function resolveSettings(input: unknown, origin: SettingsOrigin, base: MigrationSettings = DEFAULT_SETTINGS): ResolvedSettings {
  if (input === undefined) return { ok: true, settings: base };
  if (typeof input !== "object" || input === null || Array.isArray(input)) return { ok: false, message: `${origin.name} must be an object, not ${show(input)}` };
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!isSettingKey(key) || value === undefined) continue;
    const problem = CHECKS[key](value);
    if (problem) return { ok: false, message: `${origin.key(key)} ${problem}`, key };
    given[key] = value;
  }
  return { ok: true, settings: { ...base, ...(given as Partial<MigrationSettings>) } };
}

/** The settings as the engine takes them. */
export function settingsOptions({ rollbackPatterns, ...settings }: MigrationSettings): Pick<LintOptions, "settings" | "rollbackPatterns"> {
  return { settings, rollbackPatterns };
}
