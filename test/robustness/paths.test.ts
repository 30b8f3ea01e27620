import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { defineRule } from "../../src/engine/rule.js";
import { lintFiles } from "../../src/index.js";
import { useTempProjects, withRollbacks } from "../cli/fixtures/temp-project.js";
import { cli, DROP_FILE, DROP_SQL, ensureBuilt, expectContract, expectDropReported, fileIn, parseJson, parseSarif, runIn } from "./harness.js";

// Paths that cannot be read, or that change under migsafe's feet: each is one error
// naming the file, and the files beside it are still linted.

const project = useTempProjects();
beforeAll(ensureBuilt, 180_000);

function withDrop(files: Record<string, string> = {}) {
  return project(withRollbacks({ [DROP_FILE]: DROP_SQL, ...files }));
}

describe("unreadable paths named on the command line", () => {
  it("a missing file", async () => {
    const p = withDrop();
    await expectContract(p.dir, "missing.sql", [{ message: "file not found" }]);
  });

  it("a symlink loop", async () => {
    const p = withDrop();
    fs.symlinkSync("loop-b.sql", p.path("loop-a.sql"));
    fs.symlinkSync("loop-a.sql", p.path("loop-b.sql"));
    await expectContract(p.dir, "loop-a.sql", [{ message: "too many levels of symbolic links" }]);
  });

  it("a symlink to nothing", async () => {
    const p = withDrop();
    fs.symlinkSync("gone.sql", p.path("dangling.sql"));
    await expectContract(p.dir, "dangling.sql", [{ message: "file not found" }]);
  });

  it("a file without read permission", async (context) => {
    const p = withDrop({ "secret.sql": "SELECT 1;\n" });
    fs.chmodSync(p.path("secret.sql"), 0o000);
    let readable = true;
    try {
      fs.accessSync(p.path("secret.sql"), fs.constants.R_OK);
    } catch {
      readable = false;
    }
    context.skip(readable, "running as root: chmod 000 does not stop this process from reading the file");
    await expectContract(p.dir, "secret.sql", [{ message: "permission denied" }]);
  });

  it("the public API: a directory and a missing path come back as errors, not exceptions", async () => {
    const p = withDrop();
    fs.mkdirSync(p.path("x.sql"));
    const results = await lintFiles([p.path("x.sql"), p.path("missing.sql"), p.path(DROP_FILE)]);
    expect(results.map((result) => [path.basename(result.filePath), result.errors.map((error) => error.message)])).toEqual([
      ["x.sql", ["is a directory, not a file"]],
      ["missing.sql", ["file not found"]],
      [DROP_FILE, []],
    ]);
    expect(results[2]!.findings.filter((finding) => finding.ruleId === "drop-table").map((finding) => finding.loc.start.line)).toEqual([1]);
  });
});

describe("folders", () => {
  it("a directory named x.sql is a folder: found in a folder scan only for the files inside it, never read as a file", async () => {
    const p = withDrop({ "x.sql/inner.sql": "DROP TABLE inner_t;\n" });
    fs.mkdirSync(p.path("empty.sql"));
    const scan = await runIn(p.dir, ["--format", "json", "."]);
    expect(scan.exitCode).toBe(1);
    expect(scan.stderr).toBe("");
    const results = parseJson(scan.output);
    expect(results.map((result) => path.relative(p.dir, result.filePath)).filter((name) => !name.endsWith("_rollback.sql"))).toEqual([
      DROP_FILE,
      path.join("x.sql", "inner.sql"),
    ]);
    expectDropReported(results, p.dir);
    const named = await runIn(p.dir, ["--format", "compact", "--rule", "require-lock-timeout=off", "--rule", "missing-if-not-exists=off", "x.sql", "empty.sql"]);
    expect(named.output).toMatch(/^x\.sql\/inner\.sql:1:1: dangerous drop-table DROP TABLE inner_t deletes /);
    expect(named.exitCode).toBe(1);
  });

  it("symbolic links to parent folders are not followed: each file is linted once, and the scan ends", async () => {
    const p = withDrop({ "a/001.sql": "SELECT 1;\n" });
    fs.symlinkSync("..", p.path("a/up"));
    fs.mkdirSync(p.path("b"));
    fs.symlinkSync("..", p.path("b/up"));
    fs.symlinkSync(DROP_FILE, p.path("linked.sql"));
    // With both links followed, the listing grows exponentially and never ends: the child is killed at 30 s.
    const built = await cli(p.dir, ["--format", "json", "."], {}, 30_000);
    expect({ code: built.code, signal: built.signal, stderr: built.stderr }).toEqual({ code: 1, signal: null, stderr: "" });
    const names = parseJson(built.stdout).map((result) => path.relative(p.dir, result.filePath));
    expect(names.filter((name) => !name.endsWith("_rollback.sql"))).toEqual([path.join("a", "001.sql"), DROP_FILE, "linked.sql"]);
  });

  it("a symlink loop inside a scanned folder is left out, the other files linted", async () => {
    const p = withDrop();
    fs.symlinkSync("loop-b.sql", p.path("loop-a.sql"));
    fs.symlinkSync("loop-a.sql", p.path("loop-b.sql"));
    const scan = await runIn(p.dir, ["--format", "json", "."]);
    expect(scan.exitCode).toBe(1);
    expect(parseJson(scan.output).map((result) => path.basename(result.filePath))).toEqual([DROP_FILE, "drop_rollback.sql"]);
  });
});

