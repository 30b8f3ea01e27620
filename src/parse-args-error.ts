/** node:util parseArgs errors as one lower-case line. */
export function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  const firstLine = message.split(/\r?\n/, 1)[0]!.replace(/\.$/, "");
  return firstLine.charAt(0).toLowerCase() + firstLine.slice(1);
}
