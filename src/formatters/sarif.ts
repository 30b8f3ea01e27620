import { pathToFileURL } from "node:url";
import type { FileResult } from "../engine/lint.js";
import { DOCS_BASE_URL, docsUrl, INTERNAL_ERROR, type Rule } from "../engine/rule.js";
import { plainText, ruleDocsPage } from "../rule-docs.js";
import { escapeJsonControl } from "./escape.js";
import { FATAL_ERROR_RULE_ID, messageFingerprints, repoRelativePath, reportedRuleId } from "./fingerprint.js";
import type { ReportContext } from "./format.js";
import { messagesOf, type Message } from "./messages.js";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** The repository the docs live in: the base of every rule's docs URL. */
export const PROJECT_URL = DOCS_BASE_URL.slice(0, DOCS_BASE_URL.indexOf("/blob/"));

/** Where artifact URIs are relative to: the repository root, as GitHub code scanning expects. */
const SOURCE_ROOT = "%SRCROOT%";

/** The fingerprint's name in `partialFingerprints`; bump the version if what is hashed changes. */
const FINGERPRINT_NAME = "migsafe/v1";

type Level = "error" | "warning";

interface ReportingDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  helpUri?: string;
  help?: { text: string; markdown: string };
  defaultConfiguration: { level: Level };
  properties?: { category: string; preset: "recommended" | "strict"; tags: string[] };
}

interface Region {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: Level;
  message: { text: string };
  properties?: { explanation?: string; evidence?: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Region } }[];
  partialFingerprints: Record<string, string>;
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one run whose driver lists every rule,
 * one result per finding or fatal error. A file that could not be read or
 * parsed is a result of the pseudo rule `parse-error` (code scanning shows
 * results, not tool notifications), and makes the invocation unsuccessful.
 */
export function formatSarif(results: readonly FileResult[], context: ReportContext): string {
  const rules = [...context.rules.map(ruleDescriptor), FATAL_ERROR_DESCRIPTOR, INTERNAL_ERROR_DESCRIPTOR];
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const sarifResults = results.flatMap((result) => fileResults(result, context.repoRoot, ruleIndex));
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "migsafe", version: context.version, informationUri: PROJECT_URL, rules } },
        invocations: [{ executionSuccessful: results.every((result) => result.errors.length === 0) }],
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: directoryUri(context.repoRoot) } },
        columnKind: "utf16CodeUnits",
        results: sarifResults,
      },
    ],
  };
  // One line, as the json format: escapeJsonControl must not meet the line breaks of indented JSON.
  return `${escapeJsonControl(JSON.stringify(log))}\n`;
}

function ruleDescriptor(rule: Rule): ReportingDescriptor {
  const { id, description, category } = rule.meta;
  const url = rule.meta.docsUrl ?? docsUrl(id);
  const page = ruleDocsPage(id);
  const why = page?.sections.get("Why it is risky");
  const instead = page?.sections.get("Use instead");
  const markdown = [description, why && `### Why it is risky\n\n${why}`, instead && `### Use instead\n\n${instead}`, `[Documentation](${url})`];
  return {
    id,
    name: pascalCase(id),
    shortDescription: { text: description },
    ...(why ? { fullDescription: { text: plainText(why) } } : {}),
    helpUri: url,
    // Code scanning shows `help` on the alert page, and not helpUri: this is how its readers reach the docs.
    help: { text: `${description}${why ? `\n\n${plainText(why)}` : ""}\n\nDocumentation: ${url}`, markdown: markdown.filter(Boolean).join("\n\n") },
    defaultConfiguration: { level: levelOf(rule.meta.severity) },
    properties: { category, preset: rule.meta.recommended === false ? "strict" : "recommended", tags: [category] },
  };
}

const FATAL_ERROR_DESCRIPTOR: ReportingDescriptor = {
  id: FATAL_ERROR_RULE_ID,
  name: "ParseError",
  shortDescription: { text: "The file could not be read or parsed, so it was not fully checked." },
  defaultConfiguration: { level: "error" },
};

const INTERNAL_ERROR_DESCRIPTOR: ReportingDescriptor = {
  id: INTERNAL_ERROR,
  name: "InternalError",
  shortDescription: { text: "migsafe met a bug while checking a statement, which was not fully checked: please report it." },
  defaultConfiguration: { level: "error" },
};

function fileResults(result: FileResult, repoRoot: string, ruleIndex: ReadonlyMap<string, number>): SarifResult[] {
  const relativePath = repoRelativePath(result.filePath, repoRoot);
  const uri = uriReference(relativePath);
  const messages = messagesOf(result);
  const fingerprints = messageFingerprints(result, messages, relativePath);
  return messages.map((message, i) => {
    const ruleId = reportedRuleId(message);
    const index = ruleIndex.get(ruleId);
    return {
      ruleId,
      ...(index === undefined ? {} : { ruleIndex: index }),
      level: message.kind === "careful" ? "warning" : "error",
      message: { text: messageText(message) },
      ...(message.explanation || message.evidence
        ? { properties: { ...(message.explanation ? { explanation: message.explanation } : {}), ...(message.evidence ? { evidence: message.evidence } : {}) } }
        : {}),
      locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: SOURCE_ROOT }, region: regionOf(message) } }],
      partialFingerprints: { [FINGERPRINT_NAME]: fingerprints[i]! },
    };
  });
}

/**
 * The message, then the safe alternative (or the syntax hint): code scanning
 * shows the result's message and the rule's help, and the advice is per finding.
 */
function messageText(message: Message): string {
  const advice = message.help ?? message.hint;
  return advice ? `${message.message}\n\n${advice}` : message.message;
}

/** Code scanning requires a start line: an error without a position (an unreadable file) is placed at line 1. */
function regionOf(message: Message): Region {
  if (message.line === undefined) return { startLine: 1 };
  return { startLine: message.line, startColumn: message.column, endLine: message.endLine, endColumn: message.endColumn };
}

function levelOf(severity: Rule["meta"]["severity"]): Level {
  return severity === "dangerous" ? "error" : "warning";
}

/**
 * A relative URI reference for a forward-slash path: each segment
 * percent-encoded (spaces, `#`, `?`, `%`, `:`, non-ASCII as UTF-8), so no name
 * can read as a scheme, query or fragment. Lone surrogates, which have no UTF-8
 * form, become U+FFFD.
 */
export function uriReference(relativePath: string): string {
  return relativePath
    .replace(LONE_SURROGATE, "\uFFFD")
    .split("/")
    .map((segment) => (segment === ".." || segment === "." ? segment : encodeURIComponent(segment)))
    .join("/");
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function directoryUri(directory: string): string {
  const href = pathToFileURL(directory).href;
  return href.endsWith("/") ? href : `${href}/`;
}

function pascalCase(id: string): string {
  return id
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}
