import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { codeCacheFolder, loadBundle } from "../../src/cli/code-cache.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-code-cache-"));
  made.push(dir);
  return dir;
}

/** A CommonJS bundle whose exported function returns `answer`, and an environment whose cache folder is private to the test. */
function bundleAnswering(answer: string): { file: string; env: Record<string, string> } {
  const dir = tempDir();
  const file = path.join(dir, "bundle.cjs");
  // Enough functions for V8 to have code worth caching; the answer is the only thing that differs.
  const helpers = Array.from({ length: 50 }, (_, i) => `function helper${i}(x) { return x + ${i}; }`).join("\n");
  fs.writeFileSync(file, `${helpers}\nexports.answer = () => ${JSON.stringify(answer)};\nexports.sum = () => helper49(1);\nexports.dirname = __dirname;\n`);
  return { file, env: { XDG_CACHE_HOME: path.join(dir, "cache") } };
}

function cacheFiles(env: Record<string, string>): string[] {
  const folder = codeCacheFolder(env);
  return fs.existsSync(folder) ? fs.readdirSync(folder).map((name) => path.join(folder, name)) : [];
}

describe("the linter bundle's code cache", () => {
  it("compiles from source first, keeps the code in a private file, and compiles from it next time", () => {
    const { file, env } = bundleAnswering("42");
    const first = loadBundle(file, env);
    expect(first.compiled).toBe("from source");
    expect((first.exports.answer as () => string)()).toBe("42");
    expect(first.exports.dirname).toBe(path.dirname(file));
    first.keepCode();
    const [kept, ...others] = cacheFiles(env);
    expect(others).toEqual([]);
    expect(fs.statSync(kept!).mode & 0o777).toBe(0o600);
    expect(fs.statSync(codeCacheFolder(env)).mode & 0o777).toBe(0o700);

    const second = loadBundle(file, env);
    expect(second.compiled).toBe("from the code cache");
    expect((second.exports.answer as () => string)()).toBe("42");
  });

  it("never runs the code of another build of the bundle, even one of the same length", () => {
    const { file, env } = bundleAnswering("42");
    const first = loadBundle(file, env);
    first.keepCode();
    // V8 checks only the source's length: the cache file's name holds the bundle's identity (size, times, inode).
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, text.replace('"42"', '"43"'));
    const changed = loadBundle(file, env);
    expect(changed.compiled).toBe("from source");
    expect((changed.exports.answer as () => string)()).toBe("43");
  });

  it("does not use a cache file that others can write, or a link", () => {
    const { file, env } = bundleAnswering("42");
    loadBundle(file, env).keepCode();
    const [kept] = cacheFiles(env);

    fs.chmodSync(kept!, 0o666);
    expect(loadBundle(file, env).compiled).toBe("from source");
    fs.chmodSync(kept!, 0o600);
    expect(loadBundle(file, env).compiled).toBe("from the code cache");

    const elsewhere = path.join(tempDir(), "planted.v8");
    fs.renameSync(kept!, elsewhere);
    fs.symlinkSync(elsewhere, kept!);
    expect(loadBundle(file, env).compiled).toBe("from source");
  });

  it("is off with MIGSAFE_NO_CODE_CACHE=1, and keeps only the newest files of a bundle", () => {
    const { file, env } = bundleAnswering("42");
    const off = loadBundle(file, { ...env, MIGSAFE_NO_CODE_CACHE: "1" });
    off.keepCode();
    expect(off.compiled).toBe("from source");
    expect(cacheFiles(env)).toEqual([]);

    for (let build = 0; build < 6; build++) {
      fs.appendFileSync(file, `// build ${build}\n`);
      loadBundle(file, env).keepCode();
    }
    expect(cacheFiles(env)).toHaveLength(4);
    expect(loadBundle(file, env).compiled).toBe("from the code cache");
  });
});

describe("migsafe (built) with its code cache", () => {
  it.runIf(process.platform === "linux")("ends when its cache folder cannot be made (XDG_CACHE_HOME=/proc/nope), with the same report", async () => {
    const args = ["fixtures/guide/007_add_premium_tier.sql"];
    const uncached = await cli(args, { MIGSAFE_NO_CODE_CACHE: "1" });
    // Node 20's recursive mkdir never returns for such a path: the run would hang after its report.
    expect(await cli(args, { XDG_CACHE_HOME: "/proc/nope" })).toEqual(uncached);
  }, 30_000);

  it("loads nothing with import(): code compiled from V8's cache has no import() in Node 20", () => {
    const bundle = fs.readFileSync(path.join(root, "dist/run.cjs"), "utf8");
    expect(bundle.match(/(?<![\w$.])import\(\s*["'`]/g) ?? []).toEqual([]);
  });

  function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [path.join(root, "dist/cli.js"), ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  it("prints the same report, with the same exit code, without a cache, when making it, from it, and from a damaged one", async () => {
    const env = { XDG_CACHE_HOME: path.join(tempDir(), "cache") };
    const args = ["fixtures/guide", "--format", "json"];
    const uncached = await cli(args, { ...env, MIGSAFE_NO_CODE_CACHE: "1" });
    expect(cacheFiles(env)).toEqual([]);
    const making = await cli(args, env);
    const [kept] = cacheFiles(env);
    expect(kept).toMatch(/run\.cjs-[0-9a-f]{32}\.v8$/);
    const fromCache = await cli([...args, "--debug"], env);
    expect(fromCache.stderr).toContain("migsafe: debug: the linter compiled from the code cache\n");
    fs.writeFileSync(kept!, Buffer.alloc(1000, 1), { mode: 0o600 });
    const damaged = await cli([...args, "--debug"], env);
    expect(damaged.stderr).toContain("migsafe: debug: the linter compiled from source\n");
    // V8 refused the data (its checksum): the run compiled from source and replaced it.
    expect(fs.statSync(kept!).size).toBeGreaterThan(100_000);
    expect((await cli([...args, "--debug"], env)).stderr).toContain("from the code cache");
    expect(uncached.code).toBe(1);
    expect(JSON.parse(uncached.stdout)).toBeInstanceOf(Array);
    expect(making).toEqual(uncached);
    for (const run of [fromCache, damaged]) expect({ code: run.code, stdout: run.stdout }).toEqual({ code: uncached.code, stdout: uncached.stdout });
  });
});
