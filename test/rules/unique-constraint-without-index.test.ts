import { describe, expect, it } from "vitest";
import rule from "../../rules/unique-constraint-without-index.js";
import { docsSqlBlocks, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

/** The SQL blocks of a section of the rule's docs page. */
const docsSql = (section: string): string => docsSqlBlocks("unique-constraint-without-index", section).join("\n");

/** Lints SQL quoted from a help text: it must parse and pass. */
function passes(sql: string): void {
  const result = lintSql(sql, { rules: [rule] });
  expect(result.errors).toEqual([]);
  expect(result.findings).toEqual([]);
}

describe("unique-constraint-without-index", () => {
  it("reports ADD CONSTRAINT … UNIQUE at the action, with the lock and the index-then-attach help", () => {
    const sql = "ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email);";
    expect(findingsOf(rule, sql)).toEqual([at(1, 26, 1, 71)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("ADD CONSTRAINT users_email_key UNIQUE locks public.users while its index builds (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe(
      "Use CREATE UNIQUE INDEX CONCURRENTLY users_email_key_idx ON public.users (email), then ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key_idx",
    );
    expect(finding!.explanation).toMatch(
      /^ALTER TABLE public\.users ADD CONSTRAINT users_email_key UNIQUE \(email\) builds a unique index on public\.users while holding an ACCESS EXCLUSIVE lock, which blocks every read and write of the table/,
    );
    expect(finding!.explanation).toContain("no rewrite");
    expect(finding!.explanation).toContain("A single duplicate aborts it");
    const steps =
      "CREATE UNIQUE INDEX CONCURRENTLY users_email_key_idx ON public.users (email); ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key_idx;";
    expect(finding!.explanation).toContain(steps);
    expect(finding!.explanation).toContain("cannot run inside a transaction block");
    expect(finding!.explanation).toContain("INVALID index");
    passes(steps);
  });

  it("carries INCLUDE, NULLS NOT DISTINCT and DEFERRABLE over, and names unnamed constraints as PostgreSQL would", () => {
    const sql = "ALTER TABLE users ADD UNIQUE NULLS NOT DISTINCT (org_id, email) INCLUDE (name) DEFERRABLE INITIALLY DEFERRED, ADD PRIMARY KEY (id);";
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 109), at(1, 111, 1, 131)]);
    const [unique, primary] = lintSql(sql, { rules: [rule] }).findings;
    const uniqueSteps =
      "CREATE UNIQUE INDEX CONCURRENTLY users_org_id_email_key_idx ON users (org_id, email) INCLUDE (name) NULLS NOT DISTINCT; " +
      "ALTER TABLE users ADD CONSTRAINT users_org_id_email_key UNIQUE USING INDEX users_org_id_email_key_idx DEFERRABLE INITIALLY DEFERRED;";
    expect(unique!.explanation).toContain(uniqueSteps);
    passes(uniqueSteps);
    expect(primary!.message).toBe("ADD CONSTRAINT users_pkey PRIMARY KEY (id) locks users while its index builds (ACCESS EXCLUSIVE)");
    expect(primary!.help).toBe(
      "Use CREATE UNIQUE INDEX CONCURRENTLY users_pkey_idx ON users (id), then ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey_idx " +
        "after proving NOT NULL with a validated CHECK",
    );
    expect(primary!.explanation).toMatch(/^ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY \(id\) builds a unique index/);
    expect(primary!.explanation).toContain("NOT NULL");
  });

  it("proves a primary key's columns NOT NULL with a validated CHECK before attaching the index", () => {
    const [finding] = lintSql("ALTER TABLE users ADD CONSTRAINT users_pk PRIMARY KEY (tenant, id);", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain(
      "CREATE UNIQUE INDEX CONCURRENTLY users_pk_idx ON users (tenant, id); " +
        "ALTER TABLE users ADD CONSTRAINT users_tenant_id_not_null CHECK (tenant IS NOT NULL AND id IS NOT NULL) NOT VALID; " +
        "then, in a separate transaction, ALTER TABLE users VALIDATE CONSTRAINT users_tenant_id_not_null; " +
        "ALTER TABLE users ADD CONSTRAINT users_pk PRIMARY KEY USING INDEX users_pk_idx; ALTER TABLE users DROP CONSTRAINT users_tenant_id_not_null;",
    );
    expect(finding!.explanation).toContain("PostgreSQL 12+ then skips that scan");
  });

  it("reports ADD COLUMN … UNIQUE and … PRIMARY KEY, keeping the column's other clauses in the help", () => {
    const sql = "ALTER TABLE users ADD COLUMN code text CONSTRAINT code_uq UNIQUE DEFERRABLE NOT NULL DEFAULT 'x';";
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 97)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("ADD COLUMN code UNIQUE locks users while its index builds (ACCESS EXCLUSIVE)");
    expect(finding!.explanation).toMatch(/^ALTER TABLE users ADD COLUMN code … UNIQUE builds a unique index on users/);
    const steps =
      "ALTER TABLE users ADD COLUMN code text NOT NULL DEFAULT 'x'; CREATE UNIQUE INDEX CONCURRENTLY code_uq_idx ON users (code); " +
      "ALTER TABLE users ADD CONSTRAINT code_uq UNIQUE USING INDEX code_uq_idx DEFERRABLE;";
    expect(finding!.explanation).toContain(steps);
    passes(steps);
    const both = "ALTER TABLE users ADD COLUMN n int UNIQUE, ADD COLUMN m bigint PRIMARY KEY;";
    expect(findingsOf(rule, both)).toEqual([at(1, 19, 1, 42), at(1, 44, 1, 75)]);
    const [, pk] = lintSql(both, { rules: [rule] }).findings;
    expect(pk!.explanation).toContain("ALTER TABLE users ADD COLUMN m bigint; CREATE UNIQUE INDEX CONCURRENTLY users_pkey_idx ON users (m);");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_column_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} ADD CONSTRAINT ${long}_key UNIQUE (${long}, ${long}_b);`,
      `ALTER TABLE app.${long} ADD PRIMARY KEY (${long}, tenant_id);`,
      `ALTER TABLE app.${long} ADD COLUMN ${long} text UNIQUE;`,
    ];
    for (const sql of sqls) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("does not report USING INDEX, other constraints, or the safe alternative of the docs page", () => {
    const sql = [
      "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
      "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey_idx;",
      "ALTER TABLE users ADD CONSTRAINT k CHECK (a > 0), ADD COLUMN c int REFERENCES orgs NOT NULL;",
      "CREATE UNIQUE INDEX CONCURRENTLY users_code_idx ON users (code);",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
    expect(lintSql(docsSql("Use instead"), { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, docsSql("Use instead"))).toEqual([]);
    expect(findingsOf(rule, docsSql("Example")).length).toBeGreaterThan(0);
  });

  it("does not report tables created earlier in the file, and reports a table created after", () => {
    const sql = "CREATE TABLE t (a int, b int);\nALTER TABLE t ADD UNIQUE (a), ADD PRIMARY KEY (b), ADD COLUMN c int UNIQUE;";
    expect(findingsOf(rule, sql)).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE t ADD UNIQUE (a);\nCREATE TABLE t (a int);")).toEqual([at(1, 15, 1, 29)]);
  });

  it("reports statements run by a DO block at their place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE t ADD UNIQUE (a);\nEND\n$$;")).toEqual([at(3, 17, 3, 31)]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- unicité « email » 🎉\r\nCOMMENT ON TABLE users IS 'été';\r\nALTER TABLE users\r\n  ADD UNIQUE (email);";
    expect(findingsOf(rule, sql)).toEqual([at(4, 3, 4, 21)]);
  });

  it("does not report SQL in comments and strings", () => {
    const sql = "-- ALTER TABLE users ADD UNIQUE (email);\n/* ALTER TABLE users ADD PRIMARY KEY (id); */\nSELECT 'ALTER TABLE users ADD UNIQUE (email);';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});
