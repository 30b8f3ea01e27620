import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, ConfigFinder, loadConfigFile } from "../../src/config/load.js";
import { migrationName, presetSeverities, resolveConfig } from "../../src/config/resolve.js";
import { validateConfig } from "../../src/config/schema.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { findPartner } from "../../src/facts/rollback-block.js";
import { allRules } from "../../rules/index.js";

const ids = new Set(allRules.map((rule) => rule.meta.id));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tree(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-config-")));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe("validateConfig", () => {
  it("accepts every documented key", () => {
    const config = {
      extends: "strict",
      rules: { "drop-table": "careful", "hard-delete": ["off", { any: 1 }] },
      pgVersion: 12,
      assumeInTransaction: true,
      include: ["migrations/**"],
      exclude: ["migrations/legacy/**"],
      rollbackPatterns: ["{name}.undo.sql"],
      startAfter: "20240101_init.sql",
      requireIgnoreReason: false,
      standardConformingStrings: false,
      migrationFunctions: { up: ["beforeUp", "up"], down: ["down"] },
      otherDatabases: ["sqlite"],
    };
    const settings = {
      pgVersion: 12,
      assumeInTransaction: true,
      requireIgnoreReason: false,
      standardConformingStrings: false,
      rollbackPatterns: ["{name}.undo.sql"],
      migrationFunctions: { up: ["beforeUp", "up"], down: ["down"] },
      otherDatabases: ["sqlite"],
    };
    expect(validateConfig(config, ids)).toEqual({ ok: true, config, settings });
  });

  it("completes the settings a configuration leaves out with the defaults", () => {
    expect(validateConfig({ assumeInTransaction: true }, ids)).toEqual({ ok: true, config: { assumeInTransaction: true }, settings: { ...DEFAULT_SETTINGS, assumeInTransaction: true } });
  });

  it("reports the first bad key in the file's order, settings or not", () => {
    expect(validateConfig({ pgVersion: 8, extends: "lax" }, ids)).toEqual({ ok: false, message: '"pgVersion" must be a PostgreSQL major version such as 14, not 8' });
    expect(validateConfig({ extends: "lax", pgVersion: 8 }, ids)).toEqual({ ok: false, message: '"extends" must be "recommended" or "strict", not "lax"' });
    expect(validateConfig({ include: [], requireIgnoreReason: 1, assumeInTransaction: 1 }, ids)).toEqual({ ok: false, message: '"requireIgnoreReason" must be true or false, not 1' });
  });

  it.each([
    [{ rulez: {} }, 'unknown key "rulez"'],
    [{ extends: "lax" }, '"extends" must be "recommended" or "strict", not "lax"'],
    [{ rules: { "no-such-rule": "off" } }, 'unknown rule "no-such-rule" in "rules"'],
    [{ rules: { "drop-table": "error" } }, '"rules.drop-table" must be "off", "careful" or "dangerous", not "error"'],
    [{ pgVersion: "14" }, '"pgVersion" must be a PostgreSQL major version such as 14, not "14"'],
    [{ assumeInTransaction: "yes" }, '"assumeInTransaction" must be true or false, not "yes"'],
    [{ include: "migrations" }, '"include" must be a list of strings'],
    [{ rollbackPatterns: ["undo.sql"] }, '"rollbackPatterns" entries must contain {name}'],
    [{ migrationFunctions: ["up"] }, '"migrationFunctions" must be an object of the up and down functions, e.g. {"up": ["up"], "down": ["down"]}, not ["up"]'],
    [{ migrationFunctions: { up: ["up"] } }, '"migrationFunctions" must list the function names of both directions'],
    [{ migrationFunctions: { up: ["up"], down: ["down"], hooks: [] } }, '"migrationFunctions" has an unknown key "hooks": only "up" and "down"'],
    [{ migrationFunctions: { up: ["up", "run"], down: ["run"] } }, '"migrationFunctions" names "run" in both directions'],
    [{ otherDatabases: "sqlite" }, '"otherDatabases" must be a list of database names such as "sqlite", not "sqlite"'],
    [[], "the configuration must be a JSON object"],
  ])("rejects %j naming the key", (raw, message) => {
    const result = validateConfig(raw, ids);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });
});

