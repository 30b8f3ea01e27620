import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import * as pg from "libpg-query";
import { beforeAll, describe, expect, it } from "vitest";
import { isKeyword, KEYWORDS } from "../../src/parser/keywords.js";
import { lex } from "../../src/parser/lexer.js";
import type { TokenType } from "../../src/parser/types.js";
import { indexOfCodePoint } from "../../src/source/source-text.js";
import { expectSameAsScanSync, scan, type ScanToken } from "./scan-sync.js";

// libpg-query starts loading its WebAssembly when imported, but a loaded machine may not have finished by the first test.
beforeAll(() => pg.loadModule());

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpus = path.resolve(repoRoot, "../shared/corpus/sql");
const corpusFiles = fs.existsSync(corpus) ? fg.sync("**/*.sql", { cwd: corpus, absolute: true }).sort() : [];

/** Each token as [its text, its type]. */
function show(text: string): [string, TokenType][] {
  const result = lex(text);
  expect(result.error, JSON.stringify(text)).toBeUndefined();
  return result.tokens.map((token) => [text.slice(token.start, token.end), token.type]);
}

/** PostgreSQL's lexer error as parseSync reports it, its position as a string index. */
function parseError(text: string): { message: string; start: number } | undefined {
  try {
    pg.parseSync(text);
    return undefined;
  } catch (error) {
    const details = (error as { sqlDetails?: { message: string; cursorPosition?: number } }).sqlDetails;
    if (!details) throw error;
    return { message: details.message, start: indexOfCodePoint(text, details.cursorPosition ?? 0) };
  }
}

describe("keywords", () => {
  it("holds PostgreSQL 18's 494 keywords, each one a keyword to scanSync", () => {
    expect(KEYWORDS.length).toBe(494);
    const scanned = (pg.scanSync(KEYWORDS.join(" ")) as unknown as { tokens: ScanToken[] }).tokens;
    expect(scanned.length).toBe(KEYWORDS.length);
    expect(scanned.filter((token) => token.keywordName === "NO_KEYWORD")).toEqual([]);
  });

  it("answers isKeyword for upper-case words", () => {
    expect(isKeyword("SELECT")).toBe(true);
    expect(isKeyword("CONCURRENTLY")).toBe(true);
    expect(isKeyword("JSON_TABLE")).toBe(true);
    expect(isKeyword("VIRTUAL")).toBe(true);
    expect(isKeyword("select")).toBe(false);
    expect(isKeyword("USERS")).toBe(false);
  });

  it("lexes keywords case-insensitively, and only whole words", () => {
    expect(show("Select FROM wHeRe selects _select select1 select$ sélect")).toEqual([
      ["Select", "keyword"],
      ["FROM", "keyword"],
      ["wHeRe", "keyword"],
      ["selects", "identifier"],
      ["_select", "identifier"],
      ["select1", "identifier"],
      ["select$", "identifier"],
      ["sélect", "identifier"],
    ]);
  });
});

