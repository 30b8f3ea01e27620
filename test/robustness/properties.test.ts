import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintBytes } from "../../src/embedded/lint-file.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { Position, Range } from "../../src/source/source-text.js";
import { formatJson } from "../../src/formatters/json.js";
import { formatSarif } from "../../src/formatters/sarif.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

// Random damage to real migrations (truncation, byte flips, duplicated and deleted
// spans, stray quotes, dollar signs and comment openers) must never make the engine
// throw, never put a finding or error outside the file, and never change between two
// runs on the same bytes. Fixed seeds: a failure prints its seed and path, and
// `fc.assert(…, { seed, path })` replays it.

const corpusRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/sql");
const noFiles: FileAccess = { exists: () => false, read: () => undefined };
const options = { rules: allRules, settings: DEFAULT_SETTINGS };

/** 40 corpus files, the same ones on every run: a seeded shuffle of the sorted list. */
function pickCorpusFiles(count: number, seed: number): string[] {
  if (!fs.existsSync(corpusRoot)) return [];
  const all = fs
    .readdirSync(corpusRoot, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".sql"))
    .sort();
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count);
}

/** Without the corpus (it sits beside the repository, in ../shared), the repository's own example migrations are damaged instead. */
const fixturesRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures");
const fromCorpus = fs.existsSync(corpusRoot);
const sourceRoot = fromCorpus ? corpusRoot : fixturesRoot;
const files = fromCorpus
  ? pickCorpusFiles(40, 20_240_601)
  : fs.readdirSync(fixturesRoot, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".sql")).sort();
const contents = new Map(files.map((name) => [name, new Uint8Array(fs.readFileSync(path.join(sourceRoot, name)))]));

/** What the lexer and the statement splitter are most sensitive to. */
const SNIPPETS = ["'", '"', "$$", "$a$", "$", "/*", "*/", "--", "(", ")", ";", "\\", "E'", "\r", "\n", "\r\n", "\uFEFF", "BEGIN;", "COMMIT;", "DO $$", "END", "é", "\u{1F600}"];

type Mutation =
  | { kind: "truncate"; at: number }
  | { kind: "flip"; at: number; byte: number }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number; to: number }
  | { kind: "insert"; at: number; text: string };

/** Positions are fractions of the current length, so one mutation list fits any file. */
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fraction }),
  fc.record({ kind: fc.constant("flip" as const), at: fraction, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fraction, length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fraction, length: fc.integer({ min: 1, max: 200 }), to: fraction }),
  fc.record({ kind: fc.constant("insert" as const), at: fraction, text: fc.constantFrom(...SNIPPETS) }),
) as fc.Arbitrary<Mutation>;

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = Math.floor(m.at * (out.length + 1));
    switch (m.kind) {
      case "truncate":
        out = out.subarray(0, at);
        break;
      case "flip":
        if (at < out.length) out[at] = m.byte;
        break;
      case "delete":
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
        break;
      case "duplicate": {
        const span = out.subarray(at, at + m.length);
        const to = Math.floor(m.to * (out.length + 1));
        out = Buffer.concat([out.subarray(0, to), span, out.subarray(to)]);
        break;
      }
      case "insert":
        out = Buffer.concat([out.subarray(0, at), Buffer.from(m.text), out.subarray(at)]);
        break;
    }
  }
  return out;
}

const damaged = fc.record({
  file: fc.constantFrom(...(files.length > 0 ? files : ["none"])),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
});

