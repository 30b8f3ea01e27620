import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { lintFile } from "../../src/embedded/lint-file.js";
import { createRunDiskAccess } from "../../src/engine/lint-source.js";

// What earlier migrations did to other tables changes nothing of a migration's findings: the history answers only for
// the objects it recorded, and says nothing of the others.

const TYPES = ["int", "bigint", "text", "varchar(20)", "varchar(200)", "timestamp", "timestamptz", "numeric(10, 2)"];
const type = fc.constantFrom(...TYPES);

/** An earlier migration touching only tables `u<n>` and their indexes. */
const unrelated = fc.oneof(
  fc.record({ n: fc.nat(3), column: type }).map(({ n, column }) => `CREATE TABLE IF NOT EXISTS u${n} (id bigint PRIMARY KEY, c ${column} NOT NULL);`),
  fc.record({ n: fc.nat(3), column: type }).map(({ n, column }) => `ALTER TABLE u${n} ALTER COLUMN c TYPE ${column};`),
  fc.nat(3).map((n) => `ALTER TABLE u${n} ALTER COLUMN c SET NOT NULL;`),
  fc.nat(3).map((n) => `CREATE INDEX IF NOT EXISTS u${n}_c ON u${n} (c);`),
  fc.nat(3).map((n) => `ALTER TABLE u${n} RENAME TO u${n}_old;`),
  fc.constant("SELECT broken FROM;"),
);

/** The migration under test: changes to table `t`, which no earlier migration names. */
const tested = fc
  .array(
    fc.oneof(
      type.map((column) => `ALTER TABLE t ALTER COLUMN c TYPE ${column};`),
      fc.constant("ALTER TABLE t ALTER COLUMN c SET NOT NULL;"),
      fc.constant("CREATE INDEX t_c ON t (c);"),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((statements) => statements.join("\n"));

function findingsIn(earlier: string[][], sql: string) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-unrelated-"));
  try {
    earlier.forEach((statements, i) => fs.writeFileSync(path.join(folder, `V${i + 1}__earlier.sql`), `${statements.join("\n")}\n`));
    const file = path.join(folder, `V${earlier.length + 1}__tested.sql`);
    fs.writeFileSync(file, sql);
    return lintFile(file, { rules: allRules, settings: DEFAULT_SETTINGS }, createRunDiskAccess()).findings.map(({ ruleId, message, range }) => ({ ruleId, message, range }));
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

describe("unrelated earlier migrations", () => {
  it("leave a migration's findings as they are with no earlier migration", () => {
    fc.assert(
      fc.property(fc.array(fc.array(unrelated, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), tested, (earlier, sql) => {
        expect(findingsIn(earlier, sql)).toEqual(findingsIn([], sql));
      }),
      { numRuns: 40 },
    );
  });
});
