import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTempProjects, type TempProject } from "../cli/fixtures/temp-project.js";
import { fromBuild, migsafe } from "./state-cli.js";

const project = useTempProjects();
const CACHE_FILE = "node_modules/.cache/migsafe/results.json";
/** Rules whose findings on these files would carry a fix or need a rollback file: off, so that every file's result is cached. */
const CONFIG = JSON.stringify({ rules: { "missing-if-not-exists": "off", "require-rollback": "off" } });

/** Runs migsafe --cache with a cache secret of the test's own (XDG_CONFIG_HOME), never the user's. */
function cached(p: TempProject, args: string[], env: Record<string, string> = {}) {
  return migsafe(["--cache", ...args], p.dir, { env: { XDG_CONFIG_HOME: p.path("user-config"), ...env } });
}

/** What someone who can write the cache folder (not the secret) does to it: edits every entry, in whichever format the cache has. */
function tamperEntries(p: TempProject, edit: (entry: Record<string, unknown>, filePath: string) => void): void {
  const file = p.path(CACHE_FILE);
  const text = fs.readFileSync(file, "utf8");
  const newline = text.indexOf("\n");
  if (newline < 0) {
    const cache = JSON.parse(text) as { entries: Record<string, Record<string, unknown>> };
    for (const [filePath, entry] of Object.entries(cache.entries)) edit(entry, filePath);
    fs.writeFileSync(file, JSON.stringify(cache));
  } else {
    const body = JSON.parse(text.slice(newline + 1)) as { files: Record<string, Record<string, unknown>> };
    for (const [filePath, entry] of Object.entries(body.files)) edit(entry, filePath);
    fs.writeFileSync(file, `${text.slice(0, newline)}\n${JSON.stringify(body)}`);
  }
}

const cacheWarnings = (stderr: string) => stderr.split("\n").filter((line) => /cache .*(not used|is off)/.test(line));