describe("lex: exact tokens", () => {
  it("nests block comments, and ends a line comment before its newline", () => {
    expect(show("/* a /* b */ c */ x -- end\ny")).toEqual([
      ["/* a /* b */ c */", "block-comment"],
      ["x", "identifier"],
      ["-- end", "line-comment"],
      ["y", "identifier"],
    ]);
    expect(show("/*/ still a comment */ /**/ /***/ /* ** / */")).toEqual([
      ["/*/ still a comment */", "block-comment"],
      ["/**/", "block-comment"],
      ["/***/", "block-comment"],
      ["/* ** / */", "block-comment"],
    ]);
    expect(show("a--b\r\nc")).toEqual([
      ["a", "identifier"],
      ["--b", "line-comment"],
      ["c", "identifier"],
    ]);
    expect(lex("a\r\n-- c\r\nb").tokens).toEqual([
      { start: 0, end: 1, type: "identifier" },
      { start: 3, end: 7, type: "line-comment" },
      { start: 9, end: 10, type: "identifier" },
    ]);
  });

  it("does not see comments inside strings", () => {
    expect(show("'a -- b' /* c */ '/* d */' \"--e\"")).toEqual([
      ["'a -- b'", "string"],
      ["/* c */", "block-comment"],
      ["'/* d */'", "string"],
      ['"--e"', "identifier"],
    ]);
  });

  it("lexes standard strings with '' doubling, and backslash as an ordinary character", () => {
    expect(show("'it''s' '' '''' 'a\\' x")).toEqual([
      ["'it''s'", "string"],
      ["''", "string"],
      ["''''", "string"],
      ["'a\\'", "string"],
      ["x", "identifier"],
    ]);
  });

  it("lexes E'' strings, where a backslash escapes the next character", () => {
    expect(show("E'it\\'s' e'a\\\\' b E'\\x41\\101\\u00e9\\U0001F600\\ud83d\\ude00' E'a''b'")).toEqual([
      ["E'it\\'s'", "string"],
      ["e'a\\\\'", "string"],
      ["b", "identifier"],
      ["E'\\x41\\101\\u00e9\\U0001F600\\ud83d\\ude00'", "string"],
      ["E'a''b'", "string"],
    ]);
  });

  it("continues a string over whitespace that holds a newline, but not over a comment", () => {
    expect(show("'a'\n'b' 'c'")).toEqual([
      ["'a'\n'b'", "string"],
      ["'c'", "string"],
    ]);
    expect(show("E'a' \t\r\n  'b\\'c'\r'd'")).toEqual([["E'a' \t\r\n  'b\\'c'\r'd'", "string"]]);
    expect(show("'a' -- note\n'b'")).toEqual([
      ["'a'", "string"],
      ["-- note", "line-comment"],
      ["'b'", "string"],
    ]);
    expect(show("$$a$$\n'b'")).toEqual([
      ["$$a$$", "string"],
      ["'b'", "string"],
    ]);
  });

  it("lexes dollar quotes with and without tags, and tells $1 from a dollar quote", () => {
    expect(show("$fn$ a $$ b $x$ ' $fn$ $1 $$x$$ $_t1$y$_t1$ $é$z$é$")).toEqual([
      ["$fn$ a $$ b $x$ ' $fn$", "string"],
      ["$1", "other"],
      ["$$x$$", "string"],
      ["$_t1$y$_t1$", "string"],
      ["$é$z$é$", "string"],
    ]);
    expect(show("$1a $12 a$1 $a $ a$$")).toEqual([
      ["$1", "other"],
      ["a", "identifier"],
      ["$12", "other"],
      ["a$1", "identifier"],
      ["$", "other"],
      ["a", "identifier"],
      ["$", "other"],
      ["a$$", "identifier"],
    ]);
    expect(show("$a$x$a$b")).toEqual([
      ["$a$x$a$", "string"],
      ["b", "identifier"],
    ]);
  });

  it("lexes quoted identifiers with \"\" doubling", () => {
    expect(show('"a""b" "select" "x y" u&"x"')).toEqual([
      ['"a""b"', "identifier"],
      ['"select"', "identifier"],
      ['"x y"', "identifier"],
      ['u&"x"', "identifier"],
    ]);
  });

  it("lexes U&'' with UESCAPE, N'', B'' and X'' as scanSync does, typed by what they are", () => {
    expect(show("U&'d!0061t' UESCAPE '!' U&\"d\\0061t\"")).toEqual([
      ["U&'d!0061t'", "string"],
      ["UESCAPE", "keyword"],
      ["'!'", "string"],
      ['U&"d\\0061t"', "identifier"],
    ]);
    expect(show("N'abc' n'x' B'0101' x'1F' ba'1' U&x")).toEqual([
      ["N", "keyword"],
      ["'abc'", "string"],
      ["n", "keyword"],
      ["'x'", "string"],
      ["B'0101'", "string"],
      ["x'1F'", "string"],
      ["ba", "identifier"],
      ["'1'", "string"],
      ["U", "identifier"],
      ["&", "other"],
      ["x", "identifier"],
    ]);
    expect(show("B'1''0'")).toEqual([
      ["B'1'", "string"],
      ["'0'", "string"],
    ]);
  });

  it("gives positions in UTF-16 code units", () => {
    const text = "'😀' x😀y /* é */ \"ñ\" 😀";
    expect(lex(text).tokens).toEqual([
      { start: 0, end: 4, type: "string" },
      { start: 5, end: 9, type: "identifier" },
      { start: 10, end: 17, type: "block-comment" },
      { start: 18, end: 21, type: "identifier" },
      { start: 22, end: 24, type: "identifier" },
    ]);
    expect(show("café ñandú 表")).toEqual([
      ["café", "identifier"],
      ["ñandú", "identifier"],
      ["表", "identifier"],
    ]);
  });

  it("lexes numbers", () => {
    expect(show("1 1.5e10 0x1F 0o17 0b101 1_000 .5 1. 1.e5 1e-3 1_000.000_1 99999999999999999999 0x_1f")).toEqual([
      ["1", "number"],
      ["1.5e10", "number"],
      ["0x1F", "number"],
      ["0o17", "number"],
      ["0b101", "number"],
      ["1_000", "number"],
      [".5", "number"],
      ["1.", "number"],
      ["1.e5", "number"],
      ["1e-3", "number"],
      ["1_000.000_1", "number"],
      ["99999999999999999999", "number"],
      ["0x_1f", "number"],
    ]);
    expect(show("1..2 1.2.3 1$ 1.5$")).toEqual([
      ["1", "number"],
      ["..", "other"],
      ["2", "number"],
      ["1.2", "number"],
      [".3", "number"],
      ["1", "number"],
      ["$", "other"],
      ["1.5", "number"],
      ["$", "other"],
    ]);
  });

  it("lexes operators by scan.l's rules", () => {
    expect(show("a <> b != c :: d ->> e @> f => g := h <= i >= j")).toEqual([
      ["a", "identifier"],
      ["<>", "other"],
      ["b", "identifier"],
      ["!=", "other"],
      ["c", "identifier"],
      ["::", "other"],
      ["d", "identifier"],
      ["->>", "other"],
      ["e", "identifier"],
      ["@>", "other"],
      ["f", "identifier"],
      ["=>", "other"],
      ["g", "identifier"],
      [":=", "other"],
      ["h", "identifier"],
      ["<=", "other"],
      ["i", "identifier"],
      [">=", "other"],
      ["j", "identifier"],
    ]);
    // Trailing + and - leave an operator unless it holds one of ~ ! @ # ^ & | ` ? %.
    expect(show("a+-b 1=-2 *- @- ~-- x")).toEqual([
      ["a", "identifier"],
      ["+", "other"],
      ["-", "other"],
      ["b", "identifier"],
      ["1", "number"],
      ["=", "punctuation"],
      ["-", "other"],
      ["2", "number"],
      ["*", "punctuation"],
      ["-", "other"],
      ["@-", "other"],
      ["~", "other"],
      ["-- x", "line-comment"],
    ]);
    // An operator stops where a comment starts.
    expect(show("a+/*c*/b */ <=>")).toEqual([
      ["a", "identifier"],
      ["+", "other"],
      ["/*c*/", "block-comment"],
      ["b", "identifier"],
      ["*/", "other"],
      ["<=>", "other"],
    ]);
  });

  it("types ( ) , ; * = as punctuation and the other single characters as other, as scanSync names them", () => {
    expect(show("( ) , ; * = . [ ] : + - / % ^ < > ~ ! ? \\ { }").map(([text, type]) => `${text}:${type}`)).toEqual([
      "(:punctuation",
      "):punctuation",
      ",:punctuation",
      ";:punctuation",
      "*:punctuation",
      "=:punctuation",
      ".:other",
      "[:other",
      "]:other",
      "::other",
      "+:other",
      "-:other",
      "/:other",
      "%:other",
      "^:other",
      "<:other",
      ">:other",
      "~:other",
      "!:other",
      "?:other",
      "\\:other",
      "{:other",
      "}:other",
    ]);
  });

  it("skips all of scan.l's whitespace, \\v and \\f included", () => {
    expect(show(" \t\n\r\f\va\v\fb")).toEqual([
      ["a", "identifier"],
      ["b", "identifier"],
    ]);
  });

  it("returns no tokens for empty and blank text", () => {
    expect(lex("")).toEqual({ tokens: [] });
    expect(lex(" \n\t ")).toEqual({ tokens: [] });
  });
});

