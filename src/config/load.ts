import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as Jsonc from "jsonc-parser";
import { validateConfig, type MigsafeConfig } from "./schema.js";
import type { MigrationSettings } from "./settings.js";

/** jsonc-parser is loaded only when a migsafe configuration file is read (its UMD wrapper costs ≈5 ms of every start). */
function stripComments(text: string): string {
  const jsonc = createRequire(import.meta.url)("jsonc-parser") as typeof Jsonc;
  return jsonc.stripComments(text, " ");
}

/** Where configuration is looked for in each folder, in this order. */
export const CONFIG_FILES = ["migsafe.config.json", ".migsaferc.json", "package.json"] as const;

export interface LoadedConfig {
  /** The file it came from; undefined for the built-in defaults. */
  file: string | undefined;
  /** The folder that globs in the configuration are relative to. */
  dir: string;
  config: MigsafeConfig;
  /** The configuration's settings, with the defaults for those it does not give. */
  settings: MigrationSettings;
}

/** A configuration file that cannot be used: exit 2, naming the file (and line) and the problem. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Reads and validates one configuration file (`package.json` is read for its `migsafe` key). */
export function loadConfigFile(file: string, ruleIds: ReadonlySet<string>): LoadedConfig | undefined {
  let text: string;
  try {
    // Windows editors save JSON with a byte order mark, which JSON.parse refuses.
    text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" ? "configuration file not found" : `cannot read the configuration (${code ?? "error"})`, file);
  }
  const isPackage = path.basename(file) === "package.json";
  // migsafe's own files are JSON with comments (as tsconfig.json): comments become blanks (line breaks kept, so
  // JSON.parse's error lines stay right), and JSON.parse keeps "__proto__" an own key (a parser that assigns loses it).
  let raw = parseJson(isPackage ? text : stripComments(text), file);
  if (isPackage) {
    raw = (raw as Record<string, unknown> | null)?.migsafe;
    if (raw === undefined) return undefined;
  }
  const checked = validateConfig(raw, ruleIds);
  if (!checked.ok) throw new ConfigError(isPackage ? `"migsafe": ${checked.message}` : checked.message, file);
  return { file, dir: path.dirname(file), config: checked.config, settings: checked.settings };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "");
    throw new ConfigError(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`, file, position ? lineAt(text, Number(position[1])) : undefined);
  }
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split(/\r\n|\r|\n/).length;
}

/**
 * Finds the configuration of a file by walking up from its folder; the first folder
 * holding one of CONFIG_FILES wins. Results are remembered per folder for the run.
 */
export class ConfigFinder {
  private readonly byDir = new Map<string, LoadedConfig | undefined>();

  constructor(private readonly ruleIds: ReadonlySet<string>) {}

  forFile(filePath: string): LoadedConfig | undefined {
    return this.forDir(path.dirname(path.resolve(filePath)));
  }

  private forDir(dir: string): LoadedConfig | undefined {
    if (this.byDir.has(dir)) return this.byDir.get(dir);
    let found: LoadedConfig | undefined;
    for (const name of CONFIG_FILES) {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) continue;
      found = loadConfigFile(file, this.ruleIds);
      if (found) break;
    }
    const parent = path.dirname(dir);
    if (!found && parent !== dir) found = this.forDir(parent);
    this.byDir.set(dir, found);
    return found;
  }
}
