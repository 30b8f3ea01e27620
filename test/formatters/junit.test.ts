import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { ReportContext } from "../../src/formatters/format.js";
import { formatJunit, xmlAttribute, xmlText } from "../../src/formatters/junit.js";
import { SYNTHETIC_CWD, SYNTHETIC_RESULTS, syntheticFinding } from "./synthetic-results.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const cwd = SYNTHETIC_CWD;
const results = SYNTHETIC_RESULTS;
const context: ReportContext = { cwd, repoRoot: cwd, colors: false, rules: [], version: "1.2.3" };

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A strict well-formedness check for the XML subset the formatter writes (a
 * declaration, elements, attributes, text, the five entities and character
 * references); anything else, or any character XML 1.0 forbids, throws.
 */
function parseXml(xml: string): XmlElement {
  const forbidden = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(xml);
  if (forbidden) throw new Error(`forbidden character U+${forbidden[0].charCodeAt(0).toString(16)} at ${forbidden.index}`);
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (!xml.startsWith(declaration)) throw new Error("missing XML declaration");
  const decode = (raw: string) => {
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`bad entity in ${JSON.stringify(raw)}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) =>
      ref.startsWith("#x") ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith("#") ? String.fromCodePoint(Number(ref.slice(1))) : named[ref]!,
    );
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let position = declaration.length;
  while (position < xml.length) {
    const rest = xml.slice(position);
    const close = /^<\/([A-Za-z_][\w.-]*)>/.exec(rest);
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/.exec(rest);
    const text = /^[^<]+/.exec(rest);
    if (close) {
      const element = stack.pop();
      if (element?.name !== close[1]) throw new Error(`</${close[1]}> closes <${element?.name}>`);
      position += close[0].length;
    } else if (open) {
      const attributes: Record<string, string> = {};
      for (const [, name, value] of open[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
        if (name! in attributes) throw new Error(`duplicate attribute ${name}`);
        attributes[name!] = decode(value!);
      }
      const element: XmlElement = { name: open[1]!, attributes, children: [], text: "" };
      if (stack.length > 0) stack.at(-1)!.children.push(element);
      else if (root) throw new Error("second root element");
      else root = element;
      if (!open[3]) stack.push(element);
      position += open[0].length;
    } else if (text) {
      if (text[0].includes("]]>")) throw new Error("]]> in text");
      if (stack.length > 0) stack.at(-1)!.text += decode(text[0]);
      else if (text[0].trim() !== "") throw new Error("text outside the root element");
      position += text[0].length;
    } else {
      throw new Error(`unexpected markup at ${position}: ${rest.slice(0, 20)}`);
    }
  }
  if (!root || stack.length > 0) throw new Error("unclosed element");
  return root;
}

describe("the well-formedness check used below", () => {
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

  it("accepts what XML allows and decodes it", () => {
    expect(parseXml(`${declaration}<a x="&lt;&#65;&#x42;"><b/>t&amp;u</a>\n`)).toEqual({
      name: "a",
      attributes: { x: "<AB" },
      children: [{ name: "b", attributes: {}, children: [], text: "" }],
      text: "t&u",
    });
  });

  it.each([
    ["a raw ampersand", "<a>&</a>"],
    ["an unknown entity", "<a>&nbsp;</a>"],
    ["a raw < in an attribute", '<a x="<"/>'],
    ["a raw quote in an attribute", '<a x="""/>'],
    ["a duplicate attribute", '<a x="1" x="2"/>'],
    ["crossed tags", "<a><b></a></b>"],
    ["an unclosed tag", "<a>"],
    ["two roots", "<a/><b/>"],
    ["]]> in text", "<a>]]></a>"],
    ["a NUL", "<a>\u0000</a>"],
    ["U+FFFE", "<a>\ufffe</a>"],
    ["a lone surrogate", "<a>\ud800</a>"],
  ])("rejects %s", (_, xml) => {
    expect(() => parseXml(`${declaration}${xml}`)).toThrow();
  });
});

describe("junit", () => {
  it("writes one test case per file, an error per fatal error and a failure per finding, dangerous first", () => {
    expect(formatJunit(results, context)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="migsafe" tests="4" failures="1" errors="2">',
        '  <testsuite name="migsafe" tests="4" failures="1" errors="2" skipped="0">',
        '    <testcase name="migrations/001_clean.sql" classname="migsafe" file="migrations/001_clean.sql"/>',
        '    <testcase name="migrations/002_mixed.sql" classname="migsafe" file="migrations/002_mixed.sql">',
        '      <failure message="DROP TABLE users deletes every row." type="drop-table">migrations/002_mixed.sql:12:1: dangerous drop-table',
        "DROP TABLE users deletes every row.",
        "help: How to avoid drop-table.",
        "docs: https://example.test/drop-table.md</failure>",
        '      <failure message="SET NOT NULL scans the whole table." type="adding-not-null">migrations/002_mixed.sql:3:5: careful adding-not-null',
        "SET NOT NULL scans the whole table.",
        "help: How to avoid adding-not-null.",
        "docs: https://example.test/adding-not-null.md</failure>",
        "    </testcase>",
        '    <testcase name="migrations/003_broken.sql" classname="migsafe" file="migrations/003_broken.sql">',
        '      <error message="syntax error at or near &quot;LIMIT&quot;" type="parse-error">migrations/003_broken.sql:2:23: error parse-error',
        "syntax error at or near &quot;LIMIT&quot;",
        "hint: PostgreSQL&apos;s DELETE has no LIMIT.</error>",
        '      <failure message="DROP TABLE a deletes every row." type="drop-table">migrations/003_broken.sql:1:1: dangerous drop-table',
        "DROP TABLE a deletes every row.",
        "help: How to avoid drop-table.",
        "docs: https://example.test/drop-table.md</failure>",
        "    </testcase>",
        '    <testcase name="../elsewhere/missing.sql" classname="migsafe" file="../elsewhere/missing.sql">',
        '      <error message="file not found" type="parse-error">../elsewhere/missing.sql: error parse-error',
        "file not found</error>",
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
  });

  it("is well-formed, with the counts per test case", () => {
    const suites = parseXml(formatJunit(results, context));
    expect(suites.attributes).toEqual({ name: "migsafe", tests: "4", failures: "1", errors: "2" });
    const cases = suites.children[0]!.children;
    expect(cases.map((testCase) => [testCase.attributes.name, testCase.children.map((child) => `${child.name} ${child.attributes.type}`)])).toEqual([
      ["migrations/001_clean.sql", []],
      ["migrations/002_mixed.sql", ["failure drop-table", "failure adding-not-null"]],
      ["migrations/003_broken.sql", ["error parse-error", "failure drop-table"]],
      ["../elsewhere/missing.sql", ["error parse-error"]],
    ]);
    expect(cases[2]!.children[0]!.attributes.message).toBe('syntax error at or near "LIMIT"');
    expect(parseXml(formatJunit([], context)).children[0]!.attributes).toEqual({ name: "migsafe", tests: "0", failures: "0", errors: "0", skipped: "0" });
  });

  it("escapes markup and makes control, bidi and XML-forbidden characters visible", () => {
    const hostileName = "a&b<c>\"d\"'e'\n\u0000\ufffe\ud800.sql";
    const hostileMessage = 'DROP TABLE "x]]></failure><failure type="injected">\r\n\u001b[31m\u202eevil\u0085\u000b\uffff\udc00';
    const hostile: FileResult = { filePath: path.join(cwd, hostileName), findings: [syntheticFinding("drop-table", "dangerous", 1, 2, hostileMessage)], errors: [] };
    const output = formatJunit([hostile], context);
    const name = "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;\\x0a\\x00\\ufffe\\ud800.sql";
    const message =
      "DROP TABLE &quot;x]]&gt;&lt;/failure&gt;&lt;failure type=&quot;injected&quot;&gt; \\x1b[31m\\u202eevil\\x85\\x0b\\uffff\\udc00";
    const body =
      `${name}:1:2: dangerous drop-table\n` +
      "DROP TABLE &quot;x]]&gt;&lt;/failure&gt;&lt;failure type=&quot;injected&quot;&gt;\n\\x1b[31m\\u202eevil\\x85\\x0b\\uffff\\udc00\n" +
      "help: How to avoid drop-table.\ndocs: https://example.test/drop-table.md";
    expect(output).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="migsafe" tests="1" failures="1" errors="0">',
        '  <testsuite name="migsafe" tests="1" failures="1" errors="0" skipped="0">',
        `    <testcase name="${name}" classname="migsafe" file="${name}">`,
        `      <failure message="${message}" type="drop-table">${body}</failure>`,
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
    const failure = parseXml(output).children[0]!.children[0]!.children[0]!;
    expect(failure.attributes).toEqual({
      message: 'DROP TABLE "x]]></failure><failure type="injected"> \\x1b[31m\\u202eevil\\x85\\x0b\\uffff\\udc00',
      type: "drop-table",
    });
    expect(failure.children).toEqual([]);
  });

  it("escapes text and attribute values the same way, keeping line breaks only in text", () => {
    expect(xmlText("a\r\nb\rc\nd\te")).toBe("a\nb\nc\nd\te");
    expect(xmlAttribute("a\r\nb\rc\nd\te")).toBe("a b c d\te");
    expect(xmlText("<&>\"'")).toBe("&lt;&amp;&gt;&quot;&apos;");
    expect(xmlText("émigré 🐘")).toBe("émigré 🐘");
  });

  it("reports a real lint run as well-formed XML", () => {
    const files: FileAccess = { exists: () => false, read: () => undefined };
    const real = [
      lintSource("DROP TABLE accounts;\nCREATE INDEX users_email ON users (email);\n", path.join(cwd, "db/001 <drop> & index.sql"), { settings: DEFAULT_SETTINGS, rules: allRules }, files),
      lintSource("SELECT 1;\nDELETE FROM t LIMIT 1;\n", path.join(cwd, "db/002_broken.sql"), { settings: DEFAULT_SETTINGS, rules: allRules }, files),
    ];
    const suites = parseXml(formatJunit(real, context));
    const cases = suites.children[0]!.children;
    expect(cases.map((testCase) => testCase.attributes.name)).toEqual(["db/001 <drop> & index.sql", "db/002_broken.sql"]);
    expect(cases[0]!.children.map((child) => child.attributes.type)).toEqual([
      "drop-table",
      ...real[0]!.findings.filter((found) => found.severity === "careful").map((found) => found.ruleId),
    ]);
    expect(cases[1]!.children[0]!.name).toBe("error");
    expect(suites.attributes).toEqual({ name: "migsafe", tests: "2", failures: "1", errors: "1" });
  });
});
