/** Phrases that the drop, delete, rename and rewrite rules' one-line messages share (issue 15). */

/** Names for a one-line message: "a", "a, b", "a, b and 3 more". */
export function fewNames(labels: readonly string[], shown = 2): string {
  if (labels.length <= shown) return labels.join(", ");
  return `${labels.slice(0, shown).join(", ")} and ${labels.length - shown} more`;
}

/** Sentences joined into one explanation, the empty ones left out. */
export function sentences(...parts: readonly (string | false | undefined)[]): string {
  return parts
    .filter((part): part is string => typeof part === "string" && part.trim() !== "")
    .map((part) => part.trim())
    .join(" ");
}
