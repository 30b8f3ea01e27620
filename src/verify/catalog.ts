/**
 * A snapshot of the database's schema, as names and definitions, and the differences
 * between two snapshots: what a rollback failed to undo. Object identifiers (oids) are
 * left out on purpose, so that an object dropped and created again the same way is the same.
 */
import type { VerifyDatabase } from "./database.js";

export interface CatalogEntry {
  /** Unique in a snapshot: kind and qualified name, e.g. "column:public.users.email". */
  key: string;
  /** What it is, for messages: "column", "index", "enum type", … */
  kind: string;
  /** Its name for messages, without the `public.` schema: "users.email", "users_email_idx", "f(integer)". */
  name: string;
  /** What must be the same for the object to be restored: a column's type, nullability and default, an index's CREATE INDEX, … */
  definition: string;
  /** The entry it belongs to (a column's table, a table's schema): when both differ, only the parent is reported. */
  parent?: string;
}

export type CatalogSnapshot = ReadonlyMap<string, CatalogEntry>;

export interface CatalogDifference {
  /** "left": only after (the rollback left it); "missing": only before (the rollback did not restore it); "changed": both, defined differently. */
  change: "left" | "missing" | "changed";
  before?: CatalogEntry;
  after?: CatalogEntry;
}

/**
 * SQL: the schema named by `column` is one verify looks at: not the system's, not another
 * session's temporary one, and not one of `ignored` (schemas that held objects before verify
 * started: a server database's own, see preexistingSchemas).
 */
export function userSchema(column: string, ignored: readonly string[] = []): string {
  const others = ignored.length > 0 ? ` AND ${column} NOT IN (${ignored.map(quoteLiteral).join(", ")})` : "";
  return `${column} NOT IN ('pg_catalog', 'information_schema') AND ${column} !~ '^pg_(toast|temp_)'${others}`;
}

