import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { Rule } from "../../src/engine/rule.js";
import type { ReportContext } from "../../src/formatters/format.js";
import { formatSarif, uriReference } from "../../src/formatters/sarif.js";
import { plainText, splitPage } from "../../src/rule-docs.js";
import { unparsableAndUnreadable } from "./synthetic-results.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const root = path.resolve("/repo");
const noPartners: FileAccess = { exists: () => false, read: () => undefined };

/** A rule with a bug: it throws on every SELECT, which the engine reports as an internal-error finding. */
const throwsOnSelect: Rule = { meta: { id: "throws-on-select", severity: "careful", description: "A bug.", category: "design" }, visit: { SelectStmt: () => { throw new Error("bug"); } } };

function lint(sql: string, relativePath: string, rules: readonly Rule[] = allRules): FileResult {
  return lintSource(sql, path.join(root, relativePath), { settings: DEFAULT_SETTINGS, rules }, noPartners);
}

function contextFor(rules: readonly Rule[]): ReportContext {
  return { cwd: path.join(root, "db"), repoRoot: root, colors: false, rules, version: "1.2.3" };
}

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string }[] } };
    invocations: { executionSuccessful: boolean }[];
    results: {
      ruleId: string;
      ruleIndex?: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      partialFingerprints: Record<string, string>;
    }[];
  }[];
}

function sarifOf(results: readonly FileResult[], rules: readonly Rule[] = allRules): SarifLog {
  return JSON.parse(formatSarif(results, contextFor(rules))) as SarifLog;
}

/** The documented fingerprint: rule id, repository-relative path, normalized source text, occurrence. */
function fingerprint(ruleId: string, relativePath: string, snippet: string, occurrence = 0): string {
  return createHash("sha256").update(JSON.stringify([ruleId, relativePath, snippet, occurrence])).digest("hex");
}

