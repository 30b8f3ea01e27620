/**
 * Which migration function (`up`, `down`, or a hook the `migrationFunctions` setting names) runs each
 * part of a TS/JS migration: the one around it, or, inside a helper function of the file, the one that
 * calls the helper (directly or through other helpers).
 */
import type { MigrationFunctions } from "../engine/rule.js";
import { calleeText, functionName, isFunction, type Node, type Visitor } from "./tree.js";

export class MigrationFunctionFinder {
  readonly #names: readonly string[];
  /** For each helper's name, the names of the functions that call it (undefined: called outside any function). */
  readonly #callers = new Map<string, (string | undefined)[]>();
  readonly #resolved = new Map<string, string | undefined>();

  constructor(
    functions: MigrationFunctions,
    private readonly sourceText: string,
  ) {
    this.#names = [...functions.up, ...functions.down];
  }

  /** Reads one node of the file's walk: the calls of the file's own functions. */
  readonly visit: Visitor = (node, ancestors) => {
    if (node.type !== "CallExpression") return;
    const callee = calleeText(node.callee, this.sourceText).replace(/^this\./, "");
    if (!/^[\w$]+$/.test(callee) || this.#names.includes(callee)) return;
    const callers = this.#callers.get(callee) ?? [];
    callers.push(this.#innermostName(ancestors));
    this.#callers.set(callee, callers);
  };

  /** The migration function that runs the code whose ancestors these are, or undefined (top-level code, a function nothing calls). */
  of(ancestors: readonly Node[]): string | undefined {
    for (let i = ancestors.length - 1; i >= 0; i--) {
      const node = ancestors[i]!;
      if (!isFunction(node)) continue;
      const name = functionName(node, ancestors[i - 1]);
      if (name === undefined) continue;
      if (this.#names.includes(name)) return name;
      const caller = this.#caller(name, new Set());
      if (caller !== undefined) return caller;
    }
    return undefined;
  }

  /** The first migration function, in the order the runner calls them, that calls the helper. */
  #caller(helper: string, seen: Set<string>): string | undefined {
    if (this.#resolved.has(helper)) return this.#resolved.get(helper);
    if (seen.has(helper)) return undefined;
    seen.add(helper);
    const found = (this.#callers.get(helper) ?? []).map((caller) => (caller === undefined ? undefined : this.#names.includes(caller) ? caller : this.#caller(caller, seen)));
    const first = this.#names.find((name) => found.includes(name));
    this.#resolved.set(helper, first);
    return first;
  }

  #innermostName(ancestors: readonly Node[]): string | undefined {
    for (let i = ancestors.length - 1; i >= 0; i--) {
      const node = ancestors[i]!;
      if (!isFunction(node)) continue;
      const name = functionName(node, ancestors[i - 1]);
      if (name !== undefined) return name;
    }
    return undefined;
  }
}
