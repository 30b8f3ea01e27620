import { describe, expect, it } from "vitest";
import { CONFIG_FILE, DEFAULT_SETTINGS, eslintOrigin, resolveSettings, settingsOptions } from "../../src/config/settings.js";

const LANGUAGE_OPTIONS = eslintOrigin("ESLint languageOptions");

describe("resolveSettings", () => {
  it("fills in the defaults for what is not given, or given as undefined, and leaves other keys to the caller", () => {
    expect(resolveSettings(undefined, LANGUAGE_OPTIONS)).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    expect(resolveSettings({ pgVersion: 16, assumeInTransaction: undefined, targets: "anything" }, LANGUAGE_OPTIONS)).toEqual({
      ok: true,
      settings: { ...DEFAULT_SETTINGS, pgVersion: 16 },
    });
  });

  it("takes what is not given from `base`: ESLint's languageOptions over settings.migsafe", () => {
    const shared = { ...DEFAULT_SETTINGS, assumeInTransaction: true, rollbackPatterns: ["{name}.undo.sql"] };
    expect(resolveSettings({ pgVersion: 12 }, LANGUAGE_OPTIONS, shared)).toEqual({ ok: true, settings: { ...shared, pgVersion: 12 } });
  });

  it.each([
    [{ pgVersion: 8 }, "pgVersion must be a PostgreSQL major version such as 14, not 8"],
    [{ pgVersion: 100 }, "pgVersion must be a PostgreSQL major version such as 14, not 100"],
    [{ pgVersion: null }, "pgVersion must be a PostgreSQL major version such as 14, not null"],
    [{ requireIgnoreReason: "no" }, 'requireIgnoreReason must be true or false, not "no"'],
    [{ rollbackPatterns: "{name}.undo.sql" }, "rollbackPatterns must be a list of strings"],
    [{ rollbackPatterns: ["undo.sql"] }, 'rollbackPatterns entries must contain {name}, e.g. "{name}.undo.sql"'],
  ])("refuses %j in one line naming where the value came from", (input, problem) => {
    const key = Object.keys(input)[0];
    expect(resolveSettings(input, LANGUAGE_OPTIONS)).toEqual({ ok: false, key, message: `ESLint languageOptions.${problem}` });
    expect(resolveSettings(input, CONFIG_FILE)).toEqual({ ok: false, key, message: `"${key}"${problem.slice(key!.length)}` });
  });

  it("refuses settings that are not an object, naming the object", () => {
    expect(resolveSettings([], eslintOrigin("ESLint settings.migsafe"))).toEqual({ ok: false, message: "ESLint settings.migsafe must be an object, not []" });
  });
});

describe("settingsOptions", () => {
  it("splits the settings into the engine's settings and rollback patterns", () => {
    expect(settingsOptions({ ...DEFAULT_SETTINGS, rollbackPatterns: ["{name}.undo.sql"] })).toEqual({
      settings: { pgVersion: 14, runner: undefined, assumeInTransaction: undefined, requireIgnoreReason: true, standardConformingStrings: true, migrationFunctions: DEFAULT_SETTINGS.migrationFunctions, otherDatabases: DEFAULT_SETTINGS.otherDatabases },
      rollbackPatterns: ["{name}.undo.sql"],
    });
  });
});
