import path from "node:path";
import picomatch from "picomatch";
import type { LintOptions, RuleSetting } from "../engine/lint.js";
import type { Rule } from "../engine/rule.js";
import type { LoadedConfig } from "./load.js";
import type { PresetName } from "./schema.js";
import { DEFAULT_SETTINGS, settingsOptions } from "./settings.js";

/** Everything a configuration decides for the files it governs. */
export interface ResolvedConfig {
  /** Severities, options and settings for the engine (without the rule list). */
  lint: Omit<LintOptions, "rules">;
  /** False for files the configuration leaves out: include/exclude globs and startAfter. */
  accepts(filePath: string): boolean;
}

/** A preset's severity for each rule: `strict` turns on every rule, `recommended` leaves schema-design advice off. */
export function presetSeverities(preset: PresetName, rules: readonly Rule[]): Record<string, RuleSetting> {
  return Object.fromEntries(rules.map((rule) => [rule.meta.id, preset === "recommended" && rule.meta.recommended === false ? "off" : rule.meta.severity]));
}

/**
 * The configuration in force: the preset, then the configuration's rules, then the
 * command line's `--rule` overrides, which win; `pgVersion` (--pg-version) wins over
 * the configuration's setting.
 */
export function resolveConfig(loaded: LoadedConfig | undefined, rules: readonly Rule[], overrides: Readonly<Record<string, RuleSetting>> = {}, pgVersion?: number): ResolvedConfig {
  const config = loaded?.config ?? {};
  const severities = presetSeverities(config.extends ?? "recommended", rules);
  const ruleOptions: Record<string, unknown> = {};
  for (const [id, entry] of Object.entries(config.rules ?? {})) {
    if (Array.isArray(entry)) {
      severities[id] = entry[0];
      ruleOptions[id] = entry[1];
    } else {
      severities[id] = entry;
    }
  }
  Object.assign(severities, overrides);
  return {
    lint: {
      severities,
      ruleOptions,
      ...settingsOptions(pgVersion === undefined ? (loaded?.settings ?? DEFAULT_SETTINGS) : { ...(loaded?.settings ?? DEFAULT_SETTINGS), pgVersion }),
      ...(config.placeholders ? { placeholders: Object.entries(config.placeholders).map(([pattern, replacement]) => ({ pattern, replacement })) } : {}),
    },
    accepts: fileFilter(loaded),
  };
}

function fileFilter(loaded: LoadedConfig | undefined): (filePath: string) => boolean {
  const config = loaded?.config;
  if (!loaded || !config || (!config.include && !config.exclude && !config.startAfter)) return () => true;
  const include = config.include ? picomatch(config.include, { dot: true }) : undefined;
  const exclude = config.exclude ? picomatch(config.exclude, { dot: true }) : undefined;
  return (filePath) => {
    const relative = path.relative(loaded.dir, path.resolve(filePath)).split(path.sep).join("/");
    if (include && !include(relative)) return false;
    if (exclude?.(relative)) return false;
    return !config.startAfter || migrationName(filePath) > config.startAfter;
  };
}

/**
 * The name a migration sorts by: its file name, or its folder's name for runners that
 * keep one folder per migration (`20240101_add_users/up.sql`, `…/migration.sql`). A
 * rollback file goes by its forward migration's name (`002_b_rollback.sql` → `002_b.sql`).
 */
export function migrationName(filePath: string): string {
  const base = path.basename(filePath);
  if (/^(up|down|migration)\.sql$/i.test(base)) return path.basename(path.dirname(filePath));
  return base.replace(/([._-]rollback|\.down|\.up)\.sql$/i, ".sql");
}
