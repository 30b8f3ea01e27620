import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openPgliteDatabase } from "../../src/verify/pglite-database.js";
import { pgliteTemplate } from "../../src/verify/pglite-template.js";

// PGlite started from the data folder initdb made on an earlier run (src/verify/pglite-template.ts): used only when
// it is the user's and its HMAC checks out; the database is the same as after initdb.
let scratch: string | undefined;
afterEach(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

function userFolders() {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-pglite-template-"));
  return { XDG_CACHE_HOME: path.join(scratch, "cache"), XDG_CONFIG_HOME: path.join(scratch, "config") };
}

/** Starts PGlite, reads what an empty database holds, and says how it started. */
async function start(env: Record<string, string>) {
  const db = await openPgliteDatabase({ env });
  try {
    const rows = await db.query<{ objects: string }>("SELECT count(*)::text AS objects FROM pg_catalog.pg_class");
    await db.exec("CREATE TABLE t (id int)");
    return { started: db.started, objects: rows[0]!.objects };
  } finally {
    await db.close();
  }
}

const templateFile = (env: Record<string, string>) => {
  const folder = path.join(env.XDG_CACHE_HOME!, "migsafe", "pglite");
  return path.join(folder, fs.readdirSync(folder).find((name) => name.endsWith(".tar"))!);
};

describe("PGlite's kept data folder", () => {
  it("is made by the first start, before anything runs, and the next start uses it: the same empty database", async () => {
    const env = userFolders();
    const first = await start(env);
    expect(first.started).toBe("with initdb");
    const file = templateFile(env);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const second = await start(env);
    // The table the first run made is not in it: the folder was kept as initdb left it.
    expect(second).toEqual({ started: "from the kept data folder", objects: first.objects });
  }, 120_000);

  it("is not used when it was changed after it was written, or when others can write it", async () => {
    const env = userFolders();
    await start(env);
    const file = templateFile(env);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    fs.writeFileSync(file, bytes);
    expect((await start(env)).started).toBe("with initdb");
    // That start wrote it anew; made writable by others, it is not used either.
    expect((await start(env)).started).toBe("from the kept data folder");
    fs.chmodSync(file, 0o666);
    expect((await start(env)).started).toBe("with initdb");
  }, 180_000);

  it("is kept for the two most recent PGlite versions or start parameters, and read back only for its own", () => {
    const env = userFolders();
    const tar = (n: number) => new Uint8Array(1000).fill(n);
    const folder = path.join(env.XDG_CACHE_HOME, "migsafe", "pglite");
    const made: string[] = [];
    for (const [n, version] of ["0.5.13", "0.5.14", "0.5.15"].entries()) {
      expect(pgliteTemplate(env, version, ["-c", "x=1"])!.write(tar(n + 1))).toBe(true);
      made.push(fs.readdirSync(folder).find((name) => !made.includes(name))!);
      // Each one made a minute after the one before, so that "most recent" does not depend on the clock's resolution.
      made.forEach((name, i) => {
        if (fs.existsSync(path.join(folder, name))) fs.utimesSync(path.join(folder, name), new Date(), new Date(Date.now() - (made.length - i) * 60_000));
      });
    }
    expect(fs.readdirSync(path.join(env.XDG_CACHE_HOME, "migsafe", "pglite"))).toHaveLength(2);
    expect(new Uint8Array(pgliteTemplate(env, "0.5.15", ["-c", "x=1"])!.read()!)).toEqual(tar(3));
    expect(new Uint8Array(pgliteTemplate(env, "0.5.14", ["-c", "x=1"])!.read()!)).toEqual(tar(2));
    expect(pgliteTemplate(env, "0.5.13", ["-c", "x=1"])!.read()).toBeUndefined();
    expect(pgliteTemplate(env, "0.5.15", ["-c", "x=2"])!.read()).toBeUndefined();
  });

  it("is neither read nor made with MIGSAFE_NO_PGLITE_TEMPLATE=1", async () => {
    const env = { ...userFolders(), MIGSAFE_NO_PGLITE_TEMPLATE: "1" };
    expect(pgliteTemplate(env, "0.5.15", [])).toBeUndefined();
    expect((await start(env)).started).toBe("with initdb");
    expect(fs.existsSync(path.join(env.XDG_CACHE_HOME, "migsafe", "pglite"))).toBe(false);
  }, 120_000);
});
