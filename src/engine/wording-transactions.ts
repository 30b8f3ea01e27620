/** Phrases shared by the short messages of the transaction, reliability and design rules (issue 15). */
import { listing } from "./wording.js";

/** "a", "a and b", "a, b and 3 more": the first `shown` names, then how many others. */
export function someNames(names: readonly string[], shown = 2): string {
  if (names.length <= shown + 1) return listing(names);
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
