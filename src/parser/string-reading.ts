/**
 * How PostgreSQL reads '...' strings at each statement of a file: standard_conforming_strings on (a backslash
 * is an ordinary character) or off (a backslash escapes the next character, as in E'...'). The setting is
 * the database's (the `standardConformingStrings` setting of migsafe) until the file changes it with
 * `SET [SESSION | LOCAL] standard_conforming_strings …`, `RESET`, `SET … TO DEFAULT`, `RESET ALL`,
 * `DISCARD ALL` or `SELECT set_config('standard_conforming_strings', 'off', is_local)`. A change takes effect
 * at the next statement. `SET LOCAL` lasts until the transaction ends (COMMIT, ROLLBACK, or the end of the
 * file when no COMMIT follows: the runner may wrap the file in a transaction); a ROLLBACK also undoes what a
 * plain SET changed since BEGIN.
 */
import type { Node } from "@pgsql/types";
import { walk } from "./ast.js";
import { nodeAs } from "./node-types.js";

export const STANDARD_CONFORMING_STRINGS = "standard_conforming_strings";

/** What a statement does to standard_conforming_strings: `on` undefined puts back the database's value. */
export interface StringReadingChange {
  on: boolean | undefined;
  local: boolean;
}

/** The changes a statement makes to standard_conforming_strings, in order (usually none). */
export function stringReadingChanges(statement: Node): StringReadingChange[] {
  const set = nodeAs(statement, "VariableSetStmt");
  if (set) {
    const local = set.is_local === true;
    if (set.kind === "VAR_RESET_ALL") return [{ on: undefined, local }];
    if (set.name?.toLowerCase() !== STANDARD_CONFORMING_STRINGS) return [];
    if (set.kind === "VAR_SET_DEFAULT" || set.kind === "VAR_RESET") return [{ on: undefined, local }];
    if (set.kind !== "VAR_SET_VALUE" || set.args?.length !== 1) return [];
    const on = booleanSetting(set.args[0]!);
    return on === undefined ? [] : [{ on, local }];
  }
  if (nodeAs(statement, "DiscardStmt")?.target === "DISCARD_ALL") return [{ on: undefined, local: false }];
  const select = nodeAs(statement, "SelectStmt");
  return select ? setConfigCalls(select) : [];
}

/** `set_config('standard_conforming_strings', 'off', is_local)` calls with constant arguments. */
function setConfigCalls(select: unknown): StringReadingChange[] {
  const changes: StringReadingChange[] = [];
  walk(select, (type, value) => {
    if (type !== "FuncCall") return;
    const call = nodeAs({ FuncCall: value }, "FuncCall");
    const names = (call?.funcname ?? []).map((part) => nodeAs(part, "String")?.sval);
    if (names[names.length - 1] !== "set_config" || (names.length === 2 && names[0] !== "pg_catalog")) return;
    const [name, newValue, isLocal] = call?.args ?? [];
    if (!name || !newValue || nodeAs(name, "A_Const")?.sval?.sval?.toLowerCase() !== STANDARD_CONFORMING_STRINGS) return;
    const on = booleanSetting(newValue);
    if (on !== undefined) changes.push({ on, local: nodeAs(isLocal, "A_Const")?.boolval?.boolval === true });
  });
  return changes;
}

/** A boolean setting's value as PostgreSQL's parse_bool reads it (`off`, `'false'`, `0`, `of`, `y`, …). */
function booleanSetting(arg: Node): boolean | undefined {
  const constant = nodeAs(arg, "A_Const") ?? nodeAs(nodeAs(arg, "TypeCast")?.arg, "A_Const");
  if (!constant) return undefined;
  if (constant.ival) {
    const value = constant.ival.ival ?? 0;
    return value === 0 ? false : value === 1 ? true : undefined;
  }
  if (constant.boolval) return constant.boolval.boolval === true;
  const text = constant.sval?.sval?.toLowerCase();
  if (!text) return undefined;
  if ("true".startsWith(text) || "yes".startsWith(text) || text === "on" || text === "1") return true;
  if ("false".startsWith(text) || "no".startsWith(text) || (text.length >= 2 && "off".startsWith(text)) || text === "0") return false;
  return undefined;
}

/** Follows standard_conforming_strings through a file's statements, in the order they run. */
export class StringReading {
  #session: boolean;
  #local: boolean | undefined;
  /** The session's value when the open transaction began: what a ROLLBACK puts back. */
  #atBegin: boolean | undefined;
  #changed = false;

  constructor(private readonly configured: boolean) {
    this.#session = configured;
  }

  /** Whether a statement so far changed the setting from the database's value. */
  get changed(): boolean {
    return this.#changed;
  }

  /** Whether '...' strings of the next statement read backslashes as ordinary characters. */
  get standardConformingStrings(): boolean {
    return this.#local ?? this.#session;
  }

  /** Takes in what a statement that just ran did. */
  after(statement: Node): void {
    const transaction = nodeAs(statement, "TransactionStmt");
    if (transaction) return this.#transaction(transaction.kind);
    for (const { on, local } of stringReadingChanges(statement)) {
      const value = on ?? this.configured;
      if (value !== this.configured) this.#changed = true;
      if (local) this.#local = value;
      else {
        this.#session = value;
        this.#local = undefined;
      }
    }
  }

  #transaction(kind: string | undefined): void {
    switch (kind) {
      case "TRANS_STMT_BEGIN":
      case "TRANS_STMT_START":
        this.#atBegin ??= this.#session;
        return;
      case "TRANS_STMT_ROLLBACK":
        this.#session = this.#atBegin ?? this.#session;
      // falls through: the transaction ends as with COMMIT
      case "TRANS_STMT_COMMIT":
      case "TRANS_STMT_PREPARE":
        this.#local = undefined;
        this.#atBegin = undefined;
    }
  }
}
