import { formatCompact } from "./compact.js";
import type { Formatter } from "./format.js";
import { formatGithub } from "./github.js";
import { formatGitlab } from "./gitlab.js";
import { formatJson } from "./json.js";
import { formatJunit } from "./junit.js";
import { formatMarkdown } from "./markdown.js";
import { formatSarif } from "./sarif.js";
import { formatStylish } from "./stylish.js";

/** The report formats, by the name --format takes. */
export const FORMATS = ["stylish", "json", "sarif", "github", "gitlab", "junit", "markdown", "compact"] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** Every --format, by name. */
export const FORMATTERS: Record<OutputFormat, Formatter> = {
  stylish: formatStylish,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
  gitlab: formatGitlab,
  junit: formatJunit,
  markdown: formatMarkdown,
  compact: formatCompact,
};