describe("sarif: the official schema", () => {
  const schema = JSON.parse(fs.readFileSync(new URL("../fixtures/sarif-schema-2.1.0.json", import.meta.url), "utf8")) as Record<string, unknown>;
  const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);

  it("is the OASIS SARIF 2.1.0 schema, a draft-07 schema", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.$id).toBe("https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json");
    expect(schema.title).toBe("Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
    expect(validate({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" }, level: "fatal" }] }] })).toBe(false);
  });

  it("accepts a realistic report: real findings, syntax and read errors, odd file names", () => {
    const results = [
      lint("CREATE INDEX users_email ON users (email);\nALTER TABLE users ADD COLUMN nickname text;\n", "db/migrations/001 add émail #1.sql"),
      lint("BEGIN;\nSET lock_timeout = '5s';\nDROP TABLE accounts;\nCOMMIT;\n", "db/migrations/002_drop.sql"),
      lint("SELECT 1;\nDELETE FROM t LIMIT 1;\n", "db/migrations/003_broken.sql"),
      lint("SELECT 1;\n", "db/migrations/004_select.sql"),
      { filePath: path.join(root, "db/migrations/005_gone.sql"), findings: [], errors: [{ message: "file not found" }] },
      lint("SELECT 1;\nDROP TABLE t;\n", "db/migrations/006_bug.sql", [throwsOnSelect, ...allRules]),
    ];
    const output = formatSarif(results, contextFor(allRules));
    const log = JSON.parse(output) as SarifLog;
    validate(log);
    expect(validate.errors ?? []).toEqual([]);

    const run = log.runs[0]!;
    const messageCount = results.reduce((sum, result) => sum + result.findings.length + result.errors.length, 0);
    expect(run.results).toHaveLength(messageCount);
    expect(new Set(run.results.map((result) => result.ruleId))).toEqual(
      new Set([...results.flatMap((result) => result.findings.map((finding) => finding.ruleId)), "parse-error"]),
    );
    expect(run.results.filter((result) => result.ruleId === "internal-error")).toHaveLength(1);
    expect(new Set(run.results.map((result) => result.level))).toEqual(new Set(["error", "warning"]));
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex!]!.id).toBe(result.ruleId);
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual([...allRules.map((rule) => rule.meta.id), "parse-error", "internal-error"]);
    expect(run.invocations).toEqual([{ executionSuccessful: false }]);
    expect(new Set(run.results.map((result) => result.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(
      new Set([
        "db/migrations/001%20add%20%C3%A9mail%20%231.sql",
        "db/migrations/002_drop.sql",
        "db/migrations/003_broken.sql",
        "db/migrations/004_select.sql",
        "db/migrations/005_gone.sql",
        "db/migrations/006_bug.sql",
      ]),
    );
    const fingerprints = run.results.map((result) => result.partialFingerprints["migsafe/v1"]);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });
});

describe("sarif: exact output", () => {
  const rules: Rule[] = [
    { meta: { id: "drop-table", severity: "dangerous", description: "DROP TABLE deletes a table.", category: "data-loss" } },
    { meta: { id: "prefer-text", severity: "careful", description: "Prefer text to varchar(n).", category: "design", recommended: false } },
  ];
  const text = "DROP TABLE users;\nALTER TABLE t ADD c varchar(10);\n";
  const results: FileResult[] = [
    {
      filePath: path.join(root, "db/migrations/001_a.sql"),
      text,
      errors: [],
      findings: [
        {
          ruleId: "drop-table",
          severity: "dangerous",
          message: "DROP TABLE users deletes every row.",
          help: "Rename it first.",
          range: { start: 0, end: 16 },
          loc: { start: { line: 1, column: 1 }, end: { line: 1, column: 17 } },
          docsUrl: "https://github.com/migsafe/migsafe/blob/main/docs/rules/drop-table.md",
        },
        {
          ruleId: "prefer-text",
          severity: "careful",
          message: "varchar(10) limits the length.",
          help: "Use text.",
          range: { start: 38, end: 49 },
          loc: { start: { line: 2, column: 21 }, end: { line: 2, column: 32 } },
          docsUrl: "https://github.com/migsafe/migsafe/blob/main/docs/rules/prefer-text.md",
        },
      ],
    },
    ...unparsableAndUnreadable(root),
  ];

  /** The rule's docs page, as SARIF carries it: "Why it is risky" as text, and with "Use instead" as Markdown. */
  const page = (id: string) => splitPage(fs.readFileSync(path.join(import.meta.dirname, "../../docs/rules", `${id}.md`), "utf8")).sections;
  const whyOf = (id: string) => plainText(page(id).get("Why it is risky")!);
  const sectionsOf = (id: string) => `### Why it is risky\n\n${page(id).get("Why it is risky")}\n\n### Use instead\n\n${page(id).get("Use instead")}`;

  it("lists every rule and reports each message with its level, location and fingerprint", () => {
    const docs = "https://github.com/migsafe/migsafe/blob/main/docs/rules/";
    expect(JSON.parse(formatSarif(results, contextFor(rules)))).toEqual({
      $schema: "https://json.schemastore.org/sarif-2.1.0.json",
      version: "2.1.0",
      runs: [
        {
          tool: {
            driver: {
              name: "migsafe",
              version: "1.2.3",
              informationUri: "https://github.com/migsafe/migsafe",
              rules: [
                {
                  id: "drop-table",
                  name: "DropTable",
                  shortDescription: { text: "DROP TABLE deletes a table." },
                  fullDescription: { text: whyOf("drop-table") },
                  helpUri: `${docs}drop-table.md`,
                  help: {
                    text: `DROP TABLE deletes a table.\n\n${whyOf("drop-table")}\n\nDocumentation: ${docs}drop-table.md`,
                    markdown: `DROP TABLE deletes a table.\n\n${sectionsOf("drop-table")}\n\n[Documentation](${docs}drop-table.md)`,
                  },
                  defaultConfiguration: { level: "error" },
                  properties: { category: "data-loss", preset: "recommended", tags: ["data-loss"] },
                },
                {
                  id: "prefer-text",
                  name: "PreferText",
                  shortDescription: { text: "Prefer text to varchar(n)." },
                  fullDescription: { text: whyOf("prefer-text") },
                  helpUri: `${docs}prefer-text.md`,
                  help: {
                    text: `Prefer text to varchar(n).\n\n${whyOf("prefer-text")}\n\nDocumentation: ${docs}prefer-text.md`,
                    markdown: `Prefer text to varchar(n).\n\n${sectionsOf("prefer-text")}\n\n[Documentation](${docs}prefer-text.md)`,
                  },
                  defaultConfiguration: { level: "warning" },
                  properties: { category: "design", preset: "strict", tags: ["design"] },
                },
                {
                  id: "parse-error",
                  name: "ParseError",
                  shortDescription: { text: "The file could not be read or parsed, so it was not fully checked." },
                  defaultConfiguration: { level: "error" },
                },
                {
                  id: "internal-error",
                  name: "InternalError",
                  shortDescription: { text: "migsafe met a bug while checking a statement, which was not fully checked: please report it." },
                  defaultConfiguration: { level: "error" },
                },
              ],
            },
          },
          invocations: [{ executionSuccessful: false }],
          originalUriBaseIds: { "%SRCROOT%": { uri: "file:///repo/" } },
          columnKind: "utf16CodeUnits",
          results: [
            {
              ruleId: "drop-table",
              ruleIndex: 0,
              level: "error",
              message: { text: "DROP TABLE users deletes every row.\n\nRename it first." },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: "db/migrations/001_a.sql", uriBaseId: "%SRCROOT%" },
                    region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 17 },
                  },
                },
              ],
              partialFingerprints: { "migsafe/v1": fingerprint("drop-table", "db/migrations/001_a.sql", "DROP TABLE users") },
            },
            {
              ruleId: "prefer-text",
              ruleIndex: 1,
              level: "warning",
              message: { text: "varchar(10) limits the length.\n\nUse text." },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: "db/migrations/001_a.sql", uriBaseId: "%SRCROOT%" },
                    region: { startLine: 2, startColumn: 21, endLine: 2, endColumn: 32 },
                  },
                },
              ],
              partialFingerprints: { "migsafe/v1": fingerprint("prefer-text", "db/migrations/001_a.sql", "varchar(10)") },
            },
            {
              ruleId: "parse-error",
              ruleIndex: 2,
              level: "error",
              message: { text: 'syntax error at or near "LIMIT"\n\nDELETE has no LIMIT.' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: "db/migrations/002_b.sql", uriBaseId: "%SRCROOT%" },
                    region: { startLine: 2, startColumn: 15, endLine: 2, endColumn: 20 },
                  },
                },
              ],
              partialFingerprints: { "migsafe/v1": fingerprint("parse-error", "db/migrations/002_b.sql", "LIMIT") },
            },
            {
              ruleId: "parse-error",
              ruleIndex: 2,
              level: "error",
              message: { text: "file not found" },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: "../elsewhere/gone.sql", uriBaseId: "%SRCROOT%" },
                    region: { startLine: 1 },
                  },
                },
              ],
              partialFingerprints: { "migsafe/v1": fingerprint("parse-error", "../elsewhere/gone.sql", "") },
            },
          ],
        },
      ],
    });
  });

  it("is one line of JSON ending with a newline, and a clean run is successful with no results", () => {
    const output = formatSarif([{ filePath: path.join(root, "a.sql"), findings: [], errors: [], text: "" }], contextFor([]));
    expect(output).toBe(
      '{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{' +
        '"name":"migsafe","version":"1.2.3","informationUri":"https://github.com/migsafe/migsafe","rules":[{"id":"parse-error",' +
        '"name":"ParseError","shortDescription":{"text":"The file could not be read or parsed, so it was not fully checked."},' +
        '"defaultConfiguration":{"level":"error"}},{"id":"internal-error","name":"InternalError","shortDescription":{"text":' +
        '"migsafe met a bug while checking a statement, which was not fully checked: please report it."},"defaultConfiguration":{"level":"error"}}]}},' +
        '"invocations":[{"executionSuccessful":true}],' +
        '"originalUriBaseIds":{"%SRCROOT%":{"uri":"file:///repo/"}},"columnKind":"utf16CodeUnits","results":[]}]}\n',
    );
  });

  it("escapes C1 and bidirectional controls from messages, which parse back unchanged", () => {
    const hostile = "DROP TABLE \u202eevil\u2066 \u0085\u001b[31m";
    const output = formatSarif([{ ...results[0]!, findings: [{ ...results[0]!.findings[0]!, message: hostile, help: "" }] }], contextFor(rules));
    expect(output).toContain('"text":"DROP TABLE \\u202eevil\\u2066 \\u0085\\u001b[31m"');
    expect(JSON.parse(output).runs[0].results[0].message.text).toBe(hostile);
  });
});

