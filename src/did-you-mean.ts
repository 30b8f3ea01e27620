import { closest, distance } from "fastest-levenshtein";

/**
 * ` (did you mean 'drop-table'?)` for a misspelt name, when one of `known` is close enough to be what was meant:
 * at most a third of the name's length apart (and at least 2 edits allowed). Empty otherwise.
 */
export function didYouMean(name: string, known: readonly string[]): string {
  if (known.length === 0 || name === "") return "";
  const candidate = closest(name, [...known]);
  return distance(name, candidate) <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean '${candidate}'?)` : "";
}
