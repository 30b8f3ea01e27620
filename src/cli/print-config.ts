/**
 * `migsafe --print-config FILE`: the configuration in force for one migration, as JSON — the configuration
 * file it comes from, the settings, the runner that runs the file and why migsafe thinks so (the marker,
 * layout, file or manifest that decided), where its rollback is, and each rule's severity.
 */
import path from "node:path";
import { ConfigError, ConfigFinder, loadConfigFile } from "../config/load.js";
import { resolveConfig } from "../config/resolve.js";
import { diskAccess, runnerAndPartner } from "../engine/lint-source.js";
import { readMigration } from "../engine/read-migration.js";
import type { RuleSetting } from "../engine/lint.js";
import type { Rule } from "../engine/rule.js";
import { displayPath } from "../formatters/stylish.js";

export interface PrintConfigRequest {
  cwd: string;
  /** The migration, as given on the command line. */
  file: string;
  /** --config: one configuration file instead of the nearest one. */
  config: string | undefined;
  rules: readonly Rule[];
  severities: Readonly<Record<string, RuleSetting>>;
  /** --pg-version, over the configuration's pgVersion. */
  pgVersion?: number;
}

/** The report, or a one-line problem (a configuration or a file that cannot be read). */
export function printConfig(request: PrintConfigRequest): { ok: true; output: string } | { ok: false; message: string } {
  const { cwd } = request;
  const filePath = path.resolve(cwd, request.file);
  const shown = (file: string) => displayPath(file, cwd);
  const ids = new Set(request.rules.map((rule) => rule.meta.id));
  let loaded;
  try {
    loaded = request.config === undefined ? new ConfigFinder(ids).forFile(filePath) : loadConfigFile(path.resolve(cwd, request.config), ids);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, message: `${shown(error.file)}${error.line ? `:${error.line}` : ""}: ${error.message}` };
  }
  const read = readMigration(filePath);
  if (!read.ok) return { ok: false, message: `${shown(filePath)}: ${read.message}` };
  const resolved = resolveConfig(loaded, request.rules, request.severities, request.pgVersion);
  const { settings, rollbackPatterns } = resolved.lint;
  const { runner, partner, forwardOnly } = runnerAndPartner(filePath, read.text, { rules: request.rules, ...resolved.lint }, diskAccess);
  const profile = runner.profile;
  const report = {
    file: shown(filePath),
    configFile: loaded?.file === undefined ? null : shown(loaded.file),
    linted: resolved.accepts(filePath) && !runner.notAMigration,
    notAMigration: runner.notAMigration ?? null,
    settings: {
      pgVersion: settings.pgVersion,
      runner: settings.runner ?? "(not set: detected for each file)",
      assumeInTransaction: settings.assumeInTransaction ?? "(not set: the runner decides)",
      requireIgnoreReason: settings.requireIgnoreReason,
      rollbackPatterns: rollbackPatterns ?? [],
    },
    runner: profile
      ? { name: profile.name, title: profile.title, wrapping: profile.wrapping, optOut: profile.optOut ?? null, rollback: profile.rollback, order: profile.orderRule, docs: profile.docs }
      : null,
    decidedBy: runner.decidedBy.map((clue) => (clue.file ? `${clue.what} (${shown(clue.file)})` : clue.what)),
    transaction: { wrapping: runner.wrapping, reason: runner.reason || "nothing says the runner wraps the file in a transaction" },
    rollback: {
      place: runner.rollback ?? null,
      required: runner.rollback !== "none" && !runner.notAMigration && forwardOnly() === undefined,
      forwardOnly: forwardOnly() ?? null,
      role: partner.role,
      partner: partner.partnerPath === undefined ? null : shown(partner.partnerPath),
    },
    rules: resolved.lint.severities,
  };
  return { ok: true, output: `${JSON.stringify(report, null, 2)}\n` };
}
