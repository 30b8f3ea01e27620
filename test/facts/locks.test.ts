import { beforeAll, describe, expect, it } from "vitest";
import { strongest } from "../../src/facts/locks.js";
import { loadParser } from "../../src/parser/pg.js";
import { factsOf } from "./facts-of.js";

beforeAll(() => loadParser());

const locksOf = (sql: string, pgVersion = 14) => {
  const { facts, all } = factsOf(sql, { pgVersion });
  return facts.locks.of(all[all.length - 1]!).map((lock) => [lock.level, lock.label, lock.action]);
};

describe("locks: what each statement locks, other tables included", () => {
  it("ALTER TABLE: the strongest lock of its actions on the table, and SHARE ROW EXCLUSIVE on the table a foreign key references", () => {
    expect(locksOf("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id), ADD COLUMN note text")).toEqual([
      ["ACCESS EXCLUSIVE", "orders", "ALTER TABLE orders"],
      ["SHARE ROW EXCLUSIVE", "users", "ALTER TABLE orders (its foreign key to users)"],
    ]);
    expect(locksOf("ALTER TABLE orders VALIDATE CONSTRAINT fk")).toEqual([]);
  });

  it("a foreign key to the table itself, written with or without its schema, is one table", () => {
    expect(locksOf("CREATE TABLE public.tree (id int PRIMARY KEY, parent int REFERENCES tree (id))")).toEqual([]);
    expect(locksOf("CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES app.tree (id))")).toEqual([
      ["SHARE ROW EXCLUSIVE", "app.tree", "CREATE TABLE tree (its foreign key to app.tree)"],
    ]);
  });

  it("DROP CONSTRAINT of a foreign key locks the referenced table ACCESS EXCLUSIVE: known when the file created it, probable by PostgreSQL's naming", () => {
    const known = [
      ["CREATE TABLE orders (id int, user_id int REFERENCES users);", "orders_user_id_fkey"],
      ["ALTER TABLE orders ADD CONSTRAINT by_user FOREIGN KEY (user_id) REFERENCES users (id);", "by_user"],
      ["CREATE TABLE orders (a int, b int, FOREIGN KEY (a, b) REFERENCES users (x, y));", "orders_a_b_fkey"],
    ];
    for (const [create, constraint] of known) {
      expect(locksOf(`${create}\nALTER TABLE orders DROP CONSTRAINT ${constraint}`)).toContainEqual([
        "ACCESS EXCLUSIVE",
        "users",
        `ALTER TABLE orders DROP CONSTRAINT ${constraint} (its foreign key to users)`,
      ]);
    }
    expect(locksOf("ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey")).toEqual([
      ["ACCESS EXCLUSIVE", "orders", "ALTER TABLE orders"],
      ["ACCESS EXCLUSIVE", "the table that orders_user_id_fkey, probably a foreign key by its name, references", "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey"],
    ]);
    expect(locksOf("ALTER TABLE orders DROP CONSTRAINT orders_pkey")).toEqual([["ACCESS EXCLUSIVE", "orders", "ALTER TABLE orders"]]);
    expect(locksOf("ALTER TABLE orders ADD CONSTRAINT by_user CHECK (user_id > 0);\nALTER TABLE orders DROP CONSTRAINT by_user")).toHaveLength(1);
    expect(locksOf("CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);\nALTER TABLE tree DROP CONSTRAINT tree_parent_fkey")).toHaveLength(1);
    const { facts, at } = factsOf("CREATE TABLE users (id int PRIMARY KEY);\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users;\nALTER TABLE orders DROP CONSTRAINT fk;");
    expect(facts.locks.onExistingObjects(at("ALTER TABLE orders DROP")).map((lock) => lock.label)).toEqual(["orders"]);
  });

  it("ATTACH PARTITION locks the parent ACCESS EXCLUSIVE before PostgreSQL 12 only, and the partition always", () => {
    const sql = "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')";
    expect(locksOf(sql, 11).map(([level, label]) => [level, label])).toEqual([
      ["ACCESS EXCLUSIVE", "events"],
      ["ACCESS EXCLUSIVE", "events_2024"],
    ]);
    expect(locksOf(sql, 12).map(([level, label]) => [level, label])).toEqual([["ACCESS EXCLUSIVE", "events_2024"]]);
  });

  it("leaves out the locks of CONCURRENTLY, and of objects created earlier in the file", () => {
    expect(locksOf("CREATE INDEX CONCURRENTLY i ON t (a)")).toEqual([]);
    const { facts, at } = factsOf("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nCREATE INDEX j ON u (a);");
    expect(facts.locks.onExistingObjects(at("CREATE INDEX i"))).toEqual([]);
    expect(facts.locks.onExistingObjects(at("CREATE INDEX j")).map((lock) => lock.label)).toEqual(["u"]);
  });

  it("strongest: the strongest lock, the first of equals", () => {
    const { facts, all } = factsOf("LOCK TABLE a IN SHARE MODE;\nLOCK TABLE b, c IN ACCESS EXCLUSIVE MODE;");
    expect(strongest([...facts.locks.of(all[0]!), ...facts.locks.of(all[1]!)])?.label).toBe("b");
    expect(strongest([])).toBeUndefined();
  });
});
