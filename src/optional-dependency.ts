/**
 * Packages only some commands need are optional peer dependencies: a lint-only install stays light, and the
 * command that needs one loads it on first use, or says in one line which package to install.
 */
import { createRequire } from "node:module";

/** What the project lacks, with the npm command that adds it. Callers print it as it is and exit 2. */
export class MissingDependencyError extends Error {
  constructor(
    readonly packages: readonly string[],
    purpose: string,
    options?: ErrorOptions,
  ) {
    super(`${purpose} needs ${packages.join(" and ")} in the project: npm install --save-dev ${packages.join(" ")}`, options);
    this.name = "MissingDependencyError";
  }
}

/** True when `error` says that one of `packages` (not something else they import) cannot be found. */
function isMissing(error: unknown, packages: readonly string[]): boolean {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") return false;
  return typeof message === "string" && packages.some((name) => [`'${name}'`, `"${name}"`, `'${name}/`, `"${name}/`].some((quoted) => message.includes(quoted)));
}

function rethrow(error: unknown, packages: readonly string[], purpose: string): never {
  if (isMissing(error, packages)) throw new MissingDependencyError(packages, purpose, { cause: error });
  throw error;
}

/**
 * `load()`'s result; when it fails because one of `packages` (what `load` imports and what that needs
 * beside it) is not installed, a MissingDependencyError that names them all.
 */
export async function loadOptional<T>(packages: readonly string[], purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    return rethrow(error, packages, purpose);
  }
}

/** `require()` of the first of `packages` from migsafe's own folder, with the same error as loadOptional. */
export function requireOptional<T>(packages: readonly [string, ...string[]], purpose: string): T {
  try {
    return createRequire(import.meta.url)(packages[0]) as T;
  } catch (error) {
    return rethrow(error, packages, purpose);
  }
}
