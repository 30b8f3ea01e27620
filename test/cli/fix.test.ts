import fs from "node:fs";
import { describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import { applyFixes } from "../../src/cli/fix.js";
import { run } from "../../src/cli/run.js";
import { defineRule, visitEach, type Rule } from "../../src/engine/rule.js";
import { CLEAN_SQL, useTempProjects, withRollbacks, type TempProject } from "./fixtures/temp-project.js";

// No shipped rule has a fix yet: these test rules exercise the --fix machinery.

/** Careful, fixable: a keyword not written in upper case. */
const upperKeywords: Rule = defineRule({
  meta: { id: "upper-keywords", severity: "careful", description: "Keywords in upper case.", category: "compatibility", fixable: true },
  // The kinds of statement the fixtures below write.
  visit: visitEach(["SelectStmt", "CreateStmt", "AlterTableStmt", "DropStmt", "IndexStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "TransactionStmt", "VariableSetStmt"], (statement, context) => {
    for (const token of statement.tokens) {
      if (token.type !== "keyword" || token.text === token.upper) continue;
      const range = { start: token.start, end: token.end };
      context.report({ message: `write ${token.upper} in upper case`, help: "upper case it", range, fix: { range, text: token.upper } });
    }
  }),
});

/** Dangerous, with a fix that breaks the SQL. */
const breaksSql: Rule = defineRule({
  meta: { id: "breaks-sql", severity: "dangerous", description: "A broken fix.", category: "reliability", fixable: true },
  visit: {
    SelectStmt(statement, context) {
      if (!statement.text.includes("42")) return;
      const first = statement.tokens[0]!;
      context.report({ message: "select 42", help: "do not", fix: { range: { start: first.start, end: first.end }, text: "SELEC" } });
    },
  },
});

const rules = [upperKeywords, breaksSql, dropTable];
const project = useTempProjects();

function fix(p: TempProject, ...argv: string[]) {
  return run(["--fix", ...argv], { cwd: p.dir, env: {}, rules });
}

function listing(p: TempProject, folder = "."): string[] {
  return fs.readdirSync(p.path(folder)).sort();
}

describe("applyFixes", () => {
  const at = (start: number, end: number, text: string) => ({ range: { start, end }, text });

  it("applies fixes from the end so that every range refers to the original text", () => {
    expect(applyFixes("select a from t", [at(0, 6, "SELECT"), at(9, 13, "FROM"), at(14, 15, "users")])).toEqual({
      text: "SELECT a FROM users",
      applied: 3,
    });
  });

  it("skips a fix overlapping one that starts earlier, and a second insertion at the same place", () => {
    expect(applyFixes("abcdef", [at(2, 5, "X"), at(0, 3, "Y"), at(5, 5, "!"), at(5, 5, "?")])).toEqual({ text: "Yde!f", applied: 2 });
  });

  it("applies adjacent replacements and ignores out-of-range fixes", () => {
    expect(applyFixes("abcd", [at(0, 2, "AB"), at(2, 4, "CD"), at(3, 9, "x"), at(-1, 0, "y")])).toEqual({ text: "ABCD", applied: 2 });
  });
});

describe("--fix", () => {
  it("rewrites the file, keeping its BOM, line endings and mode, and reports what remains", async () => {
    const p = project(withRollbacks({ "migrations/001.sql": "\uFEFFselect 1 from t;\r\nDROP TABLE IF EXISTS users;\r\n" }));
    fs.chmodSync(p.path("migrations/001.sql"), 0o640);
    const result = await fix(p, "migrations");
    expect(fs.readFileSync(p.path("migrations/001.sql"), "utf8")).toBe("\uFEFFSELECT 1 FROM t;\r\nDROP TABLE IF EXISTS users;\r\n");
    expect(fs.statSync(p.path("migrations/001.sql")).mode & 0o777).toBe(0o640);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.output.split("\n");
    expect(lines[0]).toBe("migrations/001.sql");
    expect(lines[1]).toMatch(/^ {2}2:1 {2}dangerous {2}DROP TABLE users /);
    expect(lines.slice(-3)).toEqual(["✔ Fixed 2 problems in 1 file", "✖ 1 problem (1 dangerous, 0 careful)", ""]);
    // The temporary file was renamed over the original: nothing is left behind.
    expect(listing(p, "migrations")).toEqual(["001.sql", "001_rollback.sql"]);
  });

  it("reports the remaining findings in JSON after fixing", async () => {
    const p = project(withRollbacks({ "001.sql": "select 1;\n" }));
    const result = await fix(p, "--format", "json", "001.sql");
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.output)).toEqual([
      { filePath: p.path("001.sql"), messages: [], errorCount: 0, fatalErrorCount: 0, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0 },
    ]);
    expect(p.read("001.sql")).toBe("SELECT 1;\n");
  });

  it("does not touch a file with nothing to fix", async () => {
    const p = project(withRollbacks({ "001.sql": "SELECT 1;\nDROP TABLE IF EXISTS users;\n" }));
    const old = new Date("2020-01-01T00:00:00Z");
    fs.utimesSync(p.path("001.sql"), old, old);
    const inode = fs.statSync(p.path("001.sql")).ino;
    const result = await fix(p, ".");
    expect(result.exitCode).toBe(1);
    expect(result.output).not.toContain("Fixed");
    const stat = fs.statSync(p.path("001.sql"));
    expect(stat.mtime.getTime()).toBe(old.getTime());
    expect(stat.ino).toBe(inode);
    expect(p.read("001.sql")).toBe("SELECT 1;\nDROP TABLE IF EXISTS users;\n");
  });

  it("does not write anything without --fix", async () => {
    const p = project(withRollbacks({ "001.sql": "select 1;\n" }));
    const result = await run(["001.sql"], { cwd: p.dir, env: {}, rules });
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain("1:1  careful  write SELECT in upper case  upper-keywords");
    expect(p.read("001.sql")).toBe("select 1;\n");
  });

  it("never writes a fix that would stop the file from parsing", async () => {
    const p = project(withRollbacks({ "001.sql": "SELECT 42;\n" }));
    const result = await fix(p, "001.sql");
    expect(p.read("001.sql")).toBe("SELECT 42;\n");
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("1:1  dangerous  select 42  breaks-sql");
    expect(result.stderr).toBe('migsafe: 001.sql: not fixed: the fixed SQL would not parse (1:1 syntax error at or near "SELEC")\n');
  });

  it("does not fix a file with a syntax error", async () => {
    const p = project(withRollbacks({ "001.sql": "select 1;\nSELEC 2;\n" }));
    const result = await fix(p, "001.sql");
    expect(p.read("001.sql")).toBe("select 1;\nSELEC 2;\n");
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/ 2:1 +error +syntax error/);
  });

  it("writes through a symbolic link instead of replacing it", async () => {
    const p = project(withRollbacks({ "real/001.sql": "select 1;\n" }));
    fs.symlinkSync(p.path("real/001.sql"), p.path("link.sql"));
    fs.writeFileSync(p.path("link_rollback.sql"), CLEAN_SQL);
    const result = await fix(p, "link.sql");
    expect(result.exitCode).toBe(0);
    expect(fs.lstatSync(p.path("link.sql")).isSymbolicLink()).toBe(true);
    expect(p.read("real/001.sql")).toBe("SELECT 1;\n");
  });

  it("leaves a file alone when it changed on disk after it was linted", async () => {
    const p = project(withRollbacks({ "001.sql": "select 1;\n" }));
    // A rule that edits the file while it is being linted, as an editor or a formatter might.
    const meddler = defineRule({
      meta: { id: "meddler", severity: "careful", description: "Edits the file.", category: "reliability" },
      checkFile(context) {
        if (context.filePath.endsWith("001.sql") && !fs.readFileSync(context.filePath, "utf8").includes("--")) {
          fs.appendFileSync(context.filePath, "-- edited\n");
        }
      },
    });
    const result = await run(["--fix", "001.sql"], { cwd: p.dir, env: {}, rules: [upperKeywords, meddler] });
    expect(p.read("001.sql")).toBe("select 1;\n-- edited\n");
    expect(result.stderr).toBe("migsafe: 001.sql: not fixed: the file changed while it was being linted\n");
    expect(result.exitCode).toBe(0);
  });

  it("lists the fixes in JSON without --fix, as ESLint does", async () => {
    const p = project(withRollbacks({ "001.sql": "select 1;\n" }));
    const result = await run(["--format", "json", "001.sql"], { cwd: p.dir, env: {}, rules });
    const [file] = JSON.parse(result.output) as [Record<string, unknown>];
    expect(file).toMatchObject({
      messages: [{ ruleId: "upper-keywords", severity: 1, fix: { range: [0, 6], text: "SELECT" } }],
      warningCount: 1,
      fixableWarningCount: 1,
      fixableErrorCount: 0,
    });
  });

  it("fixes several files and counts them", async () => {
    const p = project(withRollbacks({ "a.sql": "select 1 from t;\n", "b.sql": "select 2;\n", "c.sql": CLEAN_SQL }));
    const result = await fix(p, ".");
    expect(result).toEqual({ output: "✔ Fixed 3 problems in 2 files\n✔ No problems found in 6 files\n", stderr: "", exitCode: 0 });
    expect([p.read("a.sql"), p.read("b.sql"), p.read("c.sql")]).toEqual(["SELECT 1 FROM t;\n", "SELECT 2;\n", CLEAN_SQL]);
  });
});
