/** Options written as `(NAME value, …)` lists: `REINDEX (CONCURRENTLY)`, `VACUUM (FULL)`, `WITH (create_slot = false)`. */
import { asList, unwrap } from "../parser/ast.js";
import type { AstNode } from "../parser/types.js";

/** A DefElem's boolean argument: absent means true, as in `REINDEX (CONCURRENTLY) …`. */
export function isOn(arg: unknown): boolean {
  if (arg === undefined) return true;
  const value = unwrap(arg);
  if (value?.type === "String") return !["false", "off", "no", "0"].includes(String(value.value.sval).toLowerCase());
  if (value?.type === "Integer") return value.value.ival !== undefined && value.value.ival !== 0;
  if (value?.type === "Boolean") return value.value.boolval === true;
  return true;
}

/** True when the option is given and on; `absent` when it is not given. */
export function optionIsOn(options: unknown, name: string, absent = false): boolean {
  const option = optionNamed(options, name);
  return option ? isOn(option.arg) : absent;
}

/** True when the option is written, on or off. */
export function optionGiven(options: unknown, name: string): boolean {
  return optionNamed(options, name) !== undefined;
}

/** The first DefElem of that name. */
function optionNamed(options: unknown, name: string): AstNode | undefined {
  for (const option of asList(options)) {
    const def = unwrap(option);
    if (def?.type === "DefElem" && def.value.defname === name) return def.value;
  }
  return undefined;
}
