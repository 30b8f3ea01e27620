import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { historyGroups } from "../../src/project/work-queue.js";

/** The files of each group, as paths relative to the root, for readable expectations. */
function grouped(paths: string[]): string[][] {
  return historyGroups(paths).map((group) => group.map((index) => paths[index]!));
}

describe("historyGroups", () => {
  it("keeps a folder's migrations together, the groups in the order of their first file (the report's order)", () => {
    expect(grouped(["a/001.sql", "b/001.sql", "a/002.sql", "b/002.sql", "b/003.sql", "c/x.sql"])).toEqual([
      ["a/001.sql", "a/002.sql"],
      ["b/001.sql", "b/002.sql", "b/003.sql"],
      ["c/x.sql"],
    ]);
  });

  it("keeps one-migration-per-folder layouts (Prisma, Diesel) and version folders (temporal) in one group", () => {
    const prisma = ["prisma/migrations/20240101_init/migration.sql", "prisma/migrations/20240202_users/migration.sql"];
    const diesel = ["migrations/2024-01-01_a/up.sql", "migrations/2024-01-01_a/down.sql", "migrations/2024-02-01_b/up.sql"];
    const temporal = ["schema/versioned/v1.0/a.sql", "schema/versioned/v1.10/b.sql", "schema/versioned/v1.2/c.sql"];
    expect(grouped([...prisma, ...diesel, ...temporal])).toEqual([prisma, diesel, temporal]);
  });

  it("puts every file in exactly one group", () => {
    const segment = fc.constantFrom("a", "b", "v1.2", "v10", "m", "2024_x");
    const file = fc.constantFrom("001.sql", "002_x.sql", "migration.sql", "up.sql", "down.sql");
    const filePath = fc.tuple(fc.array(segment, { maxLength: 3 }), file).map(([dirs, name]) => path.join(...dirs, name));
    fc.assert(
      fc.property(fc.array(filePath, { maxLength: 40 }), (paths) => {
        const groups = historyGroups(paths);
        expect(groups.flat().sort((x, y) => x - y)).toEqual(paths.map((_, i) => i));
        for (let g = 1; g < groups.length; g++) expect(groups[g]![0]).toBeGreaterThan(groups[g - 1]![0]!);
        for (const group of groups) expect(group).toEqual([...group].sort((x, y) => x - y));
      }),
    );
  });
});