describe("lex: errors", () => {
  const cases: [string, string, number, number][] = [
    // text, message, error start, tokens before it
    ["SELECT 'abc", `unterminated quoted string at or near "'abc"`, 7, 1],
    ["SELECT 'a''b\n", `unterminated quoted string at or near "'a''b\n"`, 7, 1],
    ["SELECT 'a'\n'b", `unterminated quoted string at or near "'a'\n'b"`, 7, 1],
    ["SELECT E'abc\\'", `unterminated quoted string at or near "E'abc\\'"`, 7, 1],
    ["SELECT U&'abc", `unterminated quoted string at or near "U&'abc"`, 7, 1],
    ["SELECT N'abc", `unterminated quoted string at or near "'abc"`, 8, 2],
    ["SELECT B'01", `unterminated bit string literal at or near "B'01"`, 7, 1],
    ["SELECT X'1F", `unterminated hexadecimal string literal at or near "X'1F"`, 7, 1],
    ['SELECT "abc', `unterminated quoted identifier at or near ""abc"`, 7, 1],
    ['SELECT U&"abc', `unterminated quoted identifier at or near "U&"abc"`, 7, 1],
    ["SELECT $fn$ abc $fn", `unterminated dollar-quoted string at or near "$fn$ abc $fn"`, 7, 1],
    ["SELECT 1; /* a /* b */ c", `unterminated /* comment at or near "/* a /* b */ c"`, 10, 3],
    ["SELECT 😀, 'é", `unterminated quoted string at or near "'é"`, 11, 3],
    ['SELECT ""', `zero-length delimited identifier at or near """"`, 7, 1],
    ["SELECT 123abc", `trailing junk after numeric literal at or near "123abc"`, 7, 1],
    ["SELECT 1_000_", `trailing junk after numeric literal at or near "1_000_"`, 7, 1],
    ["SELECT 1e5$", `trailing junk after numeric literal at or near "1e5$"`, 7, 1],
    ["SELECT 1.5e+", `trailing junk after numeric literal at or near "1.5e+"`, 7, 1],
    ["SELECT 0x", `invalid hexadecimal integer at or near "0x"`, 7, 1],
    ["SELECT 0o_", `invalid octal integer at or near "0o_"`, 7, 1],
    ["SELECT $2147483648", `parameter number too large at or near "$2147483648"`, 7, 1],
    ["SELECT E'a\\u12'", "invalid Unicode escape", 10, 1],
    ["SELECT E'\\udc00'", `invalid Unicode surrogate pair at or near "\\udc00"`, 9, 1],
    ["SELECT E'\\ud800x'", `invalid Unicode surrogate pair at or near "x"`, 15, 1],
    ["SELECT E'\\u0000'", `invalid Unicode escape value at or near "\\u0000"`, 9, 1],
    ["SELECT ~" + "~".repeat(63), `operator too long at or near "${"~".repeat(64)}"`, 7, 1],
  ];

  it.each(cases)("%j", (text, message, start, before) => {
    const result = lex(text);
    expect(result.error).toEqual({ message, start });
    expect(result.tokens.length).toBe(before);
    // The message and position are PostgreSQL's own.
    expect(parseError(text)).toEqual({ message, start });
    // The tokens before the error are scanSync's.
    const last = result.tokens[result.tokens.length - 1]!;
    const prefix = text.slice(0, text[last.end - 1] === "N" ? last.end - 1 : last.end);
    expect(result.tokens.slice(0, text[last.end - 1] === "N" ? -1 : undefined)).toEqual(scan(prefix));
  });

  it("reports an E'' string whose escapes make invalid UTF-8, at the string", () => {
    expect(lex("SELECT E'\\xc3\\x28'")).toEqual({
      tokens: [{ start: 0, end: 6, type: "keyword" }],
      error: { message: 'invalid byte sequence for encoding "UTF8": 0xc3 0x28', start: 7 },
    });
    expect(parseError("SELECT E'\\xc3\\x28'")?.message).toBe('invalid byte sequence for encoding "UTF8": 0xc3 0x28');
    expect(lex("SELECT E'\\xc3\\xa9'").error).toBeUndefined();
  });

  it("stops at a NUL character, PostgreSQL's end of input", () => {
    expect(show("SELECT 1\0 x")).toEqual([
      ["SELECT", "keyword"],
      ["1", "number"],
    ]);
  });
});