/** SQL: the object is not part of an extension (only the extension itself is compared). */
export function notInExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = '${catalog}'::pg_catalog.regclass AND x.objid = ${oid} AND x.deptype = 'e')`;
}

/**
 * The schemas that already hold objects (relations, functions, types) when verify starts.
 * None on PGlite or in a fresh scratch database; on a server in scratch-schema mode, the
 * database's own schemas, which verify then never reads, fills or compares.
 */
export async function preexistingSchemas(db: VerifyDatabase): Promise<string[]> {
  const rows = await db.query<{ name: string }>(`
    SELECT n.nspname AS name FROM pg_catalog.pg_namespace n
    WHERE ${userSchema("n.nspname")} AND (
      EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND ${notInExtension("pg_catalog.pg_class", "c.oid")})
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid AND ${notInExtension("pg_catalog.pg_proc", "p.oid")})
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid AND t.typtype IN ('e', 'd', 'r') AND ${notInExtension("pg_catalog.pg_type", "t.oid")}))
    ORDER BY 1`);
  return rows.map((row) => row.name);
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const RELATION_KINDS: Record<string, string> = { r: "table", p: "partitioned table", v: "view", m: "materialized view", f: "foreign table" };

type Row = Record<string, string | boolean | null>;

/** Reads the schema of every user schema: schemas, tables, columns, indexes, constraints, sequences, views, functions, types, triggers, extensions. */
export async function snapshotCatalog(db: VerifyDatabase, ignored: readonly string[] = []): Promise<CatalogSnapshot> {
  const user = (column: string) => userSchema(column, ignored);
  const entries = new Map<string, CatalogEntry>();
  const add = (entry: CatalogEntry) => entries.set(entry.key, entry);
  const str = (value: unknown) => (value === null || value === undefined ? "" : String(value));

  for (const row of await db.query<Row>(`SELECT n.nspname AS name FROM pg_catalog.pg_namespace n WHERE ${user("n.nspname")} ORDER BY 1`)) {
    add({ key: schemaKey(str(row.name)), kind: "schema", name: str(row.name), definition: "" });
  }

  for (const row of await db.query<Row>(`
    SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
      CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS viewdef,
      CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,
      CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${user("n.nspname")} AND ${notInExtension("pg_catalog.pg_class", "c.oid")}
    ORDER BY 1, 2`)) {
    const schema = str(row.schema);
    const kind = RELATION_KINDS[str(row.kind)] ?? "relation";
    const definition = [
      row.persistence === "u" ? "UNLOGGED" : "",
      row.partkey ? `PARTITION BY ${str(row.partkey)}` : "",
      row.bound ? `PARTITION ${str(row.bound)}` : "",
      row.viewdef ? `AS ${str(row.viewdef).trim()}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    add({ key: relationKey(schema, str(row.name)), kind, name: displayName(schema, str(row.name)), definition, parent: schemaKey(schema) });
  }

  for (const row of await db.query<Row>(`
    SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
      a.attnotnull AS notnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expr, a.attidentity::text AS identity,
      a.attgenerated::text AS generated, CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f')
      AND ${user("n.nspname")} AND ${notInExtension("pg_catalog.pg_class", "c.oid")}
    ORDER BY 1, 2, a.attnum`)) {
    const schema = str(row.schema);
    const table = str(row.table);
    const expr = str(row.expr);
    const parts = [str(row.type)];
    if (row.collation) parts.push(`COLLATE ${str(row.collation)}`);
    if (row.notnull === true) parts.push("NOT NULL");
    if (row.identity === "a") parts.push("GENERATED ALWAYS AS IDENTITY");
    else if (row.identity === "d") parts.push("GENERATED BY DEFAULT AS IDENTITY");
    if (row.generated === "s") parts.push(`GENERATED ALWAYS AS (${expr}) STORED`);
    else if (row.generated === "v") parts.push(`GENERATED ALWAYS AS (${expr}) VIRTUAL`);
    else if (expr) parts.push(`DEFAULT ${expr}`);
    add({
      key: `column:${schema}.${table}.${str(row.name)}`,
      kind: "column",
      name: `${displayName(schema, table)}.${str(row.name)}`,
      definition: parts.join(" "),
      parent: relationKey(schema, table),
    });
  }

  // Indexes that implement a primary key, unique or exclusion constraint are compared as that constraint.
  for (const row of await db.query<Row>(`
    SELECT n.nspname AS schema, ci.relname AS name, tn.nspname AS table_schema, ct.relname AS table, pg_catalog.pg_get_indexdef(i.indexrelid) AS def
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = ci.relnamespace
    JOIN pg_catalog.pg_class ct ON ct.oid = i.indrelid
    JOIN pg_catalog.pg_namespace tn ON tn.oid = ct.relnamespace
    WHERE ${user("n.nspname")} AND ${notInExtension("pg_catalog.pg_class", "ct.oid")}
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
    ORDER BY 1, 2`)) {
    const schema = str(row.schema);
    add({
      key: relationKey(schema, str(row.name), "index"),
      kind: "index",
      name: displayName(schema, str(row.name)),
      definition: str(row.def),
      parent: relationKey(str(row.table_schema), str(row.table)),
    });
  }

  // NOT NULL constraints (PostgreSQL 18 records them in pg_constraint) are compared as the column's nullability.
  for (const row of await db.query<Row>(`
    SELECT tn.nspname AS table_schema, t.relname AS table, yn.nspname AS type_schema, y.typname AS type, k.conname AS name,
      pg_catalog.pg_get_constraintdef(k.oid) AS def
    FROM pg_catalog.pg_constraint k
    JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace
    LEFT JOIN pg_catalog.pg_class t ON t.oid = k.conrelid
    LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
    LEFT JOIN pg_catalog.pg_type y ON y.oid = k.contypid
    LEFT JOIN pg_catalog.pg_namespace yn ON yn.oid = y.typnamespace
    WHERE k.contype <> 'n' AND ${user("n.nspname")}
      AND (t.oid IS NULL OR ${notInExtension("pg_catalog.pg_class", "t.oid")})
      AND (y.oid IS NULL OR ${notInExtension("pg_catalog.pg_type", "y.oid")})
    ORDER BY 1, 2, 3, 4, 5`)) {
    const onTable = row.table !== null;
    const schema = onTable ? str(row.table_schema) : str(row.type_schema);
    const owner = onTable ? str(row.table) : str(row.type);
    add({
      key: `constraint:${schema}.${owner}.${str(row.name)}`,
      kind: "constraint",
      name: `${str(row.name)} on ${displayName(schema, owner)}`,
      definition: str(row.def),
      parent: onTable ? relationKey(schema, owner) : typeKey(schema, owner),
    });
  }

  // Identity columns' sequences are part of the column; a serial column's sequence belongs to its table.
  for (const row of await db.query<Row>(`
    SELECT n.nspname AS schema, c.relname AS name, pg_catalog.format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
      s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
      on_.nspname AS owner_schema, o.relname AS owner
    FROM pg_catalog.pg_sequence s
    JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'a'
    LEFT JOIN pg_catalog.pg_class o ON o.oid = d.refobjid
    LEFT JOIN pg_catalog.pg_namespace on_ ON on_.oid = o.relnamespace
    WHERE ${user("n.nspname")} AND ${notInExtension("pg_catalog.pg_class", "c.oid")}
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND i.objid = c.oid AND i.deptype = 'i')
    ORDER BY 1, 2`)) {
    const schema = str(row.schema);
    const definition =
      `AS ${str(row.type)} START ${str(row.start)} INCREMENT ${str(row.increment)} MINVALUE ${str(row.min)} MAXVALUE ${str(row.max)}` +
      ` CACHE ${str(row.cache)}${row.cycle === true ? " CYCLE" : ""}`;
    add({
      key: relationKey(schema, str(row.name), "sequence"),
      kind: "sequence",
      name: displayName(schema, str(row.name)),
      definition,
      parent: row.owner ? relationKey(str(row.owner_schema), str(row.owner)) : schemaKey(schema),
    });
  }

  for (const row of await db.query<Row>(`
    SELECT n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args, p.prokind::text AS kind,
      CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) ELSE pg_catalog.pg_get_function_result(p.oid) END AS def
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE ${user("n.nspname")} AND ${notInExtension("pg_catalog.pg_proc", "p.oid")}
    ORDER BY 1, 2, 3`)) {
    const schema = str(row.schema);
    const kind = row.kind === "p" ? "procedure" : row.kind === "a" ? "aggregate" : row.kind === "w" ? "window function" : "function";
    const signature = `${str(row.name)}(${str(row.args)})`;
    add({ key: `function:${schema}.${signature}`, kind, name: displayName(schema, signature), definition: str(row.def).trim(), parent: schemaKey(schema) });
  }

  for (const row of await db.query<Row>(`
    SELECT n.nspname AS schema, t.typname AS name, t.typtype::text AS kind,
      CASE t.typtype
        WHEN 'e' THEN (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)
        WHEN 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END || COALESCE(' DEFAULT ' || t.typdefault, '')
        WHEN 'c' THEN (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                       FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
        WHEN 'r' THEN (SELECT pg_catalog.format_type(r.rngsubtype, NULL) FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)
      END AS def
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'c', 'r') AND ${user("n.nspname")} AND ${notInExtension("pg_catalog.pg_type", "t.oid")}
      AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
    ORDER BY 1, 2`)) {
    const schema = str(row.schema);
    const kind = { e: "enum type", d: "domain", c: "composite type", r: "range type" }[str(row.kind)] ?? "type";
    add({ key: typeKey(schema, str(row.name)), kind, name: displayName(schema, str(row.name)), definition: str(row.def), parent: schemaKey(schema) });
  }

  for (const row of await db.query<Row>(`
    SELECT n.nspname AS schema, c.relname AS table, g.tgname AS name, pg_catalog.pg_get_triggerdef(g.oid) AS def
    FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT g.tgisinternal AND ${user("n.nspname")} AND ${notInExtension("pg_catalog.pg_class", "c.oid")}
    ORDER BY 1, 2, 3`)) {
    const schema = str(row.schema);
    const table = str(row.table);
    add({
      key: `trigger:${schema}.${table}.${str(row.name)}`,
      kind: "trigger",
      name: `${str(row.name)} on ${displayName(schema, table)}`,
      definition: str(row.def),
      parent: relationKey(schema, table),
    });
  }

  for (const row of await db.query<Row>("SELECT e.extname AS name, e.extversion AS version FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql' ORDER BY 1")) {
    add({ key: `extension:${str(row.name)}`, kind: "extension", name: str(row.name), definition: `VERSION ${str(row.version)}` });
  }
  return entries;
}

