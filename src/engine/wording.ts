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
