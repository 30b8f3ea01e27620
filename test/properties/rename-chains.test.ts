import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintSource } from "../../src/engine/lint-source.js";
import type { ObjectKind } from "../../src/facts/history.js";
import { MigrationFacts } from "../../src/facts/index.js";
import type { QualifiedName } from "../../src/parser/ast.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { internalErrors, noFiles } from "./generators.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

// An object keeps one identity through every name the file gives it: created in the file, it
// stays new (nothing running uses it, dropping it loses nothing) under its last name; existing
// before the file, it stays old, and a table's rows are lost whatever name it is dropped under.

type Kind = "table" | "view" | "materialized-view" | "sequence" | "index" | "function" | "type";

interface KindSql {
  /** What creates the object `n` (the index: on table `on`, created just before). */
  create(n: string, on: string): string[];
  rename(n: string, to: string): string;
  drop(n: string): string;
  /** The rule that reports dropping an object of this kind that existed before the file. */
  dropRule: string;
}

const KINDS: Record<Kind, KindSql> = {
  table: { create: (n) => [`CREATE TABLE ${n} (id int);`], rename: (n, to) => `ALTER TABLE ${n} RENAME TO ${to};`, drop: (n) => `DROP TABLE ${n};`, dropRule: "drop-table" },
  view: { create: (n) => [`CREATE VIEW ${n} AS SELECT 1 AS x;`], rename: (n, to) => `ALTER VIEW ${n} RENAME TO ${to};`, drop: (n) => `DROP VIEW ${n};`, dropRule: "drop-view" },
  "materialized-view": {
    create: (n) => [`CREATE MATERIALIZED VIEW ${n} AS SELECT 1 AS x;`],
    rename: (n, to) => `ALTER MATERIALIZED VIEW ${n} RENAME TO ${to};`,
    drop: (n) => `DROP MATERIALIZED VIEW ${n};`,
    dropRule: "drop-materialized-view",
  },
  sequence: { create: (n) => [`CREATE SEQUENCE ${n};`], rename: (n, to) => `ALTER SEQUENCE ${n} RENAME TO ${to};`, drop: (n) => `DROP SEQUENCE ${n};`, dropRule: "drop-sequence" },
  // An index on a table that is new too: dropping it without CONCURRENTLY blocks nobody.
  index: {
    // CREATE INDEX takes no schema in the index's name: the index goes in its table's.
    create: (n, on) => [`CREATE TABLE ${on} (c int);`, `CREATE INDEX ${n.replace(/^.*\./, "")} ON ${on} (c);`],
    rename: (n, to) => `ALTER INDEX ${n} RENAME TO ${to};`,
    drop: (n) => `DROP INDEX ${n};`,
    dropRule: "require-concurrent-index-drop",
  },
  function: {
    create: (n) => [`CREATE FUNCTION ${n}() RETURNS int LANGUAGE sql AS $fn$ SELECT 1 $fn$;`],
    rename: (n, to) => `ALTER FUNCTION ${n}() RENAME TO ${to};`,
    drop: (n) => `DROP FUNCTION ${n}();`,
    dropRule: "drop-function",
  },
  type: { create: (n) => [`CREATE TYPE ${n} AS ENUM ('a', 'b');`], rename: (n, to) => `ALTER TYPE ${n} RENAME TO ${to};`, drop: (n) => `DROP TYPE ${n};`, dropRule: "drop-type" },
};

const DROP_RULES = ["drop-table", "drop-view", "drop-materialized-view", "drop-sequence", "drop-function", "drop-type", "require-concurrent-index-drop"];

/** Statements about other objects, in between the chain's. */
const UNRELATED = [
  "ALTER TABLE other ADD COLUMN note text;",
  "CREATE TABLE unrelated (id int);",
  "SELECT 1;",
  "UPDATE other SET note = 'x' WHERE id = 1;",
  "COMMENT ON TABLE other IS 'kept';",
  "CREATE INDEX CONCURRENTLY other_note ON other (note);",
  "CREATE SEQUENCE unrelated_seq;",
];

/** Where names live: bare (public), all schema-qualified, or after SET search_path, each qualified or not. */
type Naming = "bare" | "qualified" | "search-path";

/** How one reference to a name is spelled: PostgreSQL folds unquoted names to lower case. */
type Spelling = "lower" | "upper" | "title" | "quoted";

interface Chain {
  kind: Kind;
  created: boolean;
  /** The object's names in order: the first is its origin's, the last the one dropped. */
  names: string[];
  naming: Naming;
  /** For search-path naming: whether each reference is schema-qualified. */
  qualify: boolean[];
  spelling: Spelling[];
  /** Whether each step (create, renames, drop) runs in a DO block. */
  inDo: boolean[];
  /** Unrelated statements before each step. */
  fillers: string[][];
  /** A table's column renamed under its final name, after the chain. */
  renameColumn: boolean;
}