/** Snippets that exercise every scan.l rule, each compared with scanSync. */
const TRICKY = [
  "SELECT 1; SELECT 'a''b', E'c\\'d', $$e$$, $t$f$t$, \"g\"\"h\", U&'\\0061', U&\"\\0061\" UESCAPE '!';",
  "/* a /* nested */ comment */ -- line\r\n/**/SELECT/***/1--x",
  "'a'\n'b' 'c'\n\t\r\n 'd'  'e' -- f\n'g' E'h'\n'\\i' B'1'\n'0' X'a'\n'b' U&'x'\n'y' N'z'\n'w'",
  "1 1.5 .5 1. 1e5 1.5E-10 1e+3 0x1F 0XaB_cD 0o7_7 0b1_0 1_000_000 1_000.5_5 99999999999999999999 1..10 1.2.3 1$ .5$",
  "a+b a-b a*b a/b a%b a^b a<b a>b a=b a<>b a!=b a<=b a>=b a=>b a:=b a::b a..b a.b a[1] a->b a->>b a@>b a<@b a?|b a?&b a#-b a||b a|/b",
  "a+-b a-+b a*-b a/-b a=-b a<-b a>-b a@-b a!-b a~-b a%-b a^-b a&-b a|-b a`-b a?-b a#-b a--b\na-/*c*/b a+/*c*/ a*/b",
  "~~* !~~* @@ @@@ <-> <#> <=> ##- &&& |&> &<| -|- ?# ?-| ?|| ~= ~>=~ !!= +++ --- ** */ /* */",
  "$1 $12 $1a $1_ $1$ $$ $$ $a$ $a $ a$ a$b a$1 $_$$_$ $é$x$é$ $a$$b$$a$",
  "café \"ñandú\" 表 😀x x😀 'é😀' $😀$ $😀$ E'\\u00e9' U&'\\00e9' -- é\n/* 😀 */",
  "select SELECT Select sElEcT selectx _select \"select\" current_timestamp CURRENT_TIMESTAMP nulls first not between json_table",
  "( ) [ ] , ; : . * = { } \\ ` ? ! # & | ~ @ ^ % < > + - /",
  "e'a' E'b' b'c' B'd' x'e' X'f' n'g' N'h' u&'i' U&'j' u&\"k\" U&\"l\" ba'1' xa'2' na'3' ea'4' ua'5' u&x U&",
  "E'\\a\\b\\f\\n\\r\\t\\v\\\\\\'\\x\\x4\\x41\\0\\7\\77\\101\\u0041\\U00000041\\ud83d\\ude00\\8\\9\\é\\😀'",
  "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN $1 + 'x''y' || $$ $body $$;\nEND\n$body$ LANGUAGE plpgsql;",
  "DO $do$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN x int', 't'); END $do$;",
  "SELECT '{\"a\":1}'::jsonb->>'a', ARRAY[1,2][1:2], x::numeric(10,2), y::text[], z IS NOT NULL;",
  "a\u00a0b \ufeffc d\u2028e",
  "'a'\f\n'b' 'c'\v\n'd' 'e'\n\f'f'",
  "x/**/y/* */z-- \n--\n--",
  "\"\"\"\" \"a\"\"\" U&\"\"\"\"",
];

