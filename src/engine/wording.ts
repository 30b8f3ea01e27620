/** Phrases that several rules' messages share, worded once. */
import type { QualifiedName } from "../parser/ast.js";
import type { Dropped } from "../facts/index.js";

/** "a", "a and b", "a, b and c". */
export function listing(labels: readonly string[]): string {
  return labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/** The sentence for objects taken again later in the file, but after a commit: the gap is visible. */
export function gapSentence(gap: readonly Dropped[], freed: string): string {
  if (gap.length === 0) return "";
  const many = gap.length > 1;
  return (
    ` ${listing(gap.map((object) => object.label))} ${many ? "are" : "is"} ${freed} later in this file, but not in the same transaction: ` +
    "queries that arrive in between still fail."
  );
}

/** `name` with a suffix, in the same schema: `app.users` → `app.users_old`. */
export function suffixed(name: QualifiedName, suffix: string): QualifiedName {
  return { ...name, name: `${name.name}${suffix}` };
}

/** A string constant as SQL writes it: `'it''s'`. */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The longest a finding's message may be: one line of a terminal, with its position and rule id beside it. */
export const MESSAGE_LIMIT = 100;
/** The longest a finding's help may be: one line, the safe alternative with the statement's real names. */
export const HELP_LIMIT = 200;

/** The length a help line aims for, so that it reads in one glance; HELP_LIMIT is the hard cap. */
export const HELP_TARGET = 160;

/** The first of the wordings, longest first, that fits in `limit` characters; else the last, the shortest (fitLine shortens it). */
export function firstFitting(limit: number, ...wordings: readonly string[]): string {
  return wordings.find((wording) => wording.length <= limit) ?? wordings[wordings.length - 1] ?? "";
}

/** A message: the first wording of at most MESSAGE_LIMIT characters. */
export function messageLine(...wordings: readonly string[]): string {
  return firstFitting(MESSAGE_LIMIT, ...wordings);
}

/** A help: the first wording of at most HELP_TARGET characters. */
export function helpLine(...wordings: readonly string[]): string {
  return firstFitting(HELP_TARGET, ...wordings);
}

/** How many lines fitLine had to shorten in this process: what the corpus test counts (a rule should write lines that fit). */
export const fitStatistics = { shortened: 0 };

/**
 * `text` on one line of at most `limit` characters. Line breaks become spaces; when it is still too
 * long, the longest words (long names, lists of names, SQL expressions) lose their middle to `…`, the
 * longest first, so that the sentence around them stays whole; only then is the end cut, between words when it can be.
 */
export function fitLine(text: string, limit: number): string {
  let line = text.replace(/\s*[\r\n]+\s*/g, " ").trim();
  if (line.length <= limit) return line;
  fitStatistics.shortened++;
  const words = line.split(" ");
  const shortest = 12;
  while (line.length > limit) {
    let longest = -1;
    for (let i = 0; i < words.length; i++) if (words[i]!.length > shortest && (longest < 0 || words[i]!.length > words[longest]!.length)) longest = i;
    if (longest < 0) break;
    const word = words[longest]!;
    const keep = Math.max(shortest - 1, word.length - (line.length - limit) - 1);
    const head = Math.ceil(keep / 2);
    words[longest] = `${wholeCharacters(word.slice(0, head))}…${wholeCharacters(word.slice(word.length - (keep - head)))}`;
    line = words.join(" ");
  }
  if (line.length <= limit) return line;
  // Cut between words when one ends near the limit, so that no number or name is left half shown ("line 13…" of "line 130").
  const head = wholeCharacters(line.slice(0, limit - 1));
  const space = head.lastIndexOf(" ");
  return `${(space >= limit - 30 ? head.slice(0, space) : head).trimEnd()}…`;
}

/** A slice without the half of a surrogate pair that cutting left at either end. */
function wholeCharacters(text: string): string {
  return text.replace(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/g, "");
}
