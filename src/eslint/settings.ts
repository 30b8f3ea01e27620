/**
 * migsafe's settings in an ESLint configuration: `settings.migsafe` for every file migsafe's rules lint,
 * and, for `.sql` files, the `migsafe/sql` language's `languageOptions`, which win over it. Both are
 * checked and completed by resolveSettings, as migsafe.config.json is.
 */
import { eslintOrigin, resolveSettings, type MigrationSettings, type ResolvedSettings } from "../config/settings.js";
import { show } from "../config/values.js";
import type { TargetSpec } from "../embedded/extract.js";

export const LANGUAGE_OPTIONS = eslintOrigin("ESLint languageOptions");
const SHARED = eslintOrigin("ESLint settings.migsafe");

export type SharedSettings = { ok: true; settings: MigrationSettings; targets: readonly TargetSpec[] | undefined } | { ok: false; message: string };

/** `settings.migsafe`: the settings, and the call sites that hold SQL in JS/TS files besides the usual ones (`targets`). */
export function sharedSettings(eslintSettings: Readonly<Record<string, unknown>> | undefined): SharedSettings {
  const given = eslintSettings?.migsafe;
  const resolved = resolveSettings(given, SHARED);
  if (!resolved.ok) return resolved;
  const targets = (given as { targets?: unknown } | undefined)?.targets;
  const problem = targets === undefined ? undefined : targetsProblem(targets, SHARED.key("targets"));
  return problem ? { ok: false, message: problem } : { ...resolved, targets: targets as readonly TargetSpec[] | undefined };
}

/** A `.sql` file's settings: its languageOptions, then settings.migsafe, then the defaults. */
export function sqlSettings(languageOptions: unknown, eslintSettings: Readonly<Record<string, unknown>> | undefined): ResolvedSettings {
  const shared = sharedSettings(eslintSettings);
  return shared.ok ? resolveSettings(languageOptions, LANGUAGE_OPTIONS, shared.settings) : shared;
}

/** What is wrong with `targets`, or undefined: each target is a callee (string or RegExp) or `{ callee, kind?, bindings? }`. */
function targetsProblem(targets: unknown, name: string): string | undefined {
  if (!Array.isArray(targets)) return `${name} must be an array, not ${show(targets)}`;
  const bad = targets.findIndex((target) => !isCallee(target) && !isCallee((target as { callee?: unknown } | null)?.callee));
  return bad < 0 ? undefined : `${name}[${bad}] must be a string, a RegExp or { callee, kind?, bindings? }, not ${show(targets[bad])}`;
}

function isCallee(value: unknown): boolean {
  return typeof value === "string" || value instanceof RegExp;
}
