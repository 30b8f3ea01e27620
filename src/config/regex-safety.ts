import type { checkSync as recheckSync, Diagnostics } from "recheck";
import { MissingDependencyError, requireOptional } from "../optional-dependency.js";

type CheckSync = typeof recheckSync;

/**
 * recheck (https://github.com/makenowjust-labs/recheck) decides, from the regular expression's
 * automaton, whether searching text with it can backtrack for super-linear time. Measured on
 * known ReDoS patterns, it was right on every one, where safe-regex2 (a star-height heuristic)
 * missed `(a|aa)+$`, `(a|a)*$`, `(\w|\d)+$` and every polynomial case (docs/security.md). It is
 * ≈5 MB of JavaScript and pulls ≈50 MB of optional native back ends, so it is an optional peer
 * dependency, loaded only for a configuration that holds a regular expression.
 */
let checkSync: CheckSync | undefined;

/** recheck gives up after this long; a pattern it cannot judge is refused. */
const CHECK_TIMEOUT_MS = 10_000;

const verdicts = new Map<string, string | undefined>();

/**
 * Why searching text with `pattern` (flags `u`) could take super-linear time, or undefined
 * when recheck finds it linear. Remembered per pattern for the run.
 */
export function backtrackingProblem(pattern: string): string | undefined {
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  try {
    checkSync ??= requireOptional<{ checkSync: CheckSync }>(["recheck"], "a regular expression in the configuration (to prove it cannot hang the run)").checkSync;
  } catch (error) {
    // Not remembered: the next configuration may be read after the package is installed.
    if (error instanceof MissingDependencyError) return error.message;
    throw error;
  }
  const problem = describe(checkSync(pattern, "u", { timeout: CHECK_TIMEOUT_MS }));
  verdicts.set(pattern, problem);
  return problem;
}

function describe(result: Diagnostics): string | undefined {
  if (result.status === "safe") return undefined;
  if (result.status === "unknown") return `migsafe cannot show that the regular expression runs in linear time (${result.error.kind}): write it more simply`;
  const growth = result.complexity.type === "exponential" ? "exponential" : `polynomial (degree ${result.complexity.degree})`;
  return (
    `the regular expression can backtrack for ${growth} time (on text such as ${result.attack.pattern}), which would hang the run: ` +
    `rewrite it so that no two parts can match the same characters (e.g. \\{\\{[^{}]*\\}\\} rather than \\{\\{.*?\\}\\})`
  );
}
