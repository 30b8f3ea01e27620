import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ESLint } from "eslint";
import { ESLint as ESLint9 } from "eslint-v9";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { run } from "../../src/cli/run.js";
import { lintSource } from "../../src/engine/lint-source.js";
import migsafe from "../../src/eslint/plugin.js";
import type { JsonResult } from "../../src/formatters/json.js";
import { comparable, internalErrors, noFiles, positionAt } from "./generators.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

// Rollback blocks written in comments come in every shape people type. Whatever the shape,
// the comment must never cost the file its findings: no internal error, and the DROP TABLE
// beside it is still reported as dangerous, through the CLI, the API and ESLint (where a
// throw used to abort the whole ESLint run).

const DROP = "DROP TABLE legacy;";

// --- exhaustive enumeration: 10 shapes × 10 headings × 5 bodies × 2 line endings -------------

const HEADINGS = ["Rollback", "rollback:", "ROLLBACK", "Down", "down:", "Undo", "revert", "-- Rollback --", "=== DOWN ===", "* undo *"];

/** Bodies as lines (none for the empty one). */
const BODIES: Record<string, readonly string[]> = {
  prose: ["restore from backup"],
  valid: ["CREATE TABLE legacy (id int);"],
  invalid: ["CREATE TABEL x"],
  empty: [],
  several: ["CREATE TABLE legacy (id int);", "CREATE INDEX legacy_id ON legacy (id);", "ANALYZE legacy;"],
};

interface Shape {
  name: string;
  /** The comment for heading `h`, body lines `body`, line ending `e`. */
  comment(h: string, body: readonly string[], e: string): string;
  /** The DROP comes before the comment (otherwise after it). */
  dropFirst: boolean;
}

const block = (body: readonly string[], e: string) => body.join(e);
const prefixed = (prefix: string, body: readonly string[], e: string) => body.map((line) => `${prefix}${line}`).join(e);

const SHAPES: Shape[] = [
  { name: "heading on the line after /*", dropFirst: true, comment: (h, b, e) => `/*${e}${h}${e}${block(b, e)}${e}*/` },
  { name: "heading on the /* line, */ after the body", dropFirst: false, comment: (h, b, e) => `/* ${h}${e}${block(b, e)} */` },
  { name: "empty lines, then the heading and a colon", dropFirst: true, comment: (h, b, e) => `/*${e}${e}${h}:${e}${block(b, e)}${e}*/` },
  { name: "-- heading over a block comment", dropFirst: false, comment: (h, b, e) => `-- ${h}${e}/*${e}${block(b, e)}${e}*/` },
  { name: "a run of -- lines", dropFirst: true, comment: (h, b, e) => [`-- ${h}:`, ...(b.length > 0 ? [prefixed("-- ", b, e)] : [])].join(e) },
  { name: "/** heading **/ over -- lines", dropFirst: false, comment: (h, b, e) => [`/** ${h} **/`, ...(b.length > 0 ? [prefixed("-- ", b, e)] : [])].join(e) },
  { name: "decorated heading, */ at the body's end", dropFirst: true, comment: (h, b, e) => `/*${e}  == ${h} ==${e}${block(b, e)}*/` },
  { name: "nested comment holding the heading", dropFirst: false, comment: (h, b, e) => `/* outer /* ${h} */ ${block(b, e)} */` },
  { name: "heading and body on one line", dropFirst: true, comment: (h, b, e) => `/*${e}${h} ${block(b, e)}${e}*/` },
  { name: "heading, then a goose Down marker", dropFirst: true, comment: (h, b, e) => `-- ${h}${e}-- +goose Down${e}/*${e}${block(b, e)}${e}*/` },
];

const EOLS: Record<string, string> = { lf: "\n", crlf: "\r\n" };

/** What is read of an ESLint message (ESLint 9 and 10 alike). */
interface EslintMessage {
  ruleId: string | null;
  fatal?: boolean;
  message: string;
  line: number;
  column: number;
  severity: number;
}

interface Case {
  name: string;
  text: string;
  /** Where the DROP is. */
  line: number;
  column: number;
  describe: string;
}

function enumerate(): Case[] {
  const cases: Case[] = [];
  SHAPES.forEach((shape, s) =>
    HEADINGS.forEach((heading, h) =>
      Object.entries(BODIES).forEach(([bodyName, body], b) =>
        Object.entries(EOLS).forEach(([eolName, e]) => {
          const comment = shape.comment(heading, body, e);
          const text = shape.dropFirst ? `${DROP}${e}${comment}${e}` : `${comment}${e}${DROP}${e}`;
          const at = positionAt(text, text.indexOf(DROP));
          // Digits only: no name a rollback partner could be mistaken for.
          const name = `${s}${h}${b}${eolName === "lf" ? 0 : 1}.sql`;
          cases.push({ name, text, ...at, describe: `${name}: shape "${shape.name}", heading ${JSON.stringify(heading)}, body ${bodyName}, ${eolName}` });
        }),
      ),
    ),
  );
  return cases;
}

