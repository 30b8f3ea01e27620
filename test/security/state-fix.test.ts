import fs from "node:fs";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { useTempProjects, type TempProject } from "../cli/fixtures/temp-project.js";
import { migsafe } from "./state-cli.js";

const project = useTempProjects();
/** require-concurrent-index fixes it by adding CONCURRENTLY; require-rollback is off so the fix is all there is. */
const FIXABLE = "CREATE INDEX i ON t (c);\n";
const CONFIG = JSON.stringify({ rules: { "require-rollback": "off" } });

function fixableProject(files: Record<string, string> = {}): TempProject {
  return project({ "package.json": "{}", "migsafe.config.json": CONFIG, "migrations/001.sql": FIXABLE, ...files });
}

/** What --fix makes of FIXABLE where nothing stands in its way. */
const FIXED = (() => {
  const p = fixableProject();
  migsafe(["--fix", "migrations"], p.dir);
  const fixed = p.read("migrations/001.sql");
  fs.rmSync(p.dir, { recursive: true, force: true });
  return fixed;
})();

const tempFiles = (dir: string) => fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".migsafe.tmp"));

describe("--fix writes only what it may, keeping the file as it was", () => {
  it("refuses a read-only (0444) file, with a reason and exit 2", () => {
    const p = fixableProject();
    fs.chmodSync(p.path("migrations/001.sql"), 0o444);
    const run = migsafe(["--fix", "migrations"], p.dir);
    expect(p.read("migrations/001.sql")).toBe(FIXABLE);
    expect(fs.statSync(p.path("migrations/001.sql")).mode & 0o777).toBe(0o444);
    expect(run.stderr).toContain("migrations/001.sql: not fixed: it is read-only (mode 0444)");
    expect(run.status).toBe(2);
  });

  it("fixes the file when nothing stands in its way", () => {
    expect(FIXED).toContain("CONCURRENTLY");
  });

  it("keeps the mode, owner and group of the file it rewrites", () => {
    const p = fixableProject();
    fs.chmodSync(p.path("migrations/001.sql"), 0o640);
    if (process.getuid?.() === 0) fs.chownSync(p.path("migrations/001.sql"), 4321, 4321);
    const run = migsafe(["--fix", "migrations"], p.dir);
    expect(run.status).toBe(0);
    expect(p.read("migrations/001.sql")).toBe(FIXED);
    const stat = fs.statSync(p.path("migrations/001.sql"));
    expect(stat.mode & 0o7777).toBe(0o640);
    if (process.getuid?.() === 0) expect([stat.uid, stat.gid]).toEqual([4321, 4321]);
  });

  it.runIf(process.getuid?.() === 0)("refuses a file whose owner and group a new copy cannot keep (run by another user)", () => {
    const p = fixableProject();
    // A shared folder: anyone may write the file, which belongs to root.
    for (const dir of [p.dir, p.path("migrations")]) fs.chmodSync(dir, 0o777);
    fs.chmodSync(p.path("migrations/001.sql"), 0o666);
    const nobody = 65534;
    const run = migsafe(["--fix", "migrations"], p.dir, { uid: nobody, gid: nobody, env: { HOME: os.tmpdir() } });
    const stat = fs.statSync(p.path("migrations/001.sql"));
    expect([stat.uid, stat.gid]).toEqual([0, 0]);
    expect(p.read("migrations/001.sql")).toBe(FIXABLE);
    expect(run.stderr).toContain("not fixed: a new copy cannot keep its owner and group (0:0)");
    expect(run.status).toBe(2);
  });

  it("refuses to split a hard link: the other name would keep the old content", () => {
    const p = fixableProject({ "elsewhere/.keep": "" });
    fs.linkSync(p.path("migrations/001.sql"), p.path("elsewhere/001.sql"));
    const run = migsafe(["--fix", "migrations"], p.dir);
    expect(p.read("migrations/001.sql")).toBe(FIXABLE);
    expect(fs.statSync(p.path("migrations/001.sql")).ino).toBe(fs.statSync(p.path("elsewhere/001.sql")).ino);
    expect(run.stderr).toContain("not fixed: it has 2 hard links");
    expect(run.status).toBe(2);
  });

  it("does not write through a symbolic link that leaves the project, unless --write-outside-project", () => {
    const outside = project({ "victim.sql": FIXABLE });
    const p = fixableProject();
    fs.rmSync(p.path("migrations/001.sql"));
    fs.symlinkSync(outside.path("victim.sql"), p.path("migrations/001.sql"));
    const refused = migsafe(["--fix", "migrations"], p.dir);
    expect(outside.read("victim.sql")).toBe(FIXABLE);
    expect(refused.stderr).toContain("not fixed: it leads outside the project through a symbolic link");
    expect(refused.status).toBe(2);
    const allowed = migsafe(["--fix", "--write-outside-project", "migrations"], p.dir);
    expect(allowed.status).toBe(0);
    expect(outside.read("victim.sql")).toBe(FIXED);
    expect(fs.lstatSync(p.path("migrations/001.sql")).isSymbolicLink()).toBe(true);
  });

  it("writes through a symbolic link that stays in the project", () => {
    const p = fixableProject({ "shared/001.sql": FIXABLE });
    fs.rmSync(p.path("migrations/001.sql"));
    fs.symlinkSync("../shared/001.sql", p.path("migrations/001.sql"));
    expect(migsafe(["--fix", "migrations"], p.dir).status).toBe(0);
    expect(p.read("shared/001.sql")).toBe(FIXED);
  });
});

