import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempProjects, withRollbacks } from "../cli/fixtures/temp-project.js";
import { cli, cliBundle, ensureBuilt, parseJson, parseSarif, runIn } from "./harness.js";

const project = useTempProjects();
beforeAll(ensureBuilt, 180_000);

describe("a reader that stops early (`migsafe … | head -1`)", () => {
  /** Runs the built CLI with stdout into a pipe that is closed after the first line, as `| head -1` does. */
  function firstLineOnly(cwd: string, args: string[]): Promise<{ firstLine: string; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliBundle, ...args], { cwd, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
      let head = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        head += chunk.toString("utf8");
        if (head.includes("\n")) child.stdout.destroy();
      });
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ firstLine: head.split("\n")[0]!, code, signal, stderr }));
    });
  }

  // ≈6,000 findings, megabytes of report: far more than a pipe holds, so writing goes on after the reader is gone.
  const manyDrops = Array.from({ length: 2000 }, (_, i) => `DROP TABLE t${i};`).join("\n");

  it.each([["stylish", "many.sql"], ["compact", "many.sql:1:1: dangerous drop-table DROP TABLE t0 deletes the table"]])(
    "%s: exits with the run's code, quietly",
    async (format, firstLine) => {
      const p = project(withRollbacks({ "many.sql": manyDrops }));
      const result = await firstLineOnly(p.dir, ["--format", format, "many.sql"]);
      expect(result.firstLine.startsWith(firstLine)).toBe(true);
      expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ code: 1, signal: null, stderr: "" });
    },
  );
});

/** C0 controls but tab and line feed, DEL, C1 controls, and the Unicode bidi controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Nothing in `text` can move the cursor, retitle the window or reorder what follows; colours (SGR) only when asked for. */
function expectInert(text: string, colors = false): void {
  // eslint-disable-next-line no-control-regex
  const visible = colors ? text.replace(/\u001b\[[0-9;]*m/g, "") : text;
  expect(visible.match(RAW_CONTROL), JSON.stringify(visible.slice(0, 400))).toBeNull();
}

describe("control characters and ANSI escapes from file names and SQL never reach the terminal raw", () => {
  const hostileName = "esc\u001b]0;pwned\u0007\u009b2J.sql";
  const hostileSql = [
    'DROP TABLE "red\u001b[31mtext";',
    'DROP TABLE "\u202eevil\u2066";',
    "SELECT \u0007;",
    "",
  ].join("\n");
  const files = withRollbacks({ [hostileName]: "DROP TABLE users;\n", "sql.sql": hostileSql });
  const args = [hostileName, "sql.sql"];

  it.each(["stylish", "compact", "github", "markdown"])("%s", async (format) => {
    const p = project(files);
    const result = await runIn(p.dir, ["--format", format, ...args]);
    expect(result.exitCode).toBe(2);
    expectInert(result.output);
    expectInert(result.stderr);
    // The characters are shown, escaped, not dropped.
    expect(result.output).toMatch(/x1b(&#93;|\]|%5D)0;pwned/);
    expect(result.output).toContain("x1b");
    expect(result.output).toContain("u202eevil");
  });

  it("stylish with colours: only colour codes are raw", async () => {
    const p = project(files);
    const result = await runIn(p.dir, args, { env: { FORCE_COLOR: "1" } });
    expect(result.output).toContain("\u001b[");
    expectInert(result.output, true);
    expect(result.output).toContain('DROP TABLE "red\\x1b[31mtext"');
  });

  it("the built CLI, default format, stdout and stderr", async () => {
    const p = project(files);
    const built = await cli(p.dir, args);
    expect(built.code).toBe(2);
    expectInert(built.stdout);
    expectInert(built.stderr);
    expect(built.stdout.split("\n")).toContain("esc\\x1b]0;pwned\\x07\\x9b2J.sql");
    expect(built.stdout).toMatch(/^ {2}3:8 +error +syntax error at or near "\\x07"$/m);
  });

  it("json and sarif keep the characters exactly, as JSON escapes", async () => {
    const p = project(files);
    const json = await runIn(p.dir, ["--format", "json", ...args]);
    expectInert(json.output);
    expect(parseJson(json.output).map((result) => result.filePath.slice(p.dir.length + 1))).toEqual([hostileName, "sql.sql"]);
    const sarif = await runIn(p.dir, ["--format", "sarif", ...args]);
    expectInert(sarif.output);
    expect(parseSarif(sarif.output).runs[0]!.results.some((result) => result.message.text.includes('"red\u001b[31mtext"'))).toBe(true);
  });

  it("error messages on stderr: a control character in an argument or a configuration key", async () => {
    const p = project({ "migsafe.config.json": JSON.stringify({ "\u001b[2Jbad": 1 }), "a.sql": "SELECT 1;\n" });
    const config = await runIn(p.dir, ["a.sql"]);
    expect(config.exitCode).toBe(2);
    expect(config.stderr.startsWith('migsafe: migsafe.config.json: unknown key "\\x1b[2Jbad"')).toBe(true);
    expectInert(config.stderr);
    const argument = await runIn(p.dir, ["--format", "\u001b]0;x\u0007"]);
    expect(argument.exitCode).toBe(2);
    expectInert(argument.stderr);
    expect(argument.stderr).toContain("\\x1b]0;x\\x07");
  });
});