const chain: fc.Arbitrary<Chain> = fc
  .record({
    kind: fc.constantFrom<Kind>("table", "view", "materialized-view", "sequence", "index", "function", "type"),
    created: fc.boolean(),
    names: fc.uniqueArray(fc.constantFrom("alpha", "beta", "gamma", "delta", "epsilon", "zeta"), { minLength: 1, maxLength: 5 }),
    naming: fc.constantFrom<Naming>("bare", "qualified", "search-path"),
    qualify: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    spelling: fc.array(fc.constantFrom<Spelling>("lower", "lower", "upper", "title", "quoted"), { minLength: 16, maxLength: 16 }),
    inDo: fc.array(fc.constantFrom(false, false, false, true), { minLength: 6, maxLength: 6 }),
    fillers: fc.array(fc.array(fc.constantFrom(...UNRELATED), { maxLength: 2 }), { minLength: 7, maxLength: 7 }),
    renameColumn: fc.boolean(),
  })
  .map((c) => ({ ...c, renameColumn: c.renameColumn && c.kind === "table" }));

interface Built {
  text: string;
  /** The DROP's line. */
  dropLine: number;
  /** The lines of the RENAME statements, in order. */
  renameLines: number[];
  /** The dropped name, folded as PostgreSQL reads it. */
  finalName: QualifiedName;
}

function build(c: Chain): Built {
  const lines: string[] = [];
  let ref = 0;
  let spelled = 0;
  const spell = (n: string) => {
    const how = c.spelling[spelled++ % c.spelling.length]!;
    return how === "upper" ? n.toUpperCase() : how === "title" ? n[0]!.toUpperCase() + n.slice(1) : how === "quoted" ? `"${n}"` : n;
  };
  const qualified = () => c.naming === "qualified" || (c.naming === "search-path" && c.qualify[ref++ % c.qualify.length]!);
  const name = (n: string) => (qualified() ? `${spell("app")}.${spell(n)}` : spell(n));
  const fill = (step: number) => lines.push(...c.fillers[step % c.fillers.length]!);
  let step = 0;
  /** A step of the chain, on one line: in a DO block or not. */
  const push = (statement: string) => lines.push(c.inDo[step++ % c.inDo.length] ? `DO $$ BEGIN ${statement} END $$;` : statement);
  if (c.naming === "search-path") lines.push("SET search_path TO app, public;");
  fill(0);
  if (c.created) {
    const [first, ...rest] = KINDS[c.kind].create(name(c.names[0]!), name("base_tbl")).reverse();
    lines.push(...rest.reverse());
    push(first!);
  }
  const renameLines: number[] = [];
  for (let i = 1; i < c.names.length; i++) {
    fill(i);
    renameLines.push(lines.length + 1);
    push(KINDS[c.kind].rename(name(c.names[i - 1]!), spell(c.names[i]!)));
  }
  fill(c.names.length);
  const dropped = name(c.names[c.names.length - 1]!);
  if (c.renameColumn) lines.push(`ALTER TABLE ${dropped} RENAME COLUMN id TO ident;`);
  const dropLine = lines.length + 1;
  push(KINDS[c.kind].drop(dropped));
  const last = c.names[c.names.length - 1]!;
  return {
    text: lines.map((line) => `${line}\n`).join(""),
    dropLine,
    renameLines,
    finalName: dropped.includes(".") ? { schema: "app", name: last } : { name: last },
  };
}

const lint = (text: string) => lintSource(text, "/m/001_x.sql", { settings: DEFAULT_SETTINGS, rules: allRules }, noFiles);
const RUNS = 300;