describe("--output-file does not write through a symbolic link that leaves the project", () => {
  it("refuses a link planted where the report goes, and a linked folder", () => {
    const outside = project({ "target.txt": "precious\n", "dir/.keep": "" });
    const p = fixableProject();
    fs.symlinkSync(outside.path("target.txt"), p.path("report.json"));
    fs.symlinkSync(outside.path("dir"), p.path("reports"));
    for (const output of ["report.json", "reports/r.json"]) {
      const run = migsafe(["-f", "json", "-o", output, "migrations"], p.dir);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^migsafe: cannot write --output-file ${output.replace(".", "\\.")}: it leads outside the project through a symbolic link`));
    }
    expect(outside.read("target.txt")).toBe("precious\n");
    expect(fs.readdirSync(outside.path("dir"))).toEqual([".keep"]);
    expect(migsafe(["-f", "json", "-o", "report.json", "--write-outside-project", "migrations"], p.dir).status).toBe(0);
    expect(JSON.parse(outside.read("target.txt"))).toHaveLength(1);
  });

  it("writes where it is told when the path itself is outside the project", () => {
    const outside = project();
    const p = fixableProject();
    expect(migsafe(["-f", "json", "-o", outside.path("r.json"), "migrations"], p.dir).status).toBe(0);
    expect(fs.existsSync(outside.path("r.json"))).toBe(true);
  });
});

describe("an interrupted --fix leaves each file old or new, and no temporary file", () => {
  /** A preload that delivers `signal` to the process just before it renames a temporary file over a migration: the worst moment. */
  function interruptAtRename(p: TempProject, signal: string): string[] {
    const preload = p.write(
      "interrupt.mjs",
      `import fs from "node:fs";
const rename = fs.renameSync;
fs.renameSync = (from, to) => {
  if (String(from).endsWith(".migsafe.tmp")) process.kill(process.pid, ${JSON.stringify(signal)});
  return rename(from, to);
};
`,
    );
    return ["--import", pathToFileURL(preload).href];
  }

  it.each(["SIGINT", "SIGTERM"])("%s", (signal) => {
    const p = fixableProject({ "migrations/002.sql": FIXABLE, "migrations/003.sql": FIXABLE });
    const run = migsafe(["--fix", "migrations"], p.dir, { nodeArgs: interruptAtRename(p, signal) });
    expect(run.signal).toBe(signal);
    expect(tempFiles(p.dir)).toEqual([]);
    const contents = ["001", "002", "003"].map((name) => p.read(`migrations/${name}.sql`));
    for (const content of contents) expect([FIXABLE, FIXED]).toContain(content);
    // It stopped: not every file was fixed.
    expect(contents).toContain(FIXABLE);
  });
});
