import { didYouMean } from "./did-you-mean.js";

/** node:util parseArgs errors as one lower-case line; an unknown option names the closest of `options` (long names, without `--`). */
export function describeParseError(error: unknown, options: readonly string[] = []): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'${didYouMean(unknown[1]!, options.map((name) => `--${name}`))}`;
  const firstLine = message.split(/\r?\n/, 1)[0]!.replace(/\.$/, "");
  return firstLine.charAt(0).toLowerCase() + firstLine.slice(1);
}
