import { describe, expect, it } from "vitest";
import rule from "../../rules/require-primary-key.js";
import { expectDocsExamples, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

/** The ```sql blocks of the rule's docs page, under "## Example" and under "## Use instead". */
describe("require-primary-key", () => {
  it("is a strict-preset design rule", () => {
    expect(rule.meta).toMatchObject({ recommended: false, category: "design", severity: "careful" });
  });

  it("reports CREATE TABLE without a primary key, from CREATE to the table's name", () => {
    const sql = "SELECT 1;\nCREATE TABLE events (\n  name text,\n  at timestamptz\n);\nCREATE UNLOGGED TABLE IF NOT EXISTS app.\"Logs\" (line text UNIQUE NOT NULL);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 20), at(6, 1, 6, 47)]);
  });

  it("explains duplicates, logical replication and the cost of adding the key later", () => {
    const [finding] = lintSql("CREATE TABLE public.events (name text);", { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^CREATE TABLE public\.events declares no primary key, and no later statement of this file adds one\. /);
    expect(finding!.explanation).toContain("exact duplicates cannot be told apart");
    expect(finding!.explanation).toContain('fails on the primary ("does not have a replica identity")');
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE lock, which blocks every read and write of the table");
    expect(finding!.explanation).toContain("ALTER TABLE public.events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;");
    const [withId] = lintSql("CREATE TABLE events (id bigint NOT NULL, name text);", { rules: [rule] }).findings;
    expect(withId!.explanation).toContain("ALTER TABLE events ADD PRIMARY KEY (id);");
  });

  it("explains LIKE without INCLUDING INDEXES and INHERITS, which do not bring a primary key", () => {
    const [like, inherits] = lintSql("CREATE TABLE a (LIKE b INCLUDING DEFAULTS);\nCREATE TABLE c (x int) INHERITS (p);", { rules: [rule] }).findings;
    expect(like!.explanation).toContain("(LIKE copies the primary key only with INCLUDING INDEXES or INCLUDING ALL)");
    expect(inherits!.explanation).toContain("(a primary key is not inherited from an INHERITS parent)");
    expect(findingsOf(rule, "CREATE TABLE a (LIKE b INCLUDING ALL EXCLUDING INDEXES);")).toEqual([at(1, 1, 1, 15)]);
  });

  it("asks a partitioned table for a key including its partition key", () => {
    const sql = "CREATE TABLE events (id bigint, created_at timestamptz) PARTITION BY RANGE (created_at);";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 20)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("ALTER TABLE events ADD PRIMARY KEY (id, created_at);");
    expect(finding!.explanation).toContain("CONCURRENTLY on each partition and attached");
    const [expression] = lintSql("CREATE TABLE e (a text) PARTITION BY LIST (lower(a));", { rules: [rule] }).findings;
    expect(expression!.explanation).toContain("an expression in the partition key cannot be part of one");
  });

  it("reports CREATE TABLE … AS and SELECT … INTO, which cannot declare a key", () => {
    const sql = "CREATE TABLE archive AS SELECT * FROM events;\nSELECT * INTO copy FROM events;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 21), at(2, 1, 2, 31)]);
    const [ctas, into] = lintSql(sql, { rules: [rule] }).findings;
    expect(ctas!.explanation).toMatch(/^CREATE TABLE … AS creates archive without a primary key \(it cannot declare one\)/);
    expect(ctas!.explanation).toContain("ALTER TABLE archive ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;");
    expect(into!.explanation).toMatch(/^SELECT … INTO creates copy without a primary key/);
  });

  it("does not report a primary key declared in the statement, in any form", () => {
    const sql = [
      "CREATE TABLE a (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);",
      "CREATE TABLE b (x int, y int, CONSTRAINT b_pkey PRIMARY KEY (x, y));",
      "CREATE TABLE c (LIKE a INCLUDING ALL);",
      "CREATE TABLE d (LIKE a INCLUDING INDEXES, extra text);",
      "CREATE TABLE e OF pair (PRIMARY KEY (a));",
      "CREATE TABLE f (id bigint, created_at timestamptz, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report a primary key added later in the file, top level or in a DO block", () => {
    const sql = [
      "CREATE TABLE a (id bigint NOT NULL);",
      "CREATE TABLE b (name text);",
      "CREATE TABLE public.c AS SELECT 1 AS n;",
      "ALTER TABLE a ADD CONSTRAINT a_pkey PRIMARY KEY (id);",
      "ALTER TABLE b ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;",
      "DO $$ BEGIN ALTER TABLE c ADD PRIMARY KEY USING INDEX c_n_idx; END $$;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("still reports a key added to another table, or a key added before the table is created", () => {
    const sql = "ALTER TABLE a ADD PRIMARY KEY (id);\nCREATE TABLE a (id bigint);\nALTER TABLE b ADD PRIMARY KEY (id);\nALTER TABLE a ADD UNIQUE (id);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 15)]);
  });

  it("knows the table a later statement names by its schema, under the search_path", () => {
    expect(findingsOf(rule, "CREATE TABLE app.events (name text);\nALTER TABLE events ADD PRIMARY KEY (name);")).toEqual([at(1, 1, 1, 24)]);
    expect(findingsOf(rule, "CREATE TABLE app.events (name text);\nDROP TABLE events;")).toEqual([at(1, 1, 1, 24)]);
    expect(findingsOf(rule, "SET search_path = app;\nCREATE TABLE app.events (name text);\nALTER TABLE events ADD PRIMARY KEY (name);")).toEqual([]);
  });

  it("does not report tables dropped later in the file, temporary tables, partitions, or rollbacks", () => {
    const sql = [
      "CREATE TABLE staging (line text);",
      "CREATE TEMP TABLE scratch (line text);",
      "CREATE TEMPORARY TABLE t2 AS SELECT 1;",
      "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
      "DROP TABLE IF EXISTS staging;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
    const files = { "db/007_events.sql": "DROP TABLE events;" };
    expect(findingsOf(rule, "CREATE TABLE events (name text);", { filePath: "db/007_events.down.sql", files })).toEqual([]);
  });

  it("reports tables created in DO blocks", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  CREATE TABLE audit (line text);\nEND\n$$;")).toEqual([at(3, 3, 3, 21)]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, "-- CREATE TABLE t (a int);\n/* CREATE TABLE u AS SELECT 1; */\nSELECT 'CREATE TABLE t (a int)';")).toEqual([]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    expectDocsExamples(rule);
  });

  it("says in one short line which table has no primary key, with a one-line help", () => {
    const [plain] = lintSql("CREATE TABLE public.events (payload jsonb);", { rules: [rule] }).findings;
    expect(plain!.message).toBe("CREATE TABLE public.events has no primary key, and no later statement adds one");
    expect(plain!.help).toBe("Declare one in the CREATE TABLE: id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, or PRIMARY KEY (…) on the columns that identify a row");
    const [withId] = lintSql("CREATE TABLE events (id bigint, payload jsonb);", { rules: [rule] }).findings;
    expect(withId!.help).toBe("Declare id … PRIMARY KEY in the CREATE TABLE, or right after it while it is empty: ALTER TABLE events ADD PRIMARY KEY (id)");
    const [partitioned] = lintSql("CREATE TABLE events (id bigint, created_at timestamptz) PARTITION BY RANGE (created_at);", { rules: [rule] }).findings;
    expect(partitioned!.help).toBe("Declare PRIMARY KEY (id, created_at), with the partition key: ALTER TABLE events ADD PRIMARY KEY (id, created_at)");
    const [ctas] = lintSql("CREATE TABLE archive AS SELECT * FROM events;", { rules: [rule] }).findings;
    expect(ctas!.message).toBe("CREATE TABLE AS creates archive without a primary key, and no later statement adds one");
    expect(ctas!.help).toBe("Add one right after: ALTER TABLE archive ADD PRIMARY KEY (…), or ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
  });

  it("keeps messages within 100 characters with long names", () => {
    const n = "n".repeat(60);
    const sqls = [
      `CREATE TABLE ${n}.${n} (id bigint, payload jsonb);`,
      `CREATE TABLE ${n}.${n} (id bigint, ${n} timestamptz) PARTITION BY RANGE (${n});`,
      `CREATE TABLE ${n}.${n} AS SELECT 1;`,
      `SELECT 1 INTO ${n}.${n};`,
    ];
    for (const sql of sqls) {
      const { findings } = lintSql(sql, { rules: [rule] });
      expect(findings).toHaveLength(1);
      expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
      expect(findings[0]!.message).not.toContain("nnn…");
      expect(findings[0]!.help.length).toBeLessThanOrEqual(200);
    }
  });
});
