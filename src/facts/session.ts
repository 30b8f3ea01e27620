/**
 * The session settings in effect at each statement, as the file sets them: `SET [LOCAL] name …`, `SET TIME ZONE …`,
 * `RESET name`, `RESET ALL`, `SET name TO DEFAULT`, and `SELECT set_config('name', 'value', is_local)` (as pg_dump
 * writes it). One reader of settings for every fact that depends on one (the search_path of names.ts, the TimeZone
 * that decides whether `timestamp` ↔ `timestamptz` rewrites).
 */
import type { Node } from "@pgsql/types";
import { quoteIfNeeded, walk } from "../parser/ast.js";
import { nodeAs } from "../parser/node-types.js";
import type { Statement } from "../parser/types.js";
import type { RunOrder } from "./run-order.js";

/** What a statement does to a setting: gives it a value (as PostgreSQL stores it), or puts back the server's default. */
export interface SettingChange {
  /** Lower case, as PostgreSQL matches setting names. */
  name: string;
  /** The new value as text (`"MyApp", public` for a search_path, `UTC`), or undefined for the server's default. */
  value: string | undefined;
}

/** Every setting: what `RESET ALL` changes. */
const ALL = "*";

/** Settings whose list items PostgreSQL quotes as identifiers when SET gives several (GUC_LIST_QUOTE). */
const LIST_QUOTE = new Set(["search_path", "temp_tablespaces", "session_preload_libraries", "shared_preload_libraries", "local_preload_libraries"]);

/**
 * The settings a statement changes. A value the file computes at run time (`set_config('search_path', v, …)` with a
 * non-constant `v`) is not known: that call is left out. `SET LOCAL` counts like `SET`: its end with the transaction
 * is not followed.
 */
export function settingChangesOf(statement: Statement): SettingChange[] {
  if (statement.kind === "VariableSetStmt") {
    const node = statement.node;
    if (node.kind === "VAR_RESET_ALL") return [{ name: ALL, value: undefined }];
    const name = node.name?.toLowerCase();
    if (name === undefined) return [];
    if (node.kind === "VAR_SET_DEFAULT" || node.kind === "VAR_RESET") return [{ name, value: undefined }];
    if (node.kind !== "VAR_SET_VALUE") return [];
    const items = (node.args ?? []).map((arg) => argumentText(arg, LIST_QUOTE.has(name)));
    return items.every((item) => item !== undefined) ? [{ name, value: items.join(", ") }] : [];
  }
  // set_config(…) is called from a SELECT; walking every other statement's tree would cost a lot for nothing.
  if (statement.kind !== "SelectStmt") return [];
  const changes: SettingChange[] = [];
  walk(statement.node, (type, value) => {
    if (type !== "FuncCall") return;
    const call = nodeAs({ FuncCall: value }, "FuncCall");
    const names = (call?.funcname ?? []).map((part) => nodeAs(part, "String")?.sval);
    if (names[names.length - 1] !== "set_config" || (names.length === 2 && names[0] !== "pg_catalog")) return;
    const [setting, newValue] = (call?.args ?? []).map((arg) => stringConstant(arg));
    if (setting !== undefined && newValue !== undefined) changes.push({ name: setting.toLowerCase(), value: newValue });
  });
  return changes;
}

/** A SET argument as PostgreSQL stores it: a string (quoted as an identifier in a list setting), a number, an interval's text. */
function argumentText(arg: Node, quoteIdentifiers: boolean): string | undefined {
  const constant = nodeAs(arg, "A_Const") ?? nodeAs(nodeAs(arg, "TypeCast")?.arg, "A_Const");
  if (!constant) return undefined;
  if (constant.sval) return quoteIdentifiers ? quoteIfNeeded(constant.sval.sval ?? "") : (constant.sval.sval ?? "");
  if (constant.ival) return String(constant.ival.ival ?? 0);
  if (constant.fval) return constant.fval.fval;
  return undefined;
}

function stringConstant(arg: Node): string | undefined {
  const constant = nodeAs(arg, "A_Const");
  return constant?.sval ? (constant.sval.sval ?? "") : undefined;
}

export class Session {
  /** Run positions where the file changes a setting, with the change. */
  readonly #changes: { at: number; change: SettingChange }[] = [];

  constructor(
    private readonly order: RunOrder,
    onFault: (statement: Statement, error: unknown) => void = () => undefined,
  ) {
    for (const statement of order.statements) {
      try {
        for (const change of settingChangesOf(statement)) this.#changes.push({ at: order.positionOf(statement), change });
      } catch (error) {
        onFault(statement, error);
      }
    }
  }

  /**
   * The value the file gave the setting before the statement runs, as PostgreSQL stores it; undefined when the
   * file has not set it before (or has reset it): the server's default, which the file does not know.
   */
  settingAt(statement: Statement, name: string): string | undefined {
    if (this.#changes.length === 0) return undefined;
    const wanted = name.toLowerCase();
    const at = this.order.positionOf(statement);
    let value: string | undefined;
    for (const { at: changedAt, change } of this.#changes) {
      if (changedAt >= at) break;
      if (change.name === wanted || change.name === ALL) value = change.value;
    }
    return value;
  }
}

/**
 * Names of time zones with no offset from UTC and no daylight saving time, as PostgreSQL reads them (in any case):
 * with one of them, `timestamp` and `timestamptz` hold the same bytes for the same value.
 */
const UTC_ZONES = new Set(["utc", "etc/utc", "uct", "etc/uct", "gmt", "etc/gmt", "gmt0", "etc/gmt0", "gmt+0", "etc/gmt+0", "gmt-0", "etc/gmt-0", "greenwich", "etc/greenwich", "universal", "etc/universal", "zulu", "etc/zulu", "z"]);

/** True for a TimeZone setting of UTC: a zone name of UTC, or an offset of zero (`0`, `'+00:00'`). */
export function isUtcTimeZone(value: string | undefined): boolean {
  if (value === undefined) return false;
  const zone = value.trim().toLowerCase();
  return UTC_ZONES.has(zone) || /^[+-]?0+(:0+)*(\.0+)?$/.test(zone);
}