describe("finding the configuration", () => {
  it("walks up from the file: migsafe.config.json, .migsaferc.json, then package.json#migsafe", () => {
    const dir = tree({
      "package.json": JSON.stringify({ name: "app", migsafe: { pgVersion: 12 } }),
      "db/.migsaferc.json": JSON.stringify({ pgVersion: 13 }),
      "db/migrations/001.sql": "",
      "other/002.sql": "",
      "pkg-without/package.json": JSON.stringify({ name: "x" }),
      "pkg-without/003.sql": "",
    });
    const finder = new ConfigFinder(ids);
    expect(finder.forFile(path.join(dir, "db/migrations/001.sql"))?.config.pgVersion).toBe(13);
    expect(finder.forFile(path.join(dir, "other/002.sql"))?.config.pgVersion).toBe(12);
    expect(finder.forFile(path.join(dir, "pkg-without/003.sql"))?.file).toBe(path.join(dir, "package.json"));
  });

  it("reads comments in migsafe.config.json and .migsaferc.json (JSONC), and a $schema key", () => {
    const jsonc = '{\n  "$schema": "./node_modules/migsafe/migsafe.config.schema.json",\n  // the server runs 16\n  "pgVersion": 16 /* not 14 */\n}\n';
    const dir = tree({ "migsafe.config.json": jsonc, "rc/.migsaferc.json": jsonc });
    expect(loadConfigFile(path.join(dir, "migsafe.config.json"), ids)?.settings.pgVersion).toBe(16);
    expect(loadConfigFile(path.join(dir, "rc/.migsaferc.json"), ids)?.settings.pgVersion).toBe(16);
  });

  it("keeps package.json strict JSON", () => {
    const dir = tree({ "package.json": '{ "migsafe": { "pgVersion": 16 } // no\n}' });
    expect(() => loadConfigFile(path.join(dir, "package.json"), ids)).toThrowError(/invalid JSON/);
  });

  it("names the file and line of invalid JSON", () => {
    const dir = tree({ "migsafe.config.json": '{\n  "pgVersion": 14,\n  oops\n}' });
    expect(() => loadConfigFile(path.join(dir, "migsafe.config.json"), ids)).toThrowError(ConfigError);
    try {
      loadConfigFile(path.join(dir, "migsafe.config.json"), ids);
    } catch (error) {
      expect((error as ConfigError).file).toBe(path.join(dir, "migsafe.config.json"));
      expect((error as ConfigError).line).toBe(3);
    }
  });
});

describe("resolving a configuration", () => {
  it("recommended leaves strict-only rules off; strict turns every rule on", () => {
    const strictOnly = allRules.filter((rule) => rule.meta.recommended === false).map((rule) => rule.meta.id);
    const recommended = presetSeverities("recommended", allRules);
    for (const id of strictOnly) expect(recommended[id]).toBe("off");
    expect(Object.values(presetSeverities("strict", allRules))).not.toContain("off");
  });

  it("applies the preset, then the configured rules, then the command line", () => {
    const loaded = { file: "x", dir: "/p", config: { rules: { "drop-table": "careful" as const, truncate: ["off", { x: 1 }] as ["off", unknown] } }, settings: DEFAULT_SETTINGS };
    const resolved = resolveConfig(loaded, allRules, { "hard-delete": "dangerous" });
    expect(resolved.lint.severities?.["drop-table"]).toBe("careful");
    expect(resolved.lint.severities?.truncate).toBe("off");
    expect(resolved.lint.ruleOptions?.truncate).toEqual({ x: 1 });
    expect(resolved.lint.severities?.["hard-delete"]).toBe("dangerous");
    const { rollbackPatterns: _patterns, ...settings } = DEFAULT_SETTINGS;
    expect(resolved.lint.settings).toEqual(settings);
  });

  it("filters files with include, exclude and startAfter, relative to the configuration's folder", () => {
    const loaded = {
      file: "/p/migsafe.config.json",
      dir: "/p",
      config: { include: ["db/**/*.sql"], exclude: ["db/legacy/**"], startAfter: "002_b.sql" },
      settings: DEFAULT_SETTINGS,
    };
    const { accepts } = resolveConfig(loaded, allRules);
    expect(accepts("/p/db/003_c.sql")).toBe(true);
    expect(accepts("/p/db/002_b.sql")).toBe(false);
    expect(accepts("/p/db/legacy/009_x.sql")).toBe(false);
    expect(accepts("/p/other/009_x.sql")).toBe(false);
  });

  it("names a migration by its folder when the runner keeps one folder per migration", () => {
    expect(migrationName("/m/20240101_add/up.sql")).toBe("20240101_add");
    expect(migrationName("/m/20240101_add/migration.sql")).toBe("20240101_add");
    expect(migrationName("/m/007_premium.sql")).toBe("007_premium.sql");
    expect(migrationName("/m/007_premium_rollback.sql")).toBe("007_premium.sql");
    expect(migrationName("/m/1_users.down.sql")).toBe("1_users.sql");
  });

  it("pairs rollbacks by the configured patterns", () => {
    const exists = (file: string) => ["m/007_a.sql", "m/007_a.undo.sql"].includes(file);
    expect(findPartner("m/007_a.sql", exists, ["{name}.undo.sql"])).toEqual({ role: "forward", partnerPath: "m/007_a.undo.sql" });
    expect(findPartner("m/007_a.undo.sql", exists, ["{name}.undo.sql"])).toEqual({ role: "rollback", partnerPath: "m/007_a.sql" });
  });
});
