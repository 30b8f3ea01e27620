/** Phrases shared by the short messages of the transaction, reliability and design rules (issue 15). */
import { MESSAGE_LIMIT } from "./wording.js";

/** "a", "a and b", "a, b and 3 more": the first `shown` names, then how many others. */
export function someNames(names: readonly string[], shown = 2): string {
  if (names.length <= shown + 1) return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}

/** `text` on one line, at most `limit` characters, cut with "…" at the end. */
export function clip(text: string, limit: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > limit ? `${line.slice(0, limit - 1).trimEnd()}…` : line;
}

/** How to turn a runner's transaction off, for the runners migsafe knows: for explanations. */
export const NO_TRANSACTION_SWITCHES =
  "goose: -- +goose NO TRANSACTION; dbmate: -- migrate:up transaction:false; sql-migrate: -- +migrate Up notransaction; " +
  "Rails: disable_ddl_transaction!; node-pg-migrate: pgm.noTransaction()";

/** The first of the wordings that fits in a message (100 characters), or the last. */
export function firstFitting(...candidates: string[]): string {
  return candidates.find((candidate) => candidate.length <= MESSAGE_LIMIT) ?? candidates[candidates.length - 1]!;
}

/** The first of the wordings that fits in a help (aiming at 160 characters), or the last. */
export function firstFittingHelp(...candidates: string[]): string {
  return candidates.find((candidate) => candidate.length <= 160) ?? candidates[candidates.length - 1]!;
}