describe("a file deleted between listing and reading", () => {
  it("is reported as not found, and the files after it are still linted", async () => {
    const p = withDrop({ "a.sql": "SELECT 1;\n", "b.sql": "SELECT 2;\n" });
    // Files are linted in sorted order: linting a.sql removes b.sql, which the folder listing already named.
    const remover = defineRule({
      meta: { id: "test-remover", severity: "careful", description: "Deletes b.sql while a.sql is linted.", category: "reliability" },
      checkFile(context) {
        if (path.basename(context.filePath) === "a.sql") fs.rmSync(p.path("b.sql"));
      },
    });
    const result = await runIn(p.dir, ["--format", "json", "."], { rules: [...allRules, remover] });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("migsafe: b.sql: file not found\nmigsafe: 1 file could not be read or parsed\n");
    const results = parseJson(result.output);
    expect(fileIn(results, p.dir, "b.sql").messages.map(({ message, fatal }) => ({ message, fatal }))).toEqual([{ message: "file not found", fatal: true }]);
    expectDropReported(results, p.dir);

    fs.writeFileSync(p.path("b.sql"), "SELECT 2;\n");
    const sarif = await runIn(p.dir, ["--format", "sarif", "."], { rules: [...allRules, remover] });
    const log = parseSarif(sarif.output);
    expect(log.runs[0]!.results.filter((r) => r.ruleId === "parse-error").map((r) => [r.locations[0]!.physicalLocation.artifactLocation.uri, r.message.text])).toEqual([
      ["b.sql", "file not found"],
    ]);
  });

  it("through the public API", async () => {
    const p = withDrop({ "gone.sql": "SELECT 1;\n" });
    const listed = [p.path("gone.sql"), p.path(DROP_FILE)];
    fs.rmSync(listed[0]!);
    const results = await lintFiles(listed);
    expect(results.map((result) => result.errors.map((error) => error.message))).toEqual([["file not found"], []]);
    expect(results[1]!.findings.some((finding) => finding.ruleId === "drop-table")).toBe(true);
  });
});

describe("file names with spaces, unicode and line breaks", () => {
  const names = ["with space.sql", "ünïcödé 😀.sql", "new\nline.sql", "tab\there.sql"];

  it("are linted, named exactly in JSON and SARIF, and escaped to one line in stylish and compact", async () => {
    const p = withDrop(Object.fromEntries(names.map((name) => [name, DROP_SQL])));
    const quiet = ["--rule", "require-lock-timeout=off", "--rule", "missing-if-not-exists=off"];

    const json = await runIn(p.dir, ["--format", "json", ...quiet, ...names]);
    expect(json.exitCode).toBe(1);
    const results = parseJson(json.output);
    for (const name of names) expectDropReported(results, p.dir, name);

    const sarif = parseSarif((await runIn(p.dir, ["--format", "sarif", ...quiet, ...names])).output);
    expect(sarif.runs[0]!.results.map((result) => result.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual([
      "new%0Aline.sql",
      "tab%09here.sql",
      "with%20space.sql",
      "%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%F0%9F%98%80.sql",
    ]);

    const compact = await runIn(p.dir, ["--format", "compact", ...quiet, ...names]);
    expect(compact.output.split("\n").map((line) => line.split(": dangerous")[0])).toEqual([
      "new\\x0aline.sql:1:1",
      "tab\there.sql:1:1",
      "with space.sql:1:1",
      "ünïcödé 😀.sql:1:1",
      "",
    ]);

    const built = await cli(p.dir, [...quiet, ...names]);
    expect(built.code).toBe(1);
    const headers = built.stdout.split("\n").filter((line) => !line.startsWith(" ") && line !== "" && !line.startsWith("✖") && !/^\d+ files? with findings of \d+ linted$/.test(line));
    expect(headers).toEqual(["new\\x0aline.sql", "tab\there.sql", "with space.sql", "ünïcödé 😀.sql"]);
  });
});