/** Line starts of `text`: a line break is \n, \r\n or a lone \r (as SourceText). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) starts.push(i + 1);
  }
  return starts;
}

function positionOf(starts: readonly number[], index: number): Position {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1]! <= index) line++;
  return { line: line + 1, column: index - starts[line]! + 1 };
}

/** A list of what is wrong with the result's positions; empty when all are inside the file and agree with each other. */
function boundsProblems(result: FileResult, bytes: Uint8Array): string[] {
  const problems: string[] = [];
  if (result.text === undefined) {
    // Refused before parsing (binary, not UTF-8): a line of the bytes at most.
    const lines = 1 + [...bytes].filter((byte, i) => byte === 0x0a || (byte === 0x0d && bytes[i + 1] !== 0x0a)).length;
    for (const error of result.errors) {
      if (error.loc && (error.loc.start.line < 1 || error.loc.start.line > lines)) problems.push(`read error at line ${error.loc.start.line} of ${lines}`);
    }
    if (result.findings.length > 0) problems.push("findings on a file that could not be read");
    return problems;
  }
  const text = result.text;
  const starts = lineStarts(text);
  const lineLength = (line: number) => {
    if (line === starts.length) return text.length - starts[line - 1]!;
    const next = starts[line]!;
    const breakLength = text.slice(next - 2, next) === "\r\n" ? 2 : 1;
    return next - breakLength - starts[line - 1]!;
  };
  const check = (what: string, range: Range | undefined, loc: { start: Position; end: Position } | undefined) => {
    if (range) {
      if (!(range.start >= 0 && range.start <= range.end && range.end <= text.length)) problems.push(`${what}: range ${range.start}-${range.end} outside 0-${text.length}`);
    }
    if (loc) {
      for (const [side, p] of [["start", loc.start], ["end", loc.end]] as const) {
        if (p.line < 1 || p.line > starts.length) problems.push(`${what}: ${side} line ${p.line} of ${starts.length}`);
        else if (p.column < 1 || p.column > lineLength(p.line) + 1) problems.push(`${what}: ${side} column ${p.column} on a line of ${lineLength(p.line)}`);
      }
      if (loc.start.line > loc.end.line || (loc.start.line === loc.end.line && loc.start.column > loc.end.column)) problems.push(`${what}: starts after it ends`);
    }
    if (range && loc) {
      const expected = { start: positionOf(starts, range.start), end: positionOf(starts, range.end) };
      if (JSON.stringify(expected) !== JSON.stringify({ start: loc.start, end: loc.end })) problems.push(`${what}: loc ${JSON.stringify(loc)} is not range ${range.start}-${range.end}`);
    }
  };
  for (const finding of result.findings) {
    check(finding.ruleId, finding.range, finding.loc);
    if (finding.fix) check(`${finding.ruleId} fix`, finding.fix.range, undefined);
  }
  for (const error of result.errors) check(`error "${error.message}"`, error.range, error.loc);
  return problems;
}

const sarifSchema = JSON.parse(fs.readFileSync(new URL("../fixtures/sarif-schema-2.1.0.json", import.meta.url), "utf8")) as Record<string, unknown>;
const validateSarif = new Ajv({ allErrors: true, validateFormats: false }).compile(sarifSchema);

describe("the bounds check itself", () => {
  it("catches a range past the end, a column past the line, and a loc that disagrees with its range", () => {
    const text = "SELECT 1;\r\nDROP TABLE t;";
    const finding = (range: Range, start: Position, end: Position) =>
      ({ ruleId: "r", severity: "careful", message: "", help: "", docsUrl: "", range, loc: { start, end } }) as FileResult["findings"][number];
    const result = (findings: FileResult["findings"]): FileResult => ({ filePath: "a.sql", findings, errors: [], text });
    const bytes = Buffer.from(text);
    expect(boundsProblems(result([finding({ start: 11, end: 23 }, { line: 2, column: 1 }, { line: 2, column: 13 })]), bytes)).toEqual([]);
    expect(boundsProblems(result([finding({ start: 11, end: 25 }, { line: 2, column: 1 }, { line: 2, column: 15 })]), bytes)).toEqual([
      "r: range 11-25 outside 0-24",
      "r: end column 15 on a line of 13",
    ]);
    expect(boundsProblems(result([finding({ start: 0, end: 9 }, { line: 1, column: 1 }, { line: 1, column: 11 })]), bytes)).toEqual([
      "r: end column 11 on a line of 9",
      'r: loc {"start":{"line":1,"column":1},"end":{"line":1,"column":11}} is not range 0-9',
    ]);
  });
});