describe("sarif: artifact URIs", () => {
  it("percent-encodes each path segment so no name reads as a scheme, query or fragment", () => {
    expect(uriReference("db/migrations/001 add émail #1.sql")).toBe("db/migrations/001%20add%20%C3%A9mail%20%231.sql");
    expect(uriReference("c:weird/100%?.sql")).toBe("c%3Aweird/100%25%3F.sql");
    expect(uriReference("../outside/ok-name_1.sql")).toBe("../outside/ok-name_1.sql");
    expect(uriReference("迁移/\ud83d\udc18.sql")).toBe("%E8%BF%81%E7%A7%BB/%F0%9F%90%98.sql");
    expect(uriReference("lone\ud800.sql")).toBe("lone%EF%BF%BD.sql");
  });

  it("decodes back to the repository-relative path", () => {
    for (const name of ["a b/c#d?e%f.sql", "ü/ñ [x] (y) {z} 'q' \"r\" <s> |t| ^u^ `v`.sql"]) {
      expect(uriReference(name).split("/").map(decodeURIComponent).join("/")).toBe(name);
      expect(uriReference(name)).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,;=@%/]*$/);
    }
  });
});

describe("sarif: partial fingerprints", () => {
  const dropFingerprints = (sql: string, relativePath = "db/migrations/010.sql") =>
    sarifOf([lint(sql, relativePath)])
      .runs[0]!.results.filter((result) => result.ruleId === "drop-table")
      .map((result) => ({ line: result.locations[0]!.physicalLocation.region.startLine, fingerprint: result.partialFingerprints["migsafe/v1"] }));

  it("stay the same when unrelated lines are added above and below, and the whitespace inside changes", () => {
    const [before] = dropFingerprints("DROP TABLE accounts;\n");
    const [after] = dropFingerprints(
      "-- Reviewed with the DBA.\nSET lock_timeout = '5s';\n\nCREATE TABLE notes (id bigint PRIMARY KEY);\nDROP   TABLE\n    accounts;\nCREATE INDEX notes_id ON notes (id);\n",
    );
    expect(before!.line).toBe(1);
    expect(after!.line).toBe(5);
    expect(after!.fingerprint).toBe(before!.fingerprint);
  });

  it("tell identical statements in one file apart, and the same statement in two files", () => {
    const [single] = dropFingerprints("DROP TABLE accounts;\n");
    const twice = dropFingerprints("DROP TABLE accounts;\nDROP TABLE accounts;\n");
    expect(twice).toHaveLength(2);
    expect(twice[0]!.fingerprint).toBe(single!.fingerprint);
    expect(twice[1]!.fingerprint).not.toBe(single!.fingerprint);
    expect(dropFingerprints("DROP TABLE accounts;\n", "db/migrations/011.sql")[0]!.fingerprint).not.toBe(single!.fingerprint);
    expect(dropFingerprints("DROP TABLE invoices;\n")[0]!.fingerprint).not.toBe(single!.fingerprint);
  });
});
