/**
 * Which column type changes PostgreSQL makes without rewriting the table: ALTER TABLE's "binary coercible" changes.
 * PostgreSQL docs, ALTER TABLE, Notes: "when changing the type of an existing column, if the USING clause does not
 * change the column contents and the old type is either binary coercible to the new type or an unconstrained domain
 * over the new type, a table rewrite is not needed" (https://www.postgresql.org/docs/current/sql-altertable.html);
 * which casts are binary coercible: https://www.postgresql.org/docs/current/sql-createcast.html and `pg_cast`
 * (castmethod 'b'); a longer length or precision needs no rewrite through the length-coercion functions' support
 * functions (varchar_support, numeric_support, timestamp_support, time_support, interval_support, varbit_support,
 * PostgreSQL 9.2+); `timestamp` ↔ `timestamptz` when the session TimeZone is UTC (PostgreSQL 12+, commit 3c59263,
 * which still rebuilds the indexes on the column).
 */
import type { Node, TypeName } from "@pgsql/types";
import { nodeAs } from "./node-types.js";

/** A type as this table needs it: its name without `pg_catalog`, its modifiers, and whether it is an array. */
interface ColumnType {
  name: string;
  mods: (number | undefined)[];
  array: boolean;
}

export interface TypeChangeContext {
  /** The session TimeZone is UTC where the change runs (SET timezone = 'UTC' earlier in the file). */
  utcSession: boolean;
  pgVersion: number;
}

/** interval's modifier for "no fields" (INTERVAL_FULL_RANGE): `interval(3)` is `interval(32767, 3)` in the AST. */
const INTERVAL_FULL_RANGE = 0x7fff;
/** The highest fractional-seconds precision of timestamp, time and interval: asking for it (or more) keeps every value. */
const MAX_PRECISION = 6;
/** Types whose only modifier is a fractional-seconds precision, each widening without a rewrite. */
const PRECISION_TYPES = new Set(["timestamp", "timestamptz", "time"]);
/** Types whose only modifier is a length, each lengthening without a rewrite. */
const LENGTH_TYPES = new Set(["varchar", "varbit"]);

function columnType(typeName: TypeName | undefined): ColumnType | undefined {
  const names = (typeName?.names ?? []).map((part) => nodeAs(part, "String")?.sval);
  if (names.length === 0 || names.some((part) => part === undefined)) return undefined;
  const name = (names[0] === "pg_catalog" ? names.slice(1) : names).join(".");
  return { name, mods: (typeName?.typmods ?? []).map(modifierOf), array: (typeName?.arrayBounds ?? []).length > 0 };
}

function modifierOf(mod: Node): number | undefined {
  const constant = nodeAs(mod, "A_Const");
  return constant?.ival ? (constant.ival.ival ?? 0) : undefined;
}

/** interval's precision, when it has no fields (`interval`, `interval(3)`); undefined for `interval day to second` and the like. */
function intervalPrecision(type: ColumnType): { precision: number | undefined } | undefined {
  if (type.mods.length === 0) return { precision: undefined };
  if (type.mods[0] !== INTERVAL_FULL_RANGE) return undefined;
  return { precision: type.mods[1] };
}

/**
 * True when changing a column from `from` to `to` needs no rewrite of the table (a USING that keeps the value
 * assumed): the same type; `varchar(n)` → `varchar(m ≥ n)`, `varchar`, `text`; `text` → `varchar`; `numeric(p, s)` →
 * `numeric(p' ≥ p, s)`, `numeric`; `timestamp(p)` → `timestamp(p' ≥ p)`, `timestamp` (also `timestamptz`, `time`,
 * `interval` without fields); `bit varying(n)` → `bit varying(m ≥ n)`, `bit varying`; `cidr` → `inet`; `timestamp` ↔
 * `timestamptz` under a UTC session on PostgreSQL 12+. Arrays only to the very same type.
 */
