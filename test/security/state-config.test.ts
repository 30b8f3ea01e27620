import { describe, expect, it } from "vitest";
import { useTempProjects } from "../cli/fixtures/temp-project.js";
import { fromBuild, migsafe } from "./state-cli.js";

const project = useTempProjects();

function lintWithConfig(config: string, sql = "SELECT 1;\n") {
  const p = project({ "package.json": "{}", "migsafe.config.json": config, "migrations/001.sql": sql });
  return migsafe(["migrations"], p.dir, { timeout: 30_000 });
}

describe("configuration: prototype keys are unknown keys", () => {
  it.each(["__proto__", "constructor", "isPrototypeOf"])("%s at the top level: exit 2, naming the key", (key) => {
    const run = lintWithConfig(`{"${key}": {"pgVersion": 9}}`);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^migsafe: migsafe\\.config\\.json: unknown key "${key}" \\(known keys: [^\\n]*\\)\\n$`));
  });

  it.each(["__proto__", "constructor", "isPrototypeOf"])("%s under rules: exit 2, naming the key", (key) => {
    const run = lintWithConfig(`{"rules": {"${key}": "off"}}`);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`migsafe: migsafe.config.json: unknown rule "${key}" in "rules"\n`);
  });

  it("never touches Object.prototype", async () => {
    const { validateConfig } = await fromBuild<{ validateConfig: (raw: unknown, ids: ReadonlySet<string>) => { ok: boolean } }>("config/schema");
    for (const text of ['{"__proto__": {"polluted": true}}', '{"rules": {"__proto__": {"polluted": true}}}', '{"constructor": {"prototype": {"polluted": true}}}']) {
      expect(validateConfig(JSON.parse(text), new Set(["drop-table"])).ok).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("configuration: regular expressions that backtrack are refused at load time", () => {
  const FORTY_AS = `SELECT 1;\n-- ${"a".repeat(40)}\n`;

  it.each(["(a|aa)+$", "(a+)+$", "(\\\\w|\\\\d)+$", "\\\\s+$", "\\\\{\\\\{.*?\\\\}\\\\}", "((ab)*)*c"])("placeholders %s: exit 2 at once, naming the entry", (pattern) => {
    const started = Date.now();
    const run = lintWithConfig(`{"placeholders": {"${pattern}": "x"}}`, FORTY_AS);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('migsafe: migsafe.config.json: "placeholders.');
    expect(run.stderr).toContain("can backtrack");
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("accepts linear patterns and still replaces them", () => {
    const run = lintWithConfig('{"placeholders": {"\\\\{\\\\{[^{}]*\\\\}\\\\}": "users"}}', "DROP TABLE {{ .Table }};\n");
    expect(run.stderr).not.toContain("placeholders");
    expect(run.stdout).toContain("DROP TABLE users");
  });

  it("a placeholder searches one line at a time, and no line longer than the bound", async () => {
    const { Substitution, MAX_PLACEHOLDER_LINE } = await fromBuild<{
      Substitution: { of(text: string, placeholders: { pattern: string; replacement: string }[]): { text: string } | undefined };
      MAX_PLACEHOLDER_LINE: number;
    }>("engine/placeholders");
    const placeholders = [{ pattern: "<[^>]*>", replacement: "x" }];
    expect(Substitution.of("a <b\nc> <d>\n", placeholders)?.text).toBe("a <b\nc> x\n");
    const long = `-- ${"y".repeat(MAX_PLACEHOLDER_LINE)} <e>\nSELECT <f>;\n`;
    expect(Substitution.of(long, placeholders)?.text).toBe(`-- ${"y".repeat(MAX_PLACEHOLDER_LINE)} <e>\nSELECT x;\n`);
  });

  it("many placeholders in one file are replaced in linear time, not one comparison per earlier match", async () => {
    const { Substitution } = await fromBuild<{ Substitution: { of(text: string, placeholders: { pattern: string; replacement: string }[]): { text: string } | undefined } }>(
      "engine/placeholders",
    );
    const text = "SELECT ${a}, ${b};\n".repeat(100_000);
    const started = Date.now();
    expect(Substitution.of(text, [{ pattern: "\\$\\{[a-z]\\}", replacement: "1" }])?.text).toBe("SELECT 1, 1;\n".repeat(100_000));
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe("--output-file", () => {
  it("a folder that cannot be made (/proc/nope) is a one-line error, not an endless loop", () => {
    const p = project({ "package.json": "{}", "migrations/001.sql": "SELECT 1;\n" });
    const run = migsafe(["-o", "/proc/nope/r.json", "migrations"], p.dir, { timeout: 20_000 });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^migsafe: cannot write --output-file \/proc\/nope\/r\.json: cannot create its folder \/proc\/nope \(E[A-Z]+\)\n$/);
  });
});