/**
 * What differs between the snapshot before a migration and the one after its rollback.
 * An object inside one that is itself left or missing (a column of a table the rollback
 * left) is not reported on its own.
 */
export function diffCatalog(before: CatalogSnapshot, after: CatalogSnapshot, frozen?: FrozenWindow): CatalogDifference[] {
  const differences: CatalogDifference[] = [];
  const covered = (entry: CatalogEntry, other: CatalogSnapshot, own: CatalogSnapshot): boolean => {
    for (let parent = entry.parent; parent !== undefined; parent = own.get(parent)?.parent) {
      if (own.has(parent) && !other.has(parent)) return true;
    }
    return false;
  };
  for (const entry of after.values()) {
    const old = before.get(entry.key);
    if (!old) {
      if (!covered(entry, before, after)) differences.push({ change: "left", after: entry });
    } else if (old.definition !== entry.definition && (!frozen || withoutFrozen(old.definition, frozen) !== withoutFrozen(entry.definition, frozen))) {
      differences.push({ change: "changed", before: old, after: entry });
    }
  }
  for (const entry of before.values()) {
    if (!after.has(entry.key) && !covered(entry, after, before)) differences.push({ change: "missing", before: entry });
  }
  return differences;
}

/** When the run happened (milliseconds since the epoch): a timestamp constant from then was `'now'` frozen at creation. */
export interface FrozenWindow {
  from: number;
  to: number;
}

