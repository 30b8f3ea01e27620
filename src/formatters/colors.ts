/**
 * Colours when stdout is a terminal, unless NO_COLOR is set (https://no-color.org);
 * FORCE_COLOR forces them on (or off with 0/false), as in Node. `forced` (--color,
 * --no-color) overrides all three.
 */
export function useColors(env: Readonly<Record<string, string | undefined>>, isTTY: boolean, forced?: boolean): boolean {
  if (forced !== undefined) return forced;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return isTTY && env.TERM !== "dumb";
}