describe("--cache may only skip work, never change a result", () => {
  it("an edited entry cannot hide DROP TABLE users", () => {
    const p = project({ "package.json": "{}", "migsafe.config.json": CONFIG, "migrations/001.sql": "DROP TABLE users;\n" });
    expect(cached(p, ["migrations"]).status).toBe(1);
    expect(fs.readFileSync(p.path(CACHE_FILE), "utf8")).toContain("001.sql");
    tamperEntries(p, (entry) => {
      entry.findings = [];
      entry.errors = [];
    });
    const run = cached(p, ["migrations"]);
    expect(run.stdout).toContain("drop-table");
    expect(run.stdout).not.toContain("No problems found");
    expect(run.status).toBe(1);
    expect(cacheWarnings(run.stderr)).toHaveLength(1);
  });

  it("--cache --fix never applies a fix planted in the cache: fixes are computed from the file", () => {
    const p = project({ "package.json": "{}", "migsafe.config.json": CONFIG, "migrations/001.sql": "CREATE INDEX i ON t (c);\n", "migrations/002.sql": "SELECT 1;\n" });
    cached(p, ["migrations"]);
    tamperEntries(p, (entry, filePath) => {
      const length = fs.readFileSync(filePath, "utf8").length;
      entry.findings = [
        {
          ruleId: "require-concurrent-index",
          severity: "careful",
          message: "planted",
          help: "planted",
          range: { start: 0, end: length },
          loc: { start: { line: 1, column: 1 }, end: { line: 1, column: length + 1 } },
          docsUrl: "https://example.test",
          fix: { range: { start: 0, end: length }, text: "GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;\n" },
        },
      ];
    });
    cached(p, ["--fix", "migrations"]);
    expect(p.read("migrations/002.sql")).toBe("SELECT 1;\n");
    expect(p.read("migrations/001.sql")).not.toContain("GRANT");
    expect(p.read("migrations/001.sql")).toContain("CONCURRENTLY");
  });

  it("a malformed entry is no internal error: the cache is discarded with one warning and the file linted", () => {
    const p = project({ "package.json": "{}", "migsafe.config.json": CONFIG, "migrations/001.sql": "DROP TABLE users;\n" });
    cached(p, ["migrations"]);
    tamperEntries(p, (entry) => {
      entry.findings = [{ ruleId: 5, loc: "nowhere" }];
    });
    const run = cached(p, ["migrations"]);
    expect(run.stderr).not.toContain("internal error");
    expect(run.stdout).toContain("drop-table");
    expect(run.status).toBe(1);
    expect(cacheWarnings(run.stderr)).toHaveLength(1);
  });

  it("checks an entry's whole shape: a fix, an unknown key or a wrong type is not an entry migsafe wrote", async () => {
    const { isCacheEntry } = await fromBuild<{ isCacheEntry: (value: unknown) => boolean }>("project/cache-entry");
    const finding = {
      ruleId: "drop-table",
      severity: "dangerous",
      message: "m",
      help: "h",
      range: { start: 0, end: 5 },
      loc: { start: { line: 1, column: 1 }, end: { line: 1, column: 6 } },
      docsUrl: "https://example.test",
    };
    const entry = { key: "a".repeat(64), findings: [finding], errors: [] };
    expect(isCacheEntry(entry)).toBe(true);
    expect(isCacheEntry({ ...entry, findings: [{ ...finding, fix: { range: { start: 0, end: 1 }, text: "x" } }] })).toBe(false);
    expect(isCacheEntry({ ...entry, findings: [{ ...finding, severity: "harmless" }] })).toBe(false);
    expect(isCacheEntry({ ...entry, findings: [{ ...finding, range: { start: -1, end: 5 } }] })).toBe(false);
    expect(isCacheEntry({ ...entry, extra: 1 })).toBe(false);
    expect(isCacheEntry({ ...entry, key: "not a hash" })).toBe(false);
    expect(isCacheEntry({ ...entry, errors: [{ message: 1 }] })).toBe(false);
    expect(isCacheEntry(JSON.parse('{"__proto__": {"key": "x"}, "findings": [], "errors": []}'))).toBe(false);
  });

  it("a 600 MB file is not read whole for its cache key: it is refused as too large, with no internal error", () => {
    const p = project({ "package.json": "{}", "migrations/001.sql": "SELECT 1;\n" });
    fs.closeSync(fs.openSync(p.path("migrations/big.sql"), "w"));
    // Sparse: 600 MB that take no disk space.
    fs.truncateSync(p.path("migrations/big.sql"), 600 * 1024 * 1024);
    const run = cached(p, ["migrations"]);
    expect(run.stderr).toContain("big.sql: too large to lint");
    expect(run.stderr).not.toContain("internal error");
    expect(run.status).toBe(2);
  });

  it("a cache file that cannot be read is discarded with one warning", () => {
    const p = project({ "package.json": "{}", "migrations/001.sql": "SELECT 1;\n", [CACHE_FILE]: "{ not json" });
    const run = cached(p, ["migrations"]);
    expect(cacheWarnings(run.stderr)).toEqual([expect.stringContaining("node_modules/.cache/migsafe/results.json is not used")]);
    expect(cached(p, ["migrations"]).stderr).toBe("");
  });

  it("a cache written under another secret (another CI job, a restored cache) is not used", () => {
    const p = project({ "package.json": "{}", "migsafe.config.json": CONFIG, "migrations/001.sql": "DROP TABLE users;\n" });
    cached(p, ["migrations"], { MIGSAFE_CACHE_SECRET: "the secret of a trusted job" });
    const other = cached(p, ["--debug", "migrations"], { MIGSAFE_CACHE_SECRET: "another secret, another job" });
    expect(cacheWarnings(other.stderr)).toEqual([expect.stringContaining("another cache secret")]);
    expect(other.stderr).toContain("0 files from the cache, 1 linted");
    // The same secret reads it back: the cache still skips work.
    const same = cached(p, ["--debug", "migrations"], { MIGSAFE_CACHE_SECRET: "another secret, another job" });
    expect(same.stderr).toContain("1 files from the cache, 0 linted");
    expect(same.stdout).toContain("drop-table");
  });

  it("the secret kept for the user is made once, readable by the user alone, outside the project", () => {
    const p = project({ "package.json": "{}", "migrations/001.sql": "SELECT 1;\n" });
    cached(p, ["migrations"]);
    const secret = p.path("user-config/migsafe/cache-secret");
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
    const content = fs.readFileSync(secret, "utf8");
    cached(p, ["migrations"]);
    expect(fs.readFileSync(secret, "utf8")).toBe(content);
    expect(fs.readFileSync(p.path(CACHE_FILE), "utf8")).not.toContain(content);
    expect(path.relative(p.path("node_modules"), secret).startsWith("..")).toBe(true);
  });
});

