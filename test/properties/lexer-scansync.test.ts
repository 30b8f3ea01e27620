import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import fg from "fast-glob";
import * as pg from "libpg-query";
import { beforeAll, describe, expect, it } from "vitest";
import { lex } from "../../src/parser/lexer.js";
import { splitStatements } from "../../src/parser/split.js";
import { tokenize } from "../../src/parser/tokens.js";
import { SourceText } from "../../src/source/source-text.js";
import { expectSameAsScanSync, scan } from "../parser/scan-sync.js";

// migsafe's lexer against PostgreSQL's own scanner (libpg-query's scanSync), token for token: on generated text
// made of everything that changes how SQL is cut into tokens, and on every SQL file of the corpus.

beforeAll(() => pg.loadModule());

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpus = path.resolve(repoRoot, "../shared/corpus");
const corpusFiles = fs.existsSync(corpus) ? fg.sync(["sql/**/*.sql", "projects/**/*.sql"], { cwd: corpus, absolute: true, ignore: ["**/node_modules/**"] }).sort() : [];

const tag = fc.constantFrom("", "a", "_t1", "fn", "é", "A$");
const hex = fc.stringMatching(/^[0-9a-fA-F]{0,9}$/);
const word = fc.constantFrom("select", "SELECT", "drop", "table", "x", "u", "e", "n", "b", "begin", "atomic", "end", "case", "uescape", "é", "😀");

/** Pieces of SQL text, each one of the things that decide where tokens start and end. */
const piece = fc.oneof(
  fc.constantFrom("'", '"', "''", "'a'", "\\", "\\\\", "\\'", "$", "$$", "$1", "--", "-- c\n", "/*", "*/", "/* c */", ";", "(", ")", " ", "\n", "\r\n", "\t", "\f", "\v"),
  fc.constantFrom("E'", "e'", "U&'", "u&\"", "B'", "X'", "N'", "'\n'", "::", ":=", "=>", "<>", "!=", "..", ".", "0x", "1e", "1.5", "1_0", "@-", "+-"),
  // psql meta-commands: to PostgreSQL's scanner, a backslash and what follows it
  fc.constantFrom("\\connect db\n", "\\set x 'y'\n", "\\i file.sql\n", "\\gexec\n", "\\echo it's\n", "\\;", "\\\\ x"),
  word,
  fc.tuple(tag, fc.string({ maxLength: 6 })).map(([t, body]) => `$${t}$${body}$${t}$`),
  fc.tuple(fc.constantFrom("\\u", "\\U", "\\x", "\\", "\\0"), hex).map(([escape, digits]) => `E'${escape}${digits}'`),
  fc.tuple(fc.constantFrom("\\", "\\+", "!"), hex).map(([escape, digits]) => `U&'${escape}${digits}'`),
  fc.string({ unit: fc.constantFrom("/*", "*/", "*", "/", "x", " ") , maxLength: 8 }).map((inner) => `/*${inner}*/`),
  fc.string({ maxLength: 4 }),
);

const sqlText = fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join(""));

describe("lex agrees with PostgreSQL's scanner (scanSync)", () => {
  it("on generated text: the same tokens, boundaries and kinds, or a lexer error for both", () => {
    fc.assert(
      fc.property(sqlText, (text) => {
        expectSameAsScanSync(text, JSON.stringify(text));
      }),
      { numRuns: 4000, seed: 14 },
    );
  });

  it("on generated text read with standard_conforming_strings off: as scanSync reads the text with E before each '...' string", () => {
    // With the setting off, scan.l reads '...' as E'...': prefixing each plain string with E (one character) must give
    // scanSync's tokens, shifted by the E's before them.
    fc.assert(
      fc.property(sqlText, (text) => {
        const off = lex(text, { standardConformingStrings: false });
        const inserted: number[] = [];
        for (const token of off.tokens) if (token.type === "string" && text[token.start] === "'") inserted.push(token.start);
        // An E right after a letter (N'...', or a string after an identifier) would join it: such texts say nothing here.
        if (inserted.some((at) => at > 0 && /[\w$\u0080-\uffff]/.test(text[at - 1]!))) return;
        const prefixed = inserted.reduceRight((out, at) => `${out.slice(0, at)}E${out.slice(at)}`, text);
        const expected = scan(prefixed);
        if (expected === undefined || off.error) return;
        // The k-th E stands at inserted[k] + k in the prefixed text: a place there maps back by the count of E's before it.
        const back = (at: number) => at - inserted.filter((start, k) => start + k < at).length;
        const shifted = expected.map((token) => ({ start: back(token.start), end: back(token.end), type: token.type }));
        expect(off.tokens.map((token) => [token.start, token.end, token.type])).toEqual(shifted.map((token) => [token.start, token.end, token.type]));
      }),
      { numRuns: 2000, seed: 15 },
    );
  });
});

describe.skipIf(corpusFiles.length === 0)("on every SQL file of the corpus (../shared/corpus)", () => {
  it("gives scanSync's tokens, and cuts statements where PostgreSQL's parser does", () => {
    let files = 0;
    let statements = 0;
    for (const file of corpusFiles) {
      const raw = fs.readFileSync(file, "utf8");
      const label = path.relative(corpus, file);
      expectSameAsScanSync(raw, label);
      const source = new SourceText(raw);
      let parsed: { stmts?: { stmt_location?: number }[] };
      try {
        parsed = pg.parseSync(source.text) as typeof parsed;
      } catch {
        continue;
      }
      const { tokens } = tokenize(source.text);
      const ours = splitStatements(tokens).map((chunk) => tokens[chunk.first]!.start);
      const theirs = (parsed.stmts ?? []).map((stmt) => source.charIndex(stmt.stmt_location ?? 0));
      // PostgreSQL's statement starts include the whitespace and comments before the statement: compare first code tokens.
      const firstCode = (at: number) => tokens.find((token) => token.start >= at && token.type !== "line-comment" && token.type !== "block-comment")?.start;
      expect(ours, label).toEqual(theirs.map(firstCode).filter((at) => at !== undefined));
      files++;
      statements += ours.length;
    }
    expect(files).toBeGreaterThan(1000);
    console.log(`lexer and splitter: ${corpusFiles.length} corpus files, ${files} parsed, ${statements} statement boundaries as PostgreSQL's`);
  });
});
