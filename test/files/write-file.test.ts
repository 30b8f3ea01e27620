import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AtomicFile, writeFileAtomic } from "../../src/files/write-file.js";

const folders: string[] = [];
const folder = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-write-"));
  folders.push(dir);
  return dir;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("writing a file atomically", () => {
  it("flushes to disk by default, and not for a file that may be lost (a cache)", () => {
    const dir = folder();
    const fsync = vi.spyOn(fs, "fsyncSync");
    writeFileAtomic(path.join(dir, "report.txt"), "kept\n");
    expect(fsync).toHaveBeenCalledTimes(1);
    writeFileAtomic(path.join(dir, "cache.json"), "may be lost\n", {}, { durable: false });
    expect(fsync).toHaveBeenCalledTimes(1);
    expect(fs.readFileSync(path.join(dir, "cache.json"), "utf8")).toBe("may be lost\n");
  });

  it("writes in parts, shows nothing under the name until committed, and leaves the old file when aborted", () => {
    const dir = folder();
    const target = path.join(dir, "report.json");
    fs.writeFileSync(target, "old\n");
    const file = AtomicFile.open(target);
    file.write("[");
    file.write(Buffer.from("1,2"));
    file.write("]\n");
    expect(fs.readFileSync(target, "utf8")).toBe("old\n");
    file.commit();
    expect(fs.readFileSync(target, "utf8")).toBe("[1,2]\n");
    const aborted = AtomicFile.open(target);
    aborted.write("half");
    aborted.abort();
    expect(fs.readFileSync(target, "utf8")).toBe("[1,2]\n");
    expect(fs.readdirSync(dir)).toEqual(["report.json"]);
    expect(() => aborted.write("more")).toThrow("already closed");
  });
});
