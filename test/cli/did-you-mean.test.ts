import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { validateConfig } from "../../src/config/schema.js";
import { allRules } from "../../rules/index.js";
import { didYouMean } from "../../src/did-you-mean.js";

describe("did you mean", () => {
  it("names the closest known name when it is a few edits away, and nothing otherwise", () => {
    expect(didYouMean("drop-tabel", ["drop-table", "drop-column"])).toBe(" (did you mean 'drop-table'?)");
    expect(didYouMean("--formt", ["--format", "--fix"])).toBe(" (did you mean '--format'?)");
    expect(didYouMean("completely-different", ["drop-table"])).toBe("");
    expect(didYouMean("x", [])).toBe("");
  });

  it("on the command line: an unknown option, a rule in --rule, a rule to explain", async () => {
    expect(await run(["--formt", "json"], { cwd: process.cwd() })).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("unknown option '--formt' (did you mean '--format'?)") });
    expect(await run(["--rule", "drop-tabel=off"], { cwd: process.cwd() })).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("unknown rule 'drop-tabel' in --rule drop-tabel=off (did you mean 'drop-table'?)") });
    expect(await run(["explain", "drop-tabel"], { cwd: process.cwd() })).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("unknown rule 'drop-tabel' (did you mean 'drop-table'?)") });
  });

  it("in a configuration file: an unknown key and an unknown rule", () => {
    const ruleIds = new Set(allRules.map((rule) => rule.meta.id));
    expect(validateConfig({ pgVersoin: 15 }, ruleIds)).toEqual({ ok: false, message: "unknown key \"pgVersoin\" (did you mean 'pgVersion'?)" });
    expect(validateConfig({ rules: { "drop-tabel": "off" } }, ruleIds)).toEqual({ ok: false, message: "unknown rule \"drop-tabel\" in \"rules\" (did you mean 'drop-table'?)" });
  });
});
