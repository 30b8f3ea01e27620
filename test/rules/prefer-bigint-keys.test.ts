import { describe, expect, it } from "vitest";
import rule from "../../rules/prefer-bigint-keys.js";
import { expectDocsExamples, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

/** The ```sql blocks of the rule's docs page, under "## Example" and under "## Use instead". */
describe("prefer-bigint-keys", () => {
  it("is a strict-preset design rule without a fix", () => {
    expect(rule.meta).toMatchObject({ recommended: false, category: "design", severity: "careful" });
    expect(rule.meta.fixable).toBeUndefined();
  });

  it("reports integer and smallint primary keys and integer foreign keys of a CREATE TABLE at the column", () => {
    const sql = [
      "CREATE TABLE orders (",
      "  id serial PRIMARY KEY,",
      "  user_id int NOT NULL REFERENCES users (id),",
      "  shop_id integer,",
      "  status_id smallint REFERENCES statuses,",
      "  total numeric(12, 2),",
      "  FOREIGN KEY (shop_id) REFERENCES shops",
      ");",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 24), at(3, 3, 3, 45), at(4, 3, 4, 18)]);
  });

  it("reports a single-column table-level primary key, and only the serial columns of a composite one", () => {
    const sql = [
      "CREATE TABLE a (\n  id int4 NOT NULL,\n  CONSTRAINT a_pkey PRIMARY KEY (id)\n);",
      "CREATE TABLE b (\n  tenant_id bigint,\n  seq serial,\n  shard int2,\n  PRIMARY KEY (tenant_id, seq, shard)\n);",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 19), at(7, 3, 7, 13)]);
    const [, composite] = lintSql(sql, { rules: [rule] }).findings;
    expect(composite!.explanation).toMatch(/^Column seq of b is part of the primary key \(tenant_id, seq, shard\) and of type serial \(integer\): its values stop at 2,147,483,647\. Once the ids get there \(a sequence also uses up values for rolled-back inserts\)/);
  });

  it("reports the integer columns of a composite primary key that are foreign keys, as foreign keys", () => {
    const sql = "CREATE TABLE memberships (\n  user_id int REFERENCES users,\n  group_id int2 REFERENCES groups,\n  PRIMARY KEY (user_id, group_id)\n);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 31)]);
    expect(lintSql(sql, { rules: [rule] }).findings[0]!.explanation).toMatch(/^Column user_id of memberships is a foreign key to users/);
  });

  it("explains the limit, the error, and the rewrite that widening takes", () => {
    const [pk, fk] = lintSql("CREATE TABLE public.orders (id serial PRIMARY KEY, user_id int REFERENCES users);", { rules: [rule] }).findings;
    expect(pk!.explanation).toMatch(/^Column id of public\.orders is the primary key and of type serial \(integer\): its values stop at 2,147,483,647\./);
    expect(pk!.explanation).toContain("every INSERT into public.orders fails");
    expect(pk!.explanation).toContain("rewrites public.orders and its indexes under an ACCESS EXCLUSIVE lock, which blocks every read and write of the table");
    expect(pk!.explanation).toContain("every foreign key column referencing it");
    expect(pk!.explanation).toContain("declare the column as id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY in CREATE TABLE public.orders");
    expect(fk!.explanation).toMatch(/^Column user_id of public\.orders is a foreign key to users and of type integer: it cannot hold an id above 2,147,483,647/);
    expect(fk!.explanation).toContain("declare the column as user_id bigint REFERENCES users in CREATE TABLE public.orders");
    expect(fk!.explanation).toContain("make the key it references bigint too");
    const [small] = lintSql("CREATE TABLE countries (id smallint PRIMARY KEY);", { rules: [rule] }).findings;
    expect(small!.explanation).toContain("its values stop at 32,767");
    expect(small!.explanation).toContain('A larger value cannot be stored: inserting one into countries fails with "smallint out of range".');
    expect(small!.explanation).toContain("The 6 extra bytes per row");
  });

  it("words the limit for ids a sequence hands out: serial, identity, DEFAULT nextval(…)", () => {
    const sql = "CREATE TABLE a (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\nCREATE TABLE b (id int DEFAULT nextval('b_seq') PRIMARY KEY);\nCREATE TABLE c (id int PRIMARY KEY);";
    const [a, b, c] = lintSql(sql, { rules: [rule] }).findings;
    expect(a!.explanation).toContain("Once the ids get there (a sequence also uses up values for rolled-back inserts), every INSERT into a fails (the sequence reaches its maximum value");
    expect(b!.explanation).toContain("Once the ids get there");
    expect(c!.explanation).toContain('A larger value cannot be stored: inserting one into c fails with "integer out of range".');
  });

  it("reports ADD COLUMN with a key and ALTER COLUMN … TYPE of a key at the action", () => {
    const sql = "CREATE TABLE t (id bigint PRIMARY KEY, owner_id bigint REFERENCES users);\nALTER TABLE t ALTER COLUMN id TYPE int, ALTER COLUMN owner_id TYPE integer, ADD COLUMN team_id integer REFERENCES teams, ADD COLUMN n int;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 15, 2, 39), at(2, 41, 2, 75), at(2, 77, 2, 120)]);
    const [retype, , add] = lintSql(sql, { rules: [rule] }).findings;
    expect(retype!.explanation).toMatch(/^ALTER TABLE t ALTER COLUMN id TYPE integer makes id, the primary key, integer/);
    expect(retype!.explanation).toContain("ALTER TABLE t ALTER COLUMN id TYPE bigint;");
    expect(add!.explanation).toContain("ALTER TABLE t ADD COLUMN team_id bigint REFERENCES teams;");
  });

  it("takes `id` and `…_id` for keys in ALTER COLUMN … TYPE of a table the file does not create", () => {
    const sql = "ALTER TABLE users ALTER COLUMN id TYPE integer, ALTER COLUMN org_id TYPE int, ALTER COLUMN rank_id TYPE smallint, ALTER COLUMN age TYPE int;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 47), at(1, 49, 1, 77)]);
    const [id, org] = lintSql(sql, { rules: [rule] }).findings;
    expect(id!.explanation).toMatch(/^ALTER TABLE users ALTER COLUMN id TYPE integer makes id, by its name the primary key, integer/);
    expect(org!.explanation).toMatch(/^ALTER TABLE users ALTER COLUMN org_id TYPE integer makes org_id, by its name a foreign key, integer: .* once the referenced ids get there/);
  });

  it("reports a key added later to an integer column created in the file, at the ADD action", () => {
    const sql = "CREATE TABLE t (\n  k int,\n  v int\n);\nALTER TABLE t ADD PRIMARY KEY (k), ADD CONSTRAINT t_v_fkey FOREIGN KEY (v) REFERENCES users;";
    expect(findingsOf(rule, sql)).toEqual([at(5, 15, 5, 34), at(5, 36, 5, 92)]);
    const [pk, fk] = lintSql(sql, { rules: [rule] }).findings;
    expect(pk!.explanation).toMatch(/^ALTER TABLE t ADD PRIMARY KEY makes k the primary key, and k is integer \(line 2\): its values stop at 2,147,483,647/);
    expect(pk!.explanation).toContain("declare k as bigint where this file gives it its type (line 2)");
    expect(fk!.explanation).toMatch(/^ALTER TABLE t ADD FOREIGN KEY makes v a foreign key to users, and v is integer \(line 3\)/);
    const [identity] = lintSql("CREATE TABLE u (id int GENERATED BY DEFAULT AS IDENTITY);\nALTER TABLE u ADD PRIMARY KEY (id);", { rules: [rule] }).findings;
    expect(identity!.explanation).toContain("Once the ids get there (a sequence also uses up values for rolled-back inserts)");
  });

  it("says in one short line which key stops where, with a one-line help", () => {
    const [pk, fk] = lintSql("CREATE TABLE public.orders (id serial PRIMARY KEY, user_id int REFERENCES users);", { rules: [rule] }).findings;
    expect(pk!.message).toBe("Primary key public.orders.id is serial (integer), which stops at 2,147,483,647");
    expect(pk!.help).toBe("Declare it as id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY in CREATE TABLE public.orders");
    expect(fk!.message).toBe("Foreign key public.orders.user_id (to users) is integer, which stops at 2,147,483,647");
    expect(fk!.help).toBe("Declare it as user_id bigint REFERENCES users in CREATE TABLE public.orders, and the key it references");
    const sql = "CREATE TABLE t (\n  k int,\n  v int\n);\nALTER TABLE t ADD PRIMARY KEY (k), ALTER COLUMN v TYPE int, ADD COLUMN team_id integer REFERENCES teams;";
    const [added, column, none] = lintSql(sql, { rules: [rule] }).findings;
    expect(added!.message).toBe("ADD PRIMARY KEY on t.k, integer since line 2: it stops at 2,147,483,647");
    expect(added!.help).toBe("Declare k as bigint where this file gives it its type (line 2)");
    expect(column!.message).toBe("Foreign key t.team_id (to teams) is integer, which stops at 2,147,483,647");
    expect(column!.help).toBe("Use bigint: ALTER TABLE t ADD COLUMN team_id bigint REFERENCES teams (with its other clauses), and the key it references");
    expect(none).toBeUndefined();
    const [byName] = lintSql("ALTER TABLE users ALTER COLUMN id TYPE integer;", { rules: [rule] }).findings;
    expect(byName!.message).toBe("ALTER COLUMN id TYPE integer makes users.id (primary key by name) stop at 2,147,483,647");
  });

  it("keeps messages within 100 characters with long names", () => {
    const n = "n".repeat(60);
    const sqls = [
      `CREATE TABLE ${n}.${n} (${n} serial PRIMARY KEY, ${n}_id int REFERENCES ${n}.${n});`,
      `CREATE TABLE ${n} (${n} int, ${n}_b serial, PRIMARY KEY (${n}, ${n}_b));\nALTER TABLE ${n} ADD CONSTRAINT c FOREIGN KEY (${n}) REFERENCES ${n};`,
      `ALTER TABLE ${n}.${n} ALTER COLUMN id TYPE integer, ALTER COLUMN ${n}_id TYPE integer, ADD COLUMN ${n}_id int REFERENCES ${n};`,
    ];
    for (const sql of sqls) {
      const { findings } = lintSql(sql, { rules: [rule] });
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        expect(finding.message.length).toBeLessThanOrEqual(100);
        expect(finding.help.length).toBeLessThanOrEqual(200);
      }
    }
  });

  it("follows the column's type through the file, in DO blocks too", () => {
    const sql = [
      "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int;",
      "ALTER TABLE t ALTER COLUMN b TYPE bigint;",
      "DO $$ BEGIN ALTER TABLE t ADD PRIMARY KEY (a); END $$;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(3, 27, 3, 46)]);
    expect(findingsOf(rule, "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b bigint;\nALTER TABLE t ADD PRIMARY KEY (a, b);")).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE t ADD COLUMN a serial, ADD COLUMN b bigint;\nALTER TABLE t ADD PRIMARY KEY (b, a);")).toEqual([at(2, 15, 2, 37)]);
    const dropped = "CREATE TABLE t (k int);\nDROP TABLE t;\nCREATE TABLE t (k bigint);\nALTER TABLE t ADD PRIMARY KEY (k);";
    expect(findingsOf(rule, dropped)).toEqual([]);
  });

  it("knows the table a name refers to: through a rename, and by its schema under the search_path", () => {
    expect(findingsOf(rule, "CREATE TABLE a (k int);\nALTER TABLE a RENAME TO b;\nALTER TABLE b ADD PRIMARY KEY (k);")).toEqual([at(3, 15, 3, 34)]);
    expect(findingsOf(rule, "CREATE TABLE app.t (k int);\nALTER TABLE t ADD PRIMARY KEY (k);")).toEqual([]);
    expect(findingsOf(rule, "SET search_path TO app;\nCREATE TABLE app.t (k int);\nALTER TABLE t ADD PRIMARY KEY (k);")).toEqual([at(3, 15, 3, 34)]);
  });

  it("reports an integer column already reported as a key only once", () => {
    const sql = "CREATE TABLE t (k int PRIMARY KEY, v int REFERENCES users);\nALTER TABLE t ADD UNIQUE (k), ADD FOREIGN KEY (v) REFERENCES accounts;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 17, 1, 34), at(1, 36, 1, 58)]);
  });

  it("reports tables created earlier in the same file: the advice is about the schema being designed", () => {
    expect(findingsOf(rule, "CREATE TABLE t (name text);\nALTER TABLE t ADD COLUMN id serial PRIMARY KEY;")).toEqual([at(2, 15, 2, 47)]);
  });

  it("reports statements run by DO blocks", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  CREATE TABLE t (id int PRIMARY KEY);\nEND\n$$;")).toEqual([at(3, 19, 3, 37)]);
  });

  it("does not report the safe alternative, non-key integers, smallint foreign keys, or other key types", () => {
    const sql = [
      "CREATE TABLE orders (",
      "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,",
      "  user_id bigint NOT NULL REFERENCES users (id),",
      "  status_id smallint REFERENCES statuses,",
      "  quantity integer NOT NULL,",
      "  tags int[]",
      ");",
      "CREATE TABLE sessions (token uuid PRIMARY KEY, code text REFERENCES codes, n bigserial UNIQUE);",
      "CREATE TABLE pairs (a bigint, b uuid, PRIMARY KEY (a, b));",
      "ALTER TABLE orders ALTER COLUMN quantity TYPE int, ALTER COLUMN user_id TYPE bigint, ADD COLUMN shop_id bigint REFERENCES shops;",
      "ALTER TABLE legacy ADD PRIMARY KEY (id), ALTER COLUMN count TYPE integer;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not guess from the name of a column the file created without a key", () => {
    expect(findingsOf(rule, "CREATE TABLE t (id bigint, parent_id bigint);\nALTER TABLE t ALTER COLUMN id TYPE int, ALTER COLUMN parent_id TYPE int;")).toEqual([]);
  });

  it("does not report temporary tables or rollbacks", () => {
    expect(findingsOf(rule, "CREATE TEMP TABLE scratch (id int PRIMARY KEY);")).toEqual([]);
    const files = { "db/006_orders.sql": "DROP TABLE orders;" };
    expect(findingsOf(rule, "CREATE TABLE orders (id serial PRIMARY KEY);", { filePath: "db/006_orders.down.sql", files })).toEqual([]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, "-- CREATE TABLE t (id int PRIMARY KEY);\nSELECT 'CREATE TABLE t (id serial PRIMARY KEY)';")).toEqual([]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    expectDocsExamples(rule);
  });
});