describe("--cache appends what a run changed, and checks each appended line", () => {
  /** A project of many files (so that one file's change is a small part of the cache), and a run without cache to compare with. */
  function many(files = 40) {
    const sql: Record<string, string> = { "package.json": "{}", "migsafe.config.json": CONFIG };
    for (let i = 0; i < files; i++) sql[`migrations/${String(i).padStart(3, "0")}_t${i}.sql`] = `CREATE TABLE t${i} (id bigint);\nALTER TABLE t${i} ADD COLUMN c text NOT NULL;\n`;
    return project(sql);
  }
  const lines = (p: TempProject) => fs.readFileSync(p.path(CACHE_FILE), "utf8").split("\n").filter((line) => line !== "");
  const uncached = (p: TempProject) => migsafe(["--format", "json", "migrations"], p.dir, { env: { XDG_CONFIG_HOME: p.path("user-config") } });
  const change = (p: TempProject, i: number, text: string) => fs.writeFileSync(p.path(`migrations/${String(i).padStart(3, "0")}_t${i}.sql`), text);

  it("appends one line for a run that changed one file, and the next run reads it: the report of a run without cache", () => {
    const p = many();
    cached(p, ["--format", "json", "migrations"]);
    expect(lines(p)).toHaveLength(2);
    const inode = fs.statSync(p.path(CACHE_FILE)).ino;
    change(p, 3, "DROP TABLE t3;\n");
    const run = cached(p, ["--format", "json", "migrations"]);
    expect(lines(p)).toHaveLength(3);
    expect(fs.statSync(p.path(CACHE_FILE)).ino).toBe(inode);
    expect(run).toMatchObject({ status: 1, stderr: "" });
    // Read back: the appended entry is a hit (the report comes from the cache) and says what a run without cache says.
    const again = cached(p, ["--format", "json", "--debug", "migrations"]);
    expect(again.stderr).toContain("0 linted");
    expect(again.stdout).toBe(uncached(p).stdout);
  });

  it("does not use appended lines that were modified, cut short or moved from another cache file, and rewrites the file", () => {
    const p = many();
    cached(p, ["migrations"]);
    change(p, 3, "DROP TABLE t3;\n");
    cached(p, ["migrations"]);
    const [header, body, delta] = lines(p) as [string, string, string];
    const hidden = delta.replace(/"findings":\[[^\]]*\]/, '"findings":[]');
    expect(hidden).not.toBe(delta);
    for (const tampered of [hidden, delta.slice(0, delta.length - 10)]) {
      fs.writeFileSync(p.path(CACHE_FILE), `${header}\n${body}\n${tampered}\n`);
      const run = cached(p, ["migrations"]);
      expect(run.stdout).toContain("drop-table");
      expect(run.status).toBe(1);
      expect(cacheWarnings(run.stderr)).toEqual([]);
      expect(run.stderr).toContain("is used without the entries appended to it last, which fail their check (a write cut short, or a change after migsafe wrote them)");
      // The run rewrote the file whole, without the line it could not use.
      expect(lines(p)).toHaveLength(2);
    }
    // A line appended to another project's cache (another base) is not this file's, even under the same secret.
    const other = many();
    cached(other, ["migrations"], { XDG_CONFIG_HOME: p.path("user-config") });
    fs.appendFileSync(other.path(CACHE_FILE), `${delta}\n`);
    expect(cached(other, ["migrations"], { XDG_CONFIG_HOME: p.path("user-config") }).stderr).toContain("which fail their check");
  });

  it("rewrites the file whole once its appended lines reach a quarter of it", () => {
    const p = many(8);
    cached(p, ["migrations"]);
    const counts: number[] = [];
    for (let round = 0; round < 12; round++) {
      change(p, round % 8, `DROP TABLE t${round % 8}; -- ${round}\n`);
      cached(p, ["migrations"]);
      counts.push(lines(p).length);
    }
    // Lines grow by one per run, and drop back to two when the deltas would pass a quarter of the file.
    expect(counts.some((count) => count > 2)).toBe(true);
    expect(counts.slice(1).some((count, i) => count < counts[i]!)).toBe(true);
    expect(Math.max(...counts)).toBeLessThan(12);
    expect(cached(p, ["--format", "json", "migrations"]).stdout).toBe(uncached(p).stdout);
  });
});
