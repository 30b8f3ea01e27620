import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * migsafe's layers, lowest first. A module may import its own part and the parts of lower layers,
 * never a part of its own layer or of a higher one. "leaf" is src/files/ and the modules directly in
 * src/ other than index.ts (version.ts, …): they import nothing of migsafe's.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["leaf", "source"],
  ["parser"],
  ["runners"],
  ["facts"],
  ["engine"],
  ["rules"],
  ["embedded", "config", "formatters"],
  ["project", "verify"],
  ["eslint", "cli", "index"],
];

/** Rules are plugins of the engine: they see the engine and what it is built on, nothing above or beside it. */
const RULES_MAY_IMPORT: ReadonlySet<string> = new Set(["rules", "engine", "parser", "source", "facts"]);

/**
 * Imports that break the layering today, each with why it is still there. Each one must still exist,
 * so that this list shrinks when the code is fixed.
 */
const EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [];

/** The part of migsafe a module belongs to: a folder of src/, "rules", "index" or "leaf"; undefined outside them. */
function partOf(file: string): string | undefined {
  const [top, second, third] = file.split("/");
  if (top === "rules") return "rules";
  if (top !== "src" || second === undefined) return undefined;
  if (third !== undefined) return second === "files" ? "leaf" : second;
  return second === "index.ts" ? "index" : "leaf";
}

function layerOf(part: string): number {
  return LAYERS.findIndex((layer) => layer.includes(part));
}

/** Why `from` may not import `to` (paths relative to the repository), or undefined when it may. */
function layeringProblem(from: string, to: string): string | undefined {
  const [fromPart, toPart] = [partOf(from), partOf(to)];
  if (fromPart === undefined || toPart === undefined || fromPart === toPart) return undefined;
  if (fromPart === "rules" && !RULES_MAY_IMPORT.has(toPart)) return `rules/ may import only src/engine, src/parser, src/source and src/facts`;
  const [fromLayer, toLayer] = [layerOf(fromPart), layerOf(toPart)];
  if (fromLayer < 0) return `${fromPart} is in no layer: add it to LAYERS in test/architecture.test.ts`;
  if (toLayer < 0) return `${toPart} is in no layer: add it to LAYERS in test/architecture.test.ts`;
  if (toLayer > fromLayer) return `${fromPart} may not import ${toPart}, a higher layer`;
  if (toLayer === fromLayer) return `${fromPart} may not import ${toPart}, beside it in the same layer`;
  return undefined;
}

/** Every import of migsafe's own modules (static, dynamic, type-only, re-exports) in a file, resolved to a repository path. */
function importsOf(file: string): { specifier: string; target: string }[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => ({
      specifier,
      target: path.relative(root, path.resolve(root, path.dirname(file), specifier.replace(/\.js$/, ".ts"))).split(path.sep).join("/"),
    }));
}

const files = fg.sync(["src/**/*.ts", "rules/**/*.ts"], { cwd: root }).sort();
const imports = files.flatMap((from) => importsOf(from).map((imported) => ({ from, ...imported })));

describe("layers", () => {
  it("reads every module and its imports", () => {
    expect(files).toContain("src/cli/run.ts");
    expect(files).toContain("rules/index.ts");
    expect(imports).toContainEqual({ from: "src/cli/run.ts", specifier: "./args.js", target: "src/cli/args.ts" });
    expect(imports.filter(({ target }) => !fs.existsSync(path.join(root, target)))).toEqual([]);
  });

  it("depend one way: no module imports a higher layer, or a part beside it", () => {
    const violations = imports.flatMap(({ from, specifier, target }) => {
      const problem = layeringProblem(from, target);
      if (!problem || EXCEPTIONS.some((exception) => exception.from === from && exception.to === target)) return [];
      return [`${from} → ${specifier}: ${problem}`];
    });
    expect(violations).toEqual([]);
  });

  it("lists only exceptions that still exist", () => {
    const stale = EXCEPTIONS.filter(({ from, to }) => !imports.some((imported) => imported.from === from && imported.target === to));
    expect(stale).toEqual([]);
  });

  it("tells a higher layer, a neighbour and a rule's reach apart", () => {
    expect(layeringProblem("src/formatters/index.ts", "src/cli/args.ts")).toBe("formatters may not import cli, a higher layer");
    expect(layeringProblem("src/project/lint-project.ts", "src/verify/verify.ts")).toBe("project may not import verify, beside it in the same layer");
    expect(layeringProblem("src/engine/lint.ts", "src/version.ts")).toBeUndefined();
    expect(layeringProblem("src/files/git.ts", "src/config/load.ts")).toBe("leaf may not import config, a higher layer");
    expect(layeringProblem("rules/drop-table.ts", "src/formatters/messages.ts")).toBe("rules/ may import only src/engine, src/parser, src/source and src/facts");
    expect(layeringProblem("src/cli/run.ts", "src/project/lint-project.ts")).toBeUndefined();
    expect(layeringProblem("src/newpart/x.ts", "src/source/source-text.ts")).toMatch(/^newpart is in no layer/);
  });
});