/** A date or timestamp literal as PostgreSQL prints a constant it folded: `'2026-12-07 17:42:26.123'::timestamp without time zone`. */
const TIME_CONSTANT = /'(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?))?(?:[+-]\d{2}(?::?\d{2})?)?'::(timestamp(?: with(?:out)? time zone)?|timestamptz|date)/g;
/** A day each side of the run: the constants are printed in the session's time zone, without one. */
const DAY = 86_400_000;

/**
 * The definition with each date or timestamp constant that falls within the run replaced by a marker: `DEFAULT 'now'`
 * and `'today'::date` are evaluated when the object is created, so a rollback that creates it again stores another
 * constant, and the definitions differ in nothing the migration wrote.
 */
export function withoutFrozen(definition: string, window: FrozenWindow): string {
  return definition.replace(TIME_CONSTANT, (constant: string, day: string, time: string | undefined, type: string) => {
    const at = Date.parse(`${day}T${time ?? "00:00:00"}Z`);
    return Number.isFinite(at) && at >= window.from - DAY && at <= window.to + DAY ? `'(created)'::${type}` : constant;
  });
}

/** Definitions longer than this are quoted in part: where they differ, with some context. */
const QUOTED_DEFINITION = 160;
/** How much of a long definition is quoted before the part that differs. */
const CONTEXT = 40;

/** "the rollback leaves column users.premium_tier, which did not exist before the migration" */
export function describeDifference(difference: CatalogDifference): string {
  const entry = (difference.after ?? difference.before)!;
  const what = `${entry.kind} ${entry.name}`;
  if (difference.change === "left") return `the rollback leaves ${what}, which did not exist before the migration`;
  if (difference.change === "missing") return `the rollback does not restore ${what}, which existed before the migration`;
  const old = difference.before!.definition;
  const now = difference.after!.definition;
  if (old.length > QUOTED_DEFINITION || now.length > QUOTED_DEFINITION) {
    const [before, after] = differingParts(old, now);
    return `the rollback does not restore ${what} as it was: its definition differs, before the migration ${before}, after the rollback ${after}`;
  }
  return `the rollback does not restore ${what} as it was: ${old || "(nothing)"} before the migration, ${now || "(nothing)"} after the rollback`;
}

/** Where two long definitions differ: `…context «old part»…` and `…context «new part»…`, each at most a few lines long. */
export function differingParts(old: string, now: string): [string, string] {
  let start = 0;
  while (start < old.length && start < now.length && old[start] === now[start]) start++;
  let end = 0;
  while (end < old.length - start && end < now.length - start && old[old.length - 1 - end] === now[now.length - 1 - end]) end++;
  const quote = (text: string) => {
    const context = text.slice(Math.max(0, start - CONTEXT), start).replace(/\s+/g, " ");
    const part = text.slice(start, text.length - end).replace(/\s+/g, " ");
    const shown = part.length > QUOTED_DEFINITION ? `${part.slice(0, QUOTED_DEFINITION)}…` : part;
    return `${start > CONTEXT ? "…" : ""}${context}«${shown}»${end > 0 ? "…" : ""}`;
  };
  return [quote(old), quote(now)];
}

function schemaKey(schema: string): string {
  return `schema:${schema}`;
}

/** Tables, views, indexes and sequences share one namespace in PostgreSQL; the key keeps them apart only by kind group. */
function relationKey(schema: string, name: string, group: "relation" | "index" | "sequence" = "relation"): string {
  return `${group}:${schema}.${name}`;
}

function typeKey(schema: string, name: string): string {
  return `type:${schema}.${name}`;
}

function displayName(schema: string, name: string): string {
  return schema === "public" ? name : `${schema}.${name}`;
}
