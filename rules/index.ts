import type { Rule } from "../src/engine/rule.js";
import dropTable from "./drop-table.js";

/** Every rule migsafe ships, in the order they run. A test checks this list against the files in rules/. */
export const allRules: readonly Rule[] = [dropTable];
