import type { TypeName } from "@pgsql/types";
import { displayName, typeDisplay } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, visitEach, type RuleContext } from "../src/engine/rule.js";
import { COLUMN_STATEMENTS, type NewColumn, builtinName, newColumns } from "../src/engine/new-columns.js";

export default defineRule({
  meta: {
    id: "prefer-text",
    severity: "careful",
    description: "New varchar(n) and char(n) columns: text with a CHECK on its length performs the same and its limit can change without ALTER COLUMN TYPE.",
    category: "design",
    recommended: false,
    checksDoBlocks: true,
  },
  visit: visitEach(COLUMN_STATEMENTS, (statement, context) => {
    for (const column of newColumns(statement, context)) {
      const type = limitedText(column.typeName);
      if (type) report(context, column, type);
    }
  }),
});

interface LimitedText {
  kind: "varchar" | "char";
  /** The length limit; undefined when the parser did not give it as a constant. */
  length: number | undefined;
  /** As written for the reader: `varchar(100)`, `char(3)[]`, `char`. */
  display: string;
  array: boolean;
  /** `char` written without a length. */
  implicit: boolean;
}

/** varchar(n) and char(n) (char, character and nchar included); varchar without a length is text with another name. */
function limitedText(typeName: TypeName): LimitedText | undefined {
  const name = builtinName(typeName);
  if (name !== "varchar" && name !== "bpchar") return undefined;
  const mods = typeName.typmods ?? [];
  if (mods.length !== 1) return undefined;
  const constant = nodeAs(mods[0], "A_Const");
  const length = constant?.ival ? (constant.ival.ival ?? 0) : undefined;
  const dimensions = typeName.arrayBounds?.length ?? 0;
  // `char` written without a length is char(1): the parser adds the 1 at no position in the text.
  const implicit = constant?.location === -1;
  const display = implicit ? `char${"[]".repeat(dimensions)}` : typeDisplay(typeName);
  return { kind: name === "varchar" ? "varchar" : "char", length, display, array: dimensions > 0, implicit };
}

function report(context: RuleContext, column: NewColumn, type: LimitedText): void {
  const table = displayName(column.table);
  const col = displayName({ name: column.column });
  const limit = type.length === undefined ? "n" : String(type.length);
  const subject =
    column.via === "type" ? `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${type.display} gives ${col} the type ${type.display}` : `Column ${col} of ${table} is ${type.display}`;
  const lock = describeLock("ACCESS EXCLUSIVE");
  const message =
    type.kind === "varchar"
      ? `${subject}. In PostgreSQL, varchar(n) is stored and performs exactly like text: the ${limit} only adds a limit that is costly to change. ` +
        `Changing it is an ALTER COLUMN TYPE, holding ${lock}. Raising the limit is catalog-only (no rewrite) since PostgreSQL 9.2, but the statement still waits behind every running query on ${table} while every later query waits behind it; ` +
        `lowering it rewrites ${table} and its indexes under that lock.`
      : `${subject}${type.implicit ? ", which is char(1)" : ""}. char(n) pads every value with spaces to ${limit} character${limit === "1" ? "" : "s"}: the spaces are stored and returned to the application, ` +
        `ignored by = but not by LIKE or regular expressions, and char(n) is no faster than text. Its limit is costly to change: ` +
        `changing it is an ALTER COLUMN TYPE that rewrites ${table} and its indexes under ${lock}, for the whole rewrite.`;

  const check = displayName({ name: `${column.table.name}_${column.column}_length` });
  const constraint = ` CONSTRAINT ${check} CHECK (char_length(${col}) <= ${limit})`;
  let help: string;
  let short: string;
  if (type.array) {
    const sql =
      column.via === "create"
        ? `declare the column as ${col} text[] in CREATE TABLE ${table}, keeping its other clauses.`
        : column.via === "add"
          ? `ALTER TABLE ${table} ADD COLUMN ${col} text[]; (keeping the column's other clauses)`
          : `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE text[];`;
    short = helpLine(
      column.via === "create"
        ? `Use text[]: ${col} text[] in CREATE TABLE ${table}, and check each element's length where values are written`
        : column.via === "add"
          ? `Use text[]: ALTER TABLE ${table} ADD COLUMN ${col} text[], and check each element's length where values are written`
          : `Use text[]: ALTER TABLE ${table} ALTER COLUMN ${col} TYPE text[]`,
      `Use text[] for ${col}, and check each element's length where values are written`,
    );
    help = `Use text[]: ${sql} If the length of each element matters, check it where the values are written.`;
  } else {
    const sql =
      column.via === "create"
        ? `declare the column as ${col} text${constraint} in CREATE TABLE ${table}, keeping its other clauses.`
        : column.via === "add"
          ? `ALTER TABLE ${table} ADD COLUMN ${col} text${constraint}; (keeping the column's other clauses)`
          : `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE text; ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (char_length(${col}) <= ${limit}) NOT VALID; ALTER TABLE ${table} VALIDATE CONSTRAINT ${check};`;
    short = helpLine(
      column.via === "create"
        ? `Use ${col} text${constraint} in CREATE TABLE ${table}`
        : column.via === "add"
          ? `Use ALTER TABLE ${table} ADD COLUMN ${col} text${constraint}`
          : `Use TYPE text, then ADD CONSTRAINT ${check} CHECK (char_length(${col}) <= ${limit}) NOT VALID and VALIDATE it`,
      `Use text for ${col}, with the limit in a named CHECK (char_length(${col}) <= ${limit}) constraint`,
    );
    help =
      `Use text, with the limit in a named CHECK constraint: ${sql} ` +
      `Changing the limit later is then ALTER TABLE ${table} DROP CONSTRAINT ${check}, ADD CONSTRAINT ${check} CHECK (char_length(${col}) <= …) NOT VALID; ` +
      `(a brief lock, no scan) and ALTER TABLE ${table} VALIDATE CONSTRAINT ${check}; (SHARE UPDATE EXCLUSIVE: reads and writes go on during the scan).`;
  }
  const shortType = `${type.display}${type.implicit ? " (char(1))" : ""}`;
  const head = (name: string) => (column.via === "type" ? `ALTER COLUMN ${col} TYPE ${shortType}` : `Column ${name} is ${shortType}`);
  const what = (name: string) =>
    type.kind === "varchar" ? `a new limit locks ${name} (ACCESS EXCLUSIVE)` : `space-padded; a new limit rewrites ${name} (ACCESS EXCLUSIVE)`;
  context.report({
    ...(column.range ? { range: column.range } : {}),
    message: messageLine(
      `${head(`${table}.${col}`)}: ${what(table)}`,
      `${head(col)}: ${what(table)}`,
      `${head(col)}: ${what("the table")}`,
      `${col} is ${shortType}: ${type.kind === "varchar" ? "a new limit locks the table" : "space-padded, costly to change"}`,
    ),
    help: short,
    explanation: `${message} ${help}`,
  });
}