describe("rename chains (fast-check)", () => {
  it("a chain from a CREATE in the file gets no drop or rename-table finding; no chain costs an internal error", () => {
    fc.assert(
      fc.property(chain, (c) => {
        const { text } = build(c);
        const result = lint(text);
        expect(result.errors).toEqual([]);
        expect(internalErrors(result)).toEqual([]);
        if (!c.created) return;
        const reported = result.findings.filter((finding) => DROP_RULES.includes(finding.ruleId) || finding.ruleId === "rename-table" || finding.ruleId === "rename-column");
        expect(reported.map((finding) => `${finding.ruleId}@${finding.loc.start.line}`)).toEqual([]);
      }),
      { seed: 20_250_631, numRuns: RUNS },
    );
  });

  it("an existing table dropped under its last name is reported by drop-table as dangerous; its column rename by rename-column", () => {
    fc.assert(
      fc.property(
        chain.filter((c) => c.kind === "table" && !c.created),
        (c) => {
          const { text, dropLine } = build(c);
          const findings = lint(text).findings;
          expect(findings.filter((finding) => finding.ruleId === "drop-table").map((finding) => [finding.severity, finding.loc.start.line])).toEqual([["dangerous", dropLine]]);
          expect(findings.filter((finding) => finding.ruleId === "rename-column").map((finding) => finding.loc.start.line)).toEqual(c.renameColumn ? [dropLine - 1] : []);
        },
      ),
      { seed: 20_250_632, numRuns: RUNS },
    );
  });

  it("an existing table, view or materialized view renamed in steps: only the first rename breaks running code (rename-table)", () => {
    fc.assert(
      fc.property(
        chain.filter((c) => !c.created && c.names.length > 1 && (c.kind === "table" || c.kind === "view" || c.kind === "materialized-view")),
        (c) => {
          const { text, renameLines } = build(c);
          expect(lint(text).findings.filter((finding) => finding.ruleId === "rename-table").map((finding) => finding.loc.start.line)).toEqual([renameLines[0]]);
        },
      ),
      { seed: 20_250_633, numRuns: RUNS },
    );
  });

  it("an existing object dropped under the name it had before the file is reported by its kind's rule", () => {
    fc.assert(
      fc.property(
        chain.filter((c) => !c.created).map((c) => ({ ...c, names: c.names.slice(0, 1) })),
        (c) => {
          const { text, dropLine } = build(c);
          const rule = KINDS[c.kind].dropRule;
          expect(lint(text).findings.filter((finding) => finding.ruleId === rule).map((finding) => finding.loc.start.line)).toEqual([dropLine]);
        },
      ),
      { seed: 20_250_634, numRuns: RUNS },
    );
  });

  it("history.isNew(drop, kind, final name) is true exactly for chains from a CREATE", () => {
    fc.assert(
      fc.property(chain, (c) => {
        const { text, finalName } = build(c);
        const parsed = parseFile(text);
        const facts = new MigrationFacts(parsed, { pgVersion: 14 });
        const drop = facts.order.statements[facts.order.statements.length - 1]!;
        expect(drop.kind).toBe("DropStmt");
        expect(facts.history.isNew(drop, c.kind as ObjectKind, finalName)).toBe(c.created);
        expect(facts.faults).toEqual([]);
      }),
      { seed: 20_250_635, numRuns: RUNS },
    );
  });
});

describe("rename chains: one identity per object", () => {
  const reported = (text: string) => lint(text).findings.filter((finding) => /^(drop|rename)-/.test(finding.ruleId)).map((finding) => `${finding.ruleId}@${finding.loc.start.line}`);

  it("a name freed by a rename and taken by a CREATE: the new table drops freely, the old one under its new name does not", () => {
    expect(reported("ALTER TABLE a RENAME TO b;\nCREATE TABLE a (id int);\nDROP TABLE a;\nDROP TABLE b;\n")).toEqual(["rename-table@1", "drop-table@4"]);
  });

  it("two existing tables swapping names: the one dropped is old", () => {
    expect(reported("ALTER TABLE a RENAME TO tmp;\nALTER TABLE b RENAME TO a;\nALTER TABLE tmp RENAME TO b;\nDROP TABLE a;\n")).toEqual(["rename-table@1", "rename-table@2", "drop-table@4"]);
  });

  it("SET SCHEMA keeps the identity: new stays new, old stays old", () => {
    expect(reported("CREATE TABLE a (id int);\nALTER TABLE a SET SCHEMA archive;\nDROP TABLE archive.a;\n")).toEqual([]);
    expect(reported("ALTER TABLE a SET SCHEMA archive;\nDROP TABLE archive.a;\n")).toEqual(["drop-table@2"]);
  });

  it("a table created in public is not the one an unqualified name means after SET search_path TO app", () => {
    expect(reported("CREATE TABLE public.a (id int);\nSET search_path TO app;\nDROP TABLE a;\n")).toEqual(["drop-table@3"]);
    expect(reported("SET search_path TO app;\nCREATE TABLE a (id int);\nRESET search_path;\nDROP TABLE a;\n")).toEqual(["drop-table@4"]);
  });
});

describe("rename chains: fixed this morning", () => {
  it("CREATE TABLE t2; RENAME TO t3; DROP TABLE t3 gets no drop-table finding", () => {
    const findings = lint("CREATE TABLE t2 (id int);\nALTER TABLE t2 RENAME TO t3;\nDROP TABLE t3;\n").findings;
    expect(findings.filter((finding) => finding.ruleId === "drop-table")).toEqual([]);
  });

  it("RENAME COLUMN of an existing table under its new name gets a rename-column finding", () => {
    const findings = lint("ALTER TABLE existing RENAME TO x;\nALTER TABLE x RENAME COLUMN a TO b;\n").findings;
    expect(findings.filter((finding) => finding.ruleId === "rename-column").map((finding) => finding.loc.start.line)).toEqual([2]);
  });
});