describe("lex equals scanSync", () => {
  it("on tricky snippets", () => {
    let tokens = 0;
    for (const text of TRICKY) tokens += expectSameAsScanSync(text, JSON.stringify(text));
    expect(tokens).toBeGreaterThan(350);
  });

  it("on seeded random combinations of tricky fragments", () => {
    const fragments = [
      "'", '"', "$", "$$", "$a$", "$1", "E'", "B'", "X'", "N'", "U&'", 'U&"', "\\", "\\u", "\\x", "d800", "dc00", "00e9", "ff",
      "0", "1", "_", ".", "..", "e", "+", "-", "--", "/*", "*/", "*", "/", "x", "n", "u", "&", "select", "é", "😀", " ", "\n",
      "\r\n", "\t", ":", "::", "=", "<", ">", "!", "~", "@", "#", "%", "^", "|", "`", "?", "(", ")", "[", "]", ",", ";", "{",
      "0x", "0b", "0o", "1e", "1.5", "'a'", "''", "1_0", "'\n'", "-- c\n", "/* c */", "=>", "<>",
    ];
    let seed = 20240601;
    const random = (k: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % k;
    };
    let compared = 0;
    let failed = 0;
    for (let i = 0; i < 3000; i++) {
      let text = "";
      for (let k = 1 + random(12); k > 0; k--) text += fragments[random(fragments.length)];
      const tokens = expectSameAsScanSync(text, JSON.stringify(text));
      if (scan(text) === undefined) failed++;
      else compared += tokens;
    }
    // Both outcomes are well represented (about 1,400 of the 3,000 texts are lexer errors).
    expect(compared).toBeGreaterThan(3500);
    expect(failed).toBeGreaterThan(500);
  });

  describe.skipIf(corpusFiles.length === 0)("on every file of the corpus (../shared/corpus/sql)", () => {
    it("gives the same tokens, boundaries and types", () => {
      let files = 0;
      let tokens = 0;
      let unscannable = 0;
      for (const file of corpusFiles) {
        const text = fs.readFileSync(file, "utf8");
        if (scan(text) === undefined) {
          unscannable++;
          continue;
        }
        files++;
        tokens += expectSameAsScanSync(text, path.relative(corpus, file));
      }
      expect(files + unscannable).toBe(corpusFiles.length);
      expect(files).toBeGreaterThan(1500);
      expect(tokens).toBeGreaterThan(100_000);
      console.log(`lexer equivalence: ${files} corpus files, ${tokens} tokens identical to scanSync (${unscannable} files scanSync rejects)`);
    });
  });
});
