/**
 * migsafe as an ESLint plugin: the `migsafe/sql` language and one rule per migsafe rule.
 *
 *   // eslint.config.js
 *   import migsafe from "migsafe/eslint";
 *   export default [migsafe.configs.recommended, migsafe.configs.typescript];
 *
 * Each preset is one flat config object that can also be spread (`...migsafe.configs.recommended` gives that one
 * object), so configs written either way work: ESLint's flat config rejects a nested array ("Unexpected array").
 *
 * `recommended`/`strict` lint `.sql` files; `typescript` lints the SQL embedded in JS/TS
 * migrations (.ts/.js/.mjs/.cjs files in a `migrations` folder) with the same rules, same names
 * (`migsafe/drop-table` is one rule for both languages: see embedded-rules.ts).
 *
 * TypeScript files need `@typescript-eslint/parser` (or `typescript-eslint`, which brings it)
 * installed in the project: `configs.typescript` sets it as the parser when it can be resolved
 * from the working directory or from migsafe, and otherwise leaves the parser to ESLint's
 * default (espree: `.js` files work, `.ts` files are parse errors) or to the user's config.
 */
import { createRequire } from "node:module";
import path from "node:path";
import type { Plugin } from "@eslint/core";
import { allRules } from "../../rules/index.js";
import { packageVersion } from "../version.js";
import { presetSeverities } from "../config/resolve.js";
import type { PresetName } from "../config/schema.js";
import { sql } from "./language.js";
import { toEslintRule, type SqlRuleDefinition } from "./rules.js";

/** A flat config object for `.sql` files. */
export interface SqlConfig {
  name: string;
  files: string[];
  plugins: { migsafe: MigsafePlugin };
  language: "migsafe/sql";
  rules: Record<string, "error" | "warn">;
}

/** A flat config object for JS/TS migrations (the `js/js` language, SQL embedded in the code). */
export interface ScriptConfig {
  name: string;
  files: string[];
  plugins: { migsafe: MigsafePlugin };
  /** `parser` is `@typescript-eslint/parser` when it is installed. */
  languageOptions?: { parser: unknown };
  rules: Record<string, "error" | "warn">;
}

export interface MigsafePlugin extends Plugin {
  meta: { name: string; version: string; namespace: string };
  languages: { sql: typeof sql };
  rules: Record<string, SqlRuleDefinition>;
  /**
   * Each preset is one flat config object, placed in the config array as it is (`migsafe.configs.recommended`) or
   * spread into it (`...migsafe.configs.recommended`: spreading gives the same one object).
   */
  configs: {
    recommended: Preset<SqlConfig>;
    strict: Preset<SqlConfig>;
    /** The recommended severities for JS/TS migrations; built on first access (it looks up the TS parser). */
    readonly typescript: Preset<ScriptConfig>;
  };
}

/** A flat config object that spreads into itself. */
export type Preset<Config> = Config & Iterable<Config>;

/**
 * Makes `[...config]` give `[config]`. The iterator is a non-enumerable symbol, so ESLint's config validation (which
 * reads the object's own string keys) never sees it, and ESLint does not flatten the object (it flattens arrays only).
 */
function spreadable<Config extends object>(config: Config): Preset<Config> {
  Object.defineProperty(config, Symbol.iterator, {
    enumerable: false,
    value: function* (this: Config) {
      yield this;
    },
  });
  return config as Preset<Config>;
}

const rules = Object.fromEntries(allRules.map((rule) => [rule.meta.id, toEslintRule(rule, allRules)]));

const plugin: MigsafePlugin = {
  meta: { name: "migsafe", version: packageVersion(), namespace: "migsafe" },
  languages: { sql },
  rules,
  configs: {} as MigsafePlugin["configs"],
};

/** ESLint severities of a preset: dangerous → "error", careful → "warn". */
function presetRules(name: PresetName): Record<string, "error" | "warn"> {
  const severities = presetSeverities(name, allRules);
  const ruleSettings: Record<string, "error" | "warn"> = {};
  for (const [id, setting] of Object.entries(severities)) {
    if (setting !== "off") ruleSettings[`migsafe/${id}`] = setting === "dangerous" ? "error" : "warn";
  }
  return ruleSettings;
}

function preset(name: PresetName): Preset<SqlConfig> {
  return spreadable({ name: `migsafe/${name}`, files: ["**/*.sql"], plugins: { migsafe: plugin }, language: "migsafe/sql", rules: presetRules(name) });
}

/** The files `configs.typescript` applies to. */
export const SCRIPT_MIGRATION_FILES = ["**/migrations/**/*.{ts,js,mjs,cjs}"];

/** `@typescript-eslint/parser`, from the project (the working directory) or next to migsafe; undefined when not installed. */
export function findTypeScriptParser(): unknown {
  for (const base of [path.join(process.cwd(), "eslint.config.js"), import.meta.url]) {
    try {
      return createRequire(base)("@typescript-eslint/parser") as unknown;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    }
  }
  return undefined;
}

function scriptPreset(): Preset<ScriptConfig> {
  const parser = findTypeScriptParser();
  return spreadable<ScriptConfig>({
    name: "migsafe/typescript",
    files: [...SCRIPT_MIGRATION_FILES],
    plugins: { migsafe: plugin },
    ...(parser ? { languageOptions: { parser } } : {}),
    rules: presetRules("recommended"),
  });
}

plugin.configs.recommended = preset("recommended");
plugin.configs.strict = preset("strict");
// Loading the TypeScript parser loads TypeScript: only for users of this preset.
let typescriptPreset: Preset<ScriptConfig> | undefined;
Object.defineProperty(plugin.configs, "typescript", {
  enumerable: true,
  configurable: true,
  get: () => (typescriptPreset ??= scriptPreset()),
});

export type { SqlLanguageOptions, SqlMigration, SqlStatementNode, SqlComment } from "./types.js";
export default plugin;