describe("rollback comments: exhaustive enumeration", () => {
  const cases = enumerate();
  let dir = "";

  beforeAll(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-props-rollback-")));
    for (const c of cases) fs.writeFileSync(path.join(dir, c.name), c.text);
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("enumerates 1,000 distinct files", () => {
    expect(cases).toHaveLength(1000);
    expect(new Set(cases.map((c) => c.name)).size).toBe(1000);
    expect(new Set(cases.map((c) => c.text)).size).toBe(1000);
  });

  it("the CLI reports every DROP as dangerous at its line, with no internal error, and the same findings for LF and CRLF", async () => {
    const result = await run(["--format", "json", "."], { cwd: dir, env: {} });
    const results = JSON.parse(result.output) as JsonResult[];
    expect(results).toHaveLength(1000);
    const byPath = new Map(results.map((r) => [r.filePath, r]));
    const problems: string[] = [];
    for (const c of cases) {
      const messages = byPath.get(path.join(dir, c.name))?.messages;
      if (!messages) {
        problems.push(`${c.describe}: no result`);
        continue;
      }
      for (const message of messages) {
        if (message.ruleId === "internal-error" || message.message.includes("internal error")) problems.push(`${c.describe}: ${message.message}`);
        if (message.fatal) problems.push(`${c.describe}: fatal ${message.message}`);
      }
      const drops = messages.filter((message) => message.ruleId === "drop-table").map((message) => ({ severity: message.severity, line: message.line, column: message.column }));
      // JSON severities are ESLint's: 2 for dangerous.
      if (JSON.stringify(drops) !== JSON.stringify([{ severity: 2, line: c.line, column: c.column }])) problems.push(`${c.describe}: drop-table ${JSON.stringify(drops)}, expected at ${c.line}:${c.column}`);
    }
    expect(problems).toEqual([]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(1);
    // The LF and CRLF copies of each file: the same findings, at the same lines and columns (messages may name the file).
    const brief = (name: string) =>
      byPath.get(path.join(dir, name))!.messages.map(({ ruleId, severity, line, column, endLine, endColumn, message }) => ({
        ruleId,
        severity,
        line,
        column,
        endLine,
        endColumn,
        message: message.replaceAll(name.replace(/\.sql$/, ""), "<file>"),
      }));
    for (const c of cases.filter((c) => c.name.endsWith("0.sql"))) expect(brief(c.name.replace(/0\.sql$/, "1.sql")), c.describe).toEqual(brief(c.name));
  });

  it.each([
    ["ESLint 10", ESLint],
    ["ESLint 9", ESLint9],
  ] as [string, typeof ESLint | typeof ESLint9][])("%s reports migsafe/drop-table at every DROP, with no fatal message", async (_name, Eslint) => {
    const eslint = new Eslint({ cwd: dir, overrideConfigFile: true, overrideConfig: [...migsafe.configs.recommended] as never });
    const problems: string[] = [];
    for (const c of cases) {
      let messages: EslintMessage[];
      try {
        const results: { messages: EslintMessage[] }[] = await eslint.lintText(c.text, { filePath: path.join(dir, c.name) });
        expect(results).toHaveLength(1);
        messages = results[0]!.messages;
      } catch (error) {
        problems.push(`${c.describe}: threw ${String(error)}`);
        continue;
      }
      for (const message of messages) {
        if (message.fatal) problems.push(`${c.describe}: fatal ${message.message}`);
        if (message.message.includes("internal error")) problems.push(`${c.describe}: ${message.message}`);
      }
      const drops = messages.filter((message) => message.ruleId === "migsafe/drop-table").map((message) => ({ severity: message.severity, line: message.line, column: message.column }));
      if (JSON.stringify(drops) !== JSON.stringify([{ severity: 2, line: c.line, column: c.column }])) problems.push(`${c.describe}: migsafe/drop-table ${JSON.stringify(drops)}, expected at ${c.line}:${c.column}`);
    }
    expect(problems).toEqual([]);
  });
});

// --- known bugs: what a rollback comment's SQL becomes ------------------------------------------

/** The require-rollback findings that say the block's SQL was misread: it "does not parse", or holds "no statement". */
function misreadRollback(text: string): string[] {
  return lintSource(text, "/m/001_x.sql", { settings: DEFAULT_SETTINGS, rules: allRules }, noFiles)
    .findings.filter((finding) => finding.ruleId === "require-rollback" && /does not parse|contains no statement/.test(finding.message))
    .map((finding) => `${finding.loc.start.line}:${finding.loc.start.column} ${finding.message.split(". ")[0]}`);
}

describe("rollback comments: two misreadings the properties found", () => {
  // Was a bug (src/facts/rollback-block.ts, lineCommentRun): a `--` heading line directly above a
  // `-- +goose Down` marker started a "run of -- lines" that took the marker for rollback SQL:
  //   -- +goose Up / CREATE TABLE t (id int); / -- Rollback / -- +goose Down / DROP TABLE t;
  // got require-rollback "The rollback block does not parse: syntax error at or near "+"" at 4:4,
  // though the file has a down section (and no rollback block at all). The run now stops at a runner marker.
  it("a heading line above a -- +goose Down marker never makes the marker rollback SQL", () => {
    const shape = SHAPES.find((candidate) => candidate.name.includes("goose Down"))!;
    const problems = HEADINGS.flatMap((h) =>
      Object.entries(EOLS).flatMap(([eolName, e]) => misreadRollback(`${DROP}${e}${shape.comment(h, BODIES.valid!, e)}${e}`).map((problem) => `${JSON.stringify(h)} ${eolName}: ${problem}`)),
    );
    expect(problems).toEqual([]);
  });

  // Was a bug (src/facts/rollback-block.ts, HEADING_PREFIX): a heading with closing decoration followed by
  // SQL on the same line kept the decoration as SQL: `/*\n=== DOWN === CREATE TABLE legacy (id int);\n*/`
  // "does not parse" (syntax error at or near "==="), `* undo * CREATE …` likewise (near "*"), and
  // `-- Rollback -- CREATE …` turns the SQL into a comment: the block "contains no statement".
  it("a heading with closing decoration before SQL on its line leaves the SQL whole", () => {
    const shape = SHAPES.find((candidate) => candidate.name === "heading and body on one line")!;
    const problems = HEADINGS.flatMap((h) =>
      ["valid", "several"].flatMap((body) => misreadRollback(`${DROP}\n${shape.comment(h, BODIES[body]!, "\n")}\n`).map((problem) => `${JSON.stringify(h)} ${body}: ${problem}`)),
    );
    expect(problems).toEqual([]);
  });
});

// --- generated shapes (fast-check) -------------------------------------------------------------

/** A file as lines, rendered with any line endings: the same file to a reader whatever they are. */
interface Layout {
  bom: boolean;
  lines: string[];
  /** Ends in a comment left open: a syntax error after the DROP. */
  unterminated: boolean;
}

const word = fc
  .tuple(fc.constantFrom("rollback", "down", "revert", "undo"), fc.constantFrom("lower", "upper", "title"))
  .map(([w, style]) => (style === "upper" ? w.toUpperCase() : style === "title" ? w[0]!.toUpperCase() + w.slice(1) : w));
const decoration = fc.array(fc.constantFrom("-", "=", "#", "*", " "), { maxLength: 4 }).map((chars) => chars.join(""));
const heading = fc
  .tuple(decoration, word, fc.boolean(), decoration)
  .map(([before, w, colon, after]) => `${before}${w}${colon ? ":" : ""}${after ? ` ${after}` : ""}`);
const bodyLine = fc.constantFrom(
  "restore from backup",
  "ask the DBA on call",
  "CREATE TABLE legacy (id int);",
  "CREATE TABEL x",
  "ALTER TABLE legacy ADD COLUMN note text;",
  "INSERT INTO legacy SELECT * FROM legacy_backup;",
  "",
  "  ",
);
const body = fc.array(bodyLine, { maxLength: 3 });

/** A comment that closes, as lines. */
const closedComment: fc.Arbitrary<string[]> = fc.oneof(
  // /* [empty lines] heading, body */
  fc.tuple(fc.integer({ min: 0, max: 2 }), heading, body, fc.boolean()).map(([empty, h, b, closerAlone]) => {
    const lines = ["/*", ...Array<string>(empty).fill(""), h, ...b];
    if (closerAlone) return [...lines, "*/"];
    lines[lines.length - 1] += " */";
    return lines;
  }),
  // /* heading on the opener's line
  fc.tuple(heading, body).map(([h, b]) => [`/* ${h}`, ...b, "*/"]),
  // -- heading over a block comment, or a run of -- lines
  fc.tuple(heading, body, fc.boolean()).map(([h, b, asBlock]) => (asBlock ? [`-- ${h}`, "/*", ...b, "*/"] : [`--${h}`, ...b.map((line) => `-- ${line}`)])),
  // nested comments
  fc.tuple(heading, body).map(([h, b]) => [`/* outer /* ${h} */`, ...b, "*/"]),
  fc.tuple(heading, body).map(([h, b]) => ["/*", `/* ${h} */`, ...b, "/* inner */ */"]),
  // javadoc style
  fc.tuple(heading, body).map(([h, b]) => ["/**", ` * ${h}`, ...b.map((line) => ` * ${line}`), " */"]),
  // heading and SQL on one line
  fc.tuple(heading, bodyLine).map(([h, line]) => ["/*", `${h} ${line}`, "*/"]),
);

/** A comment left open at the end of the file. */
const openComment: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(heading, body).map(([h, b]) => [`/* ${h}`, ...b]),
  fc.tuple(heading, body).map(([h, b]) => ["/*", h, ...b]),
  fc.tuple(heading, body).map(([h, b]) => [`/* outer /* ${h} */`, ...b]),
);

const blankLines = fc.array(fc.constantFrom("", "  "), { maxLength: 2 });

const layout: fc.Arbitrary<Layout> = fc
  .record({
    bom: fc.boolean(),
    before: fc.array(fc.tuple(closedComment, blankLines), { maxLength: 2 }),
    after: fc.array(fc.tuple(blankLines, closedComment), { maxLength: 2 }),
    open: fc.option(openComment, { nil: undefined }),
  })
  .map(({ bom, before, after, open }) => ({
    bom,
    lines: [...before.flatMap(([c, blank]) => [...c, ...blank]), DROP, ...after.flatMap(([blank, c]) => [...blank, ...c]), ...(open ?? [])],
    unterminated: open !== undefined,
  }));

type Eol = "\n" | "\r\n" | "\r";
const eolList = fc.array(fc.constantFrom<Eol>("\n", "\r\n", "\r"), { minLength: 40, maxLength: 40 });

function render(file: Layout, eol: (i: number) => Eol): string {
  let text = file.bom ? "\uFEFF" : "";
  file.lines.forEach((line, i) => {
    let end = i < file.lines.length - 1 || !file.unterminated ? eol(i) : "";
    // A lone CR then an empty line ended by LF would read as one CRLF: one line fewer than written.
    if (end === "\n" && line === "" && text.endsWith("\r")) end = "\r\n";
    text += line + end;
  });
  return text;
}

const options = { rules: allRules, settings: DEFAULT_SETTINGS };
const lint = (text: string) => lintSource(text, "/m/001_x.sql", options, noFiles);

describe("rollback comments: generated shapes (fast-check)", () => {
  it("never cost an internal error, and the DROP TABLE is still reported as dangerous, unterminated comment or not", () => {
    fc.assert(
      fc.property(layout, eolList, (file, eols) => {
        const text = render(file, (i) => eols[i % eols.length]!);
        const result = lint(text);
        expect(internalErrors(result)).toEqual([]);
        const dropAt = positionAt(text, text.indexOf(DROP));
        const drops = result.findings.filter((finding) => finding.ruleId === "drop-table").map((finding) => ({ severity: finding.severity, ...finding.loc.start }));
        expect(drops).toEqual([{ severity: "dangerous", ...dropAt }]);
        if (file.unterminated) expect(result.errors.map((error) => error.message)).toEqual([expect.stringContaining("unterminated /* comment")]);
        else expect(result.errors).toEqual([]);
      }),
      { seed: 20_250_611, numRuns: 200 },
    );
  });

  it("give the same findings and errors with LF, CRLF, CR and mixed line endings", () => {
    const errorsOf = (text: string) => lint(text).errors.map((error) => ({ message: error.message, ...error.loc?.start }));
    fc.assert(
      fc.property(layout, eolList, (file, eols) => {
        const lf = render(file, () => "\n");
        const crlf = render(file, () => "\r\n");
        const mixed = render(file, (i) => eols[i % eols.length]!);
        const expected = comparable(lint(lf));
        expect(comparable(lint(crlf))).toEqual(expected);
        expect(comparable(lint(mixed))).toEqual(expected);
        expect(errorsOf(crlf)).toEqual(errorsOf(lf));
        expect(errorsOf(mixed)).toEqual(errorsOf(lf));
      }),
      { seed: 20_250_612, numRuns: 200 },
    );
  });

  it("give the same findings with and without a BOM", () => {
    fc.assert(
      fc.property(layout, (file) => {
        const without = render({ ...file, bom: false }, () => "\n");
        expect(comparable(lint(`\uFEFF${without}`))).toEqual(comparable(lint(without)));
      }),
      { seed: 20_250_613, numRuns: 200 },
    );
  });
});