export function isMetadataOnlyTypeChange(fromName: TypeName | undefined, toName: TypeName | undefined, context: TypeChangeContext): boolean {
  const from = columnType(fromName);
  const to = columnType(toName);
  if (!from || !to) return false;
  if (from.array || to.array) return from.array === to.array && from.name === to.name && sameMods(from, to);
  if (from.name === to.name) return sameMods(from, to) || widens(from, to);
  if (from.name === "varchar" && to.name === "text") return true;
  if (from.name === "text" && to.name === "varchar") return to.mods.length === 0;
  if (from.name === "cidr" && to.name === "inet") return true;
  const timestamps = new Set([from.name, to.name]);
  if (timestamps.has("timestamp") && timestamps.has("timestamptz") && timestamps.size === 2) {
    return context.utcSession && context.pgVersion >= 12 && (sameMods(from, to) || widens(from, to));
  }
  return false;
}

function sameMods(a: ColumnType, b: ColumnType): boolean {
  return a.mods.length === b.mods.length && a.mods.every((mod, i) => mod !== undefined && mod === b.mods[i]);
}

/** A length or precision that keeps every value of the old one (the same base type, or the other timestamp type). */
function widens(from: ColumnType, to: ColumnType): boolean {
  const [fromMod] = from.mods;
  const [toMod] = to.mods;
  if (LENGTH_TYPES.has(to.name)) return to.mods.length === 0 || (fromMod !== undefined && toMod !== undefined && toMod >= fromMod);
  if (PRECISION_TYPES.has(to.name)) return to.mods.length === 0 || (toMod !== undefined && (toMod >= MAX_PRECISION || (fromMod !== undefined && toMod >= fromMod)));
  if (to.name === "numeric") {
    if (to.mods.length === 0) return true;
    const [fromPrecision, fromScale = 0] = from.mods;
    const [toPrecision, toScale = 0] = to.mods;
    return fromPrecision !== undefined && toPrecision !== undefined && toPrecision >= fromPrecision && toScale === fromScale;
  }
  if (to.name === "interval") {
    const old = intervalPrecision(from);
    const wanted = intervalPrecision(to);
    if (to.mods.length === 0) return true;
    if (!old || !wanted || wanted.precision === undefined) return false;
    return wanted.precision >= MAX_PRECISION || (old.precision !== undefined && wanted.precision >= old.precision);
  }
  return false;
}

/** True for `timestamp` and `timestamptz`, whatever their precision: what a UTC session converts without a rewrite. */
export function isTimestampType(typeName: TypeName | undefined): boolean {
  const type = columnType(typeName);
  return type !== undefined && !type.array && (type.name === "timestamp" || type.name === "timestamptz");
}

/**
 * What the column's type must already be for a change to `to` (shown as `shown`) to be metadata-only, in words that
 * follow "only if the column is already": `a varchar(m) with m ≤ 255`, `a varchar of any length, or text`.
 */
export function metadataOnlySources(toName: TypeName | undefined, shown: string): string {
  const to = columnType(toName);
  if (!to || to.array) return shown;
  const [mod] = to.mods;
  switch (to.name) {
    case "varchar":
      return mod === undefined ? "a varchar of any length, or text" : `a varchar(m) with m ≤ ${mod}`;
    case "text":
      return "a varchar of any length, or text";
    case "varbit":
      return mod === undefined ? "a bit varying of any length" : `a bit varying(m) with m ≤ ${mod}`;
    case "numeric":
      return to.mods.length === 0 ? "a numeric of any precision and scale" : `a numeric(q, ${to.mods[1] ?? 0}) with q ≤ ${mod ?? "…"}`;
    case "timestamp":
    case "timestamptz": {
      const other = to.name === "timestamp" ? "timestamptz" : "timestamp";
      const same = mod === undefined ? `a ${to.name} of any precision` : `a ${to.name}(q) with q ≤ ${mod}`;
      return `${same}, or a ${other} while the session TimeZone is UTC, on PostgreSQL 12+ (SET timezone = 'UTC' before it)`;
    }
    case "time":
      return mod === undefined ? "a time of any precision" : `a time(q) with q ≤ ${mod}`;
    case "interval":
      return to.mods.length === 0 ? "an interval of any precision" : shown;
    case "inet":
      return "a cidr or an inet";
    default:
      return shown;
  }
}
