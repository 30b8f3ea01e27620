/**
 * Knock-on failures: a migration that fails because an earlier one failed, or because verify did not run one of its
 * statements, is listed under that cause instead of being a finding of its own. The error must say something does
 * not exist, and name what the cause's SQL mentions.
 */
import path from "node:path";
import type { Finding } from "../engine/rule.js";
import type { DatabaseError } from "./database.js";

/** A migration that failed, or a statement verify did not run, or a migration it could not run, and the later failures that follow from it. */
export interface Unmade {
  /** The migration it is in: a failure of the same migration is reported as it is (it says what before it did not run). */
  file: string;
  /** Its finding (verify-error, verify-refused): the knock-ons are listed in its explanation. */
  finding?: Finding;
  /** A TS/JS migration verify could not run (no finding: it is not reported): its knock-ons are said on stderr, under this name. */
  label?: string;
  /** The names its SQL mentions, lower-cased. */
  words: Set<string>;
  knockOns: string[];
}

/** SQLSTATEs of "it does not exist": undefined table, column, object, function; invalid schema name. */
const MISSING_OBJECT = new Set(["42P01", "42703", "42704", "42883", "3F000"]);

/** The first name a "does not exist" error names: `relation "x"`, `column u.avatar`, `function f(bigint)`. */
function missingName(message: string): string | undefined {
  const name = /"((?:[^"]|"")+)"/.exec(message)?.[1] ?? /^(?:column|function|type|schema)\s+([\p{L}_][\p{L}\p{N}_$.]*)/u.exec(message)?.[1];
  return name?.slice(name.lastIndexOf(".") + 1).toLowerCase();
}

export function wordsOfSql(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}_][\p{L}\p{N}_$]*/gu) ?? []);
}

/** The unmade entry an error follows from: the latest one whose SQL names what the error says is missing. */
export function knockOnOf(error: DatabaseError, unmade: readonly Unmade[], file: string): Unmade | undefined {
  if (!error.code || !MISSING_OBJECT.has(error.code)) return undefined;
  const name = missingName(error.message);
  if (name === undefined) return undefined;
  for (let i = unmade.length - 1; i >= 0; i--) if (unmade[i]!.file !== file && unmade[i]!.words.has(name)) return unmade[i];
  return undefined;
}

/**
 * Writes each cause's knock-ons into its finding's explanation, or, for a migration verify could not run, into a
 * warning; returns how many failures were knock-ons.
 */
export function noteKnockOns(unmade: readonly Unmade[], warnings: string[] = []): number {
  let count = 0;
  for (const { finding, label, knockOns } of unmade) {
    if (knockOns.length === 0) continue;
    count += knockOns.length;
    const shown = knockOns.slice(0, MAX_KNOCK_ONS_SHOWN).join("; ");
    const more = knockOns.length > MAX_KNOCK_ONS_SHOWN ? `; and ${knockOns.length - MAX_KNOCK_ONS_SHOWN} more` : "";
    const later = knockOns.length === 1 ? "a later migration" : `${knockOns.length} later migrations`;
    if (finding) finding.explanation = `${finding.explanation ?? finding.message} ${later[0]!.toUpperCase()}${later.slice(1)} then failed on what this did not make, reported here instead of as findings of their own: ${shown}${more}.`;
    else warnings.push(`${label ?? ""} was not run (verify runs a TS/JS migration only when migsafe writes out all of its SQL): ${later} then failed on what it makes, not reported as findings of their own: ${shown}${more}`);
  }
  return count;
}

const MAX_KNOCK_ONS_SHOWN = 10;

/** How a migration is named in messages: by its folder when the runner names every file alike (`20240101_x/migration.sql`). */
export function migrationLabel(filePath: string): string {
  const base = path.basename(filePath);
  return /^(up|down|migration)\.sql$/i.test(base) ? `${path.basename(path.dirname(filePath))}/${base}` : base;
}