/** Random sequences of the tokens that steer the lexer, the splitter and the rules. */
const TOKENS = [
  ...SNIPPETS,
  " ", "DO", "ATOMIC", "CASE", "CREATE", "TABLE", "INDEX", "CONCURRENTLY", "ALTER", "DROP", "ADD", "COLUMN", "t", "x", "int",
  "NOT", "NULL", "DEFAULT", ",", "1", "SELECT", "FROM", "UPDATE", "SET", "=", "DELETE", "WHERE", "FUNCTION", "AS", "LANGUAGE",
  "plpgsql", "EXECUTE", "'DROP TABLE t'", "RENAME", "TO", "TYPE", "USING", "CONSTRAINT", "CHECK", "VALID", "VALIDATE", "TRUNCATE",
  "VACUUM", "REINDEX", "ROLLBACK", "SAVEPOINT", "lock_timeout", "'1s'", "-- migsafe-ignore drop-table: why\n", "-- +goose Down\n",
  "-- migrate:down\n", "U&'", "X'", "::", "[", "]", "\u0001", "\u001b",
];

describe("token soup (fast-check)", () => {
  it("never throws, keeps every position inside the text, and lints the same twice", () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((parts) => parts.join(" "));
    const names = fc.constantFrom("/m/001_a.sql", "/m/001_a.down.sql", "/m/20240101/up.sql");
    fc.assert(
      fc.property(soup, names, (text, filePath) => {
        const first = lintSource(text, filePath, options, noFiles);
        expect(boundsProblems(first, Buffer.from(text))).toEqual([]);
        expect(lintSource(text, filePath, options, noFiles)).toEqual(first);
      }),
      { seed: 1_716_000_003, numRuns: 2000 },
    );
  });
});

describe.skipIf(files.length === 0)("damaged corpus files (fast-check)", () => {
  it.skipIf(!fromCorpus)("uses 40 corpus files from every project", () => {
    expect(files).toHaveLength(40);
    expect(new Set(files.map((name) => name.split(path.sep)[0])).size).toBe(6);
  });

  it("never throw, keep every position inside the file, and lint the same twice", () => {
    fc.assert(
      fc.property(damaged, ({ file, mutations }) => {
        const bytes = mutate(contents.get(file)!, mutations);
        const filePath = path.join("/corpus", file);
        const first = lintBytes(bytes, filePath, options, noFiles);
        expect(boundsProblems(first, bytes)).toEqual([]);
        expect(lintBytes(bytes, filePath, options, noFiles)).toEqual(first);
      }),
      { seed: 1_716_000_001, numRuns: 2000 },
    );
  });

  it("undamaged, they lint with every position inside the file", () => {
    for (const file of files) {
      const bytes = contents.get(file)!;
      expect(boundsProblems(lintBytes(bytes, path.join("/corpus", file), options, noFiles), bytes), file).toEqual([]);
    }
  });

  it("damaged, they still make valid JSON and SARIF reports", () => {
    const context = { cwd: "/corpus", repoRoot: "/corpus", colors: false, rules: allRules, version: "0.0.0" };
    fc.assert(
      fc.property(fc.array(damaged, { minLength: 1, maxLength: 4 }), (inputs) => {
        const results = inputs.map(({ file, mutations }, i) => lintBytes(mutate(contents.get(file)!, mutations), path.join("/corpus", `${i}-${file}`), options, noFiles));
        const json = JSON.parse(formatJson(results)) as { messages: unknown[] }[];
        expect(json.map((entry) => entry.messages.length)).toEqual(results.map((result) => result.findings.length + result.errors.length));
        expect(validateSarif(JSON.parse(formatSarif(results, context))), JSON.stringify(validateSarif.errors)).toBe(true);
      }),
      { seed: 1_716_000_002, numRuns: 100 },
    );
  });
});
