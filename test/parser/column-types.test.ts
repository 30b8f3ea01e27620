import type { TypeName } from "@pgsql/types";
import { beforeAll, describe, expect, it } from "vitest";
import { isMetadataOnlyTypeChange, isTimestampType, metadataOnlySources, type TypeChangeContext } from "../../src/parser/column-types.js";
import { nodeAs } from "../../src/parser/node-types.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { loadParser } from "../../src/parser/pg.js";

beforeAll(() => loadParser());

/** The TypeName of `type` as CREATE TABLE writes it. */
function typeOf(type: string): TypeName {
  const [statement] = parseFile(`CREATE TABLE t (c ${type});`).statements;
  if (statement?.kind !== "CreateStmt") throw new Error(type);
  return nodeAs(statement.node.tableElts?.[0], "ColumnDef")!.typeName!;
}

const PLAIN: TypeChangeContext = { utcSession: false, pgVersion: 14 };
const change = (from: string, to: string, context = PLAIN) => isMetadataOnlyTypeChange(typeOf(from), typeOf(to), context);

// PostgreSQL docs, ALTER TABLE, Notes: no rewrite when the old type is binary coercible to the new one (or the new one
// is an unconstrained domain over it); the length-coercion support functions (PostgreSQL 9.2+) make a longer length or
// precision binary coercible; timestamp <-> timestamptz under a UTC session since PostgreSQL 12 (commit 3c59263).
describe("isMetadataOnlyTypeChange: the type changes PostgreSQL makes without rewriting the table", () => {
  it("the same type, written either way", () => {
    expect(change("varchar(20)", "character varying(20)")).toBe(true);
    expect(change("int", "integer")).toBe(true);
    expect(change("decimal(10, 2)", "numeric(10,2)")).toBe(true);
    expect(change("text[]", "text[]")).toBe(true);
    expect(change("int", "bigint")).toBe(false);
  });

  it("varchar(n) to varchar(m ≥ n), to varchar, to text (varchar_support; varchar → text is binary coercible)", () => {
    expect(change("varchar(256)", "varchar(512)")).toBe(true);
    expect(change("varchar(255)", "varchar")).toBe(true);
    expect(change("varchar(255)", "text")).toBe(true);
    expect(change("varchar", "text")).toBe(true);
    expect(change("varchar(512)", "varchar(256)")).toBe(false);
    expect(change("varchar", "varchar(255)")).toBe(false);
  });

  it("text to varchar without a length (binary coercible), not to varchar(n) (every value is checked)", () => {
    expect(change("text", "varchar")).toBe(true);
    expect(change("text", "varchar(64)")).toBe(false);
  });

  it("numeric(p, s) to numeric(p' ≥ p, s) or numeric (numeric_support), not another scale", () => {
    expect(change("numeric(10, 2)", "numeric(12, 2)")).toBe(true);
    expect(change("numeric(10)", "numeric(12, 0)")).toBe(true);
    expect(change("numeric(10, 2)", "numeric")).toBe(true);
    expect(change("numeric(10, 2)", "numeric(12, 4)")).toBe(false);
    expect(change("numeric(12, 2)", "numeric(10, 2)")).toBe(false);
    expect(change("numeric", "numeric(10, 2)")).toBe(false);
  });

  it("timestamp(p) to timestamp(p' ≥ p) or timestamp; the same for timestamptz and time (timestamp_support, time_support)", () => {
    expect(change("timestamp(3)", "timestamp")).toBe(true);
    expect(change("timestamp(3)", "timestamp(6)")).toBe(true);
    expect(change("timestamp", "timestamp(6)")).toBe(true);
    expect(change("timestamptz(0)", "timestamptz(3)")).toBe(true);
    expect(change("time(2)", "time")).toBe(true);
    expect(change("timestamp(6)", "timestamp(3)")).toBe(false);
    expect(change("timestamp", "timestamp(3)")).toBe(false);
    expect(change("time", "time(0)")).toBe(false);
  });

  it("interval(p) to interval(p' ≥ p) or interval; with fields only to interval (interval_support)", () => {
    expect(change("interval(3)", "interval")).toBe(true);
    expect(change("interval(3)", "interval(6)")).toBe(true);
    expect(change("interval hour to minute", "interval")).toBe(true);
    expect(change("interval(6)", "interval(3)")).toBe(false);
    expect(change("interval", "interval hour to minute")).toBe(false);
  });

  it("bit varying(n) to bit varying(m ≥ n) or bit varying (varbit_support); not bit(n), whose length is fixed", () => {
    expect(change("bit varying(5)", "bit varying(10)")).toBe(true);
    expect(change("varbit(5)", "varbit")).toBe(true);
    expect(change("bit varying(10)", "bit varying(5)")).toBe(false);
    expect(change("bit(5)", "bit(10)")).toBe(false);
  });

  it("cidr to inet (binary coercible), not back", () => {
    expect(change("cidr", "inet")).toBe(true);
    expect(change("inet", "cidr")).toBe(false);
  });

  it("timestamp ↔ timestamptz only while the session TimeZone is UTC, on PostgreSQL 12+", () => {
    const utc = { utcSession: true, pgVersion: 12 };
    expect(change("timestamp", "timestamptz", utc)).toBe(true);
    expect(change("timestamptz", "timestamp", utc)).toBe(true);
    expect(change("timestamp(3)", "timestamptz", utc)).toBe(true);
    expect(change("timestamp", "timestamptz(3)", utc)).toBe(false);
    expect(change("timestamp", "timestamptz")).toBe(false);
    expect(change("timestamp", "timestamptz", { utcSession: true, pgVersion: 11 })).toBe(false);
    expect(change("date", "timestamptz", utc)).toBe(false);
  });

  it("an array only to the very same type; char(n), other types and user types never", () => {
    expect(change("varchar(10)[]", "varchar(20)[]")).toBe(false);
    expect(change("char(3)", "char(5)")).toBe(false);
    expect(change("char(3)", "text")).toBe(false);
    expect(change("json", "jsonb")).toBe(false);
    expect(change('app."Mood"', 'app."Mood"')).toBe(true);
    expect(change('app."Mood"', "text")).toBe(false);
  });
});

describe("metadataOnlySources: what the column must already be for a change to the type to be metadata-only", () => {
  it("names the compatible types of each target, and the same type for the others", () => {
    expect(metadataOnlySources(typeOf("varchar(512)"), "varchar(512)")).toBe("a varchar(m) with m ≤ 512");
    expect(metadataOnlySources(typeOf("text"), "text")).toBe("a varchar of any length, or text");
    expect(metadataOnlySources(typeOf("numeric(12, 2)"), "numeric(12, 2)")).toBe("a numeric(q, 2) with q ≤ 12");
    expect(metadataOnlySources(typeOf("timestamptz"), "timestamptz")).toBe(
      "a timestamptz of any precision, or a timestamp while the session TimeZone is UTC, on PostgreSQL 12+ (SET timezone = 'UTC' before it)",
    );
    expect(metadataOnlySources(typeOf("inet"), "inet")).toBe("a cidr or an inet");
    expect(metadataOnlySources(typeOf("bigint"), "bigint")).toBe("bigint");
  });

  it("isTimestampType: timestamp and timestamptz of any precision, not arrays or dates", () => {
    expect(["timestamp", "timestamptz(3)", "timestamp with time zone"].map((type) => isTimestampType(typeOf(type)))).toEqual([true, true, true]);
    expect(["timestamp[]", "date", "text"].map((type) => isTimestampType(typeOf(type)))).toEqual([false, false, false]);
  });
});
