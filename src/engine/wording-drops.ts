/** Phrases that the drop, delete, rename and rewrite rules' one-line messages share (issue 15). */
import { MESSAGE_LIMIT } from "./wording.js";

/** The length a help line aims for; the engine's hard cap is HELP_LIMIT. */
export const HELP_TARGET = 160;

/** Names for a one-line message: "a", "a, b", "a, b and 3 more". */
export function fewNames(labels: readonly string[], shown = 2): string {
  if (labels.length <= shown) return labels.join(", ");
  return `${labels.slice(0, shown).join(", ")} and ${labels.length - shown} more`;
}

/** The first variant that fits on a line of `limit` characters, else the last (the engine shortens it). */
export function firstFitting(limit: number, ...variants: readonly string[]): string {
  return variants.find((variant) => variant.length <= limit) ?? variants[variants.length - 1] ?? "";
}

/** A message: the first variant of at most MESSAGE_LIMIT characters, longest wording first. */
export function messageLine(...variants: readonly string[]): string {
  return firstFitting(MESSAGE_LIMIT, ...variants);
}

/** A help: the first variant of at most HELP_TARGET characters, longest wording first. */
export function helpLine(...variants: readonly string[]): string {
  return firstFitting(HELP_TARGET, ...variants);
}

/** Sentences joined into one explanation, the empty ones left out. */
export function sentences(...parts: readonly (string | false | undefined)[]): string {
  return parts
    .filter((part): part is string => typeof part === "string" && part.trim() !== "")
    .map((part) => part.trim())
    .join(" ");
}
