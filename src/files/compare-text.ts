/** Code-unit order of two strings, as JavaScript's default sort: the same on every machine and locale (paths, names). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
