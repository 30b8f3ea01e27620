import { beforeAll, describe, expect, it } from "vitest";
import { probablyIndexOf, strongest } from "../../src/facts/locks.js";
import { parseFile } from "../../src/parser/parse-file.js";
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

  it("a foreign key dropped and added again under its name (to change ON DELETE) locks the table it references ACCESS EXCLUSIVE", () => {
    // Found by verify-mismatch on marquez and hatchet: PostgreSQL drops the old key's triggers on users.
    expect(
      locksOf("ALTER TABLE orders DROP CONSTRAINT orders_user_fkey, ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE"),
    ).toEqual([
      ["ACCESS EXCLUSIVE", "orders", "ALTER TABLE orders"],
      ["ACCESS EXCLUSIVE", "users", "ALTER TABLE orders (its foreign key to users, dropped and added again)"],
    ]);
    // Another constraint's name: the new key's SHARE ROW EXCLUSIVE, and the dropped one as before.
    expect(locksOf("ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD CONSTRAINT by_user FOREIGN KEY (user_id) REFERENCES users (id)")).toEqual([
      ["ACCESS EXCLUSIVE", "orders", "ALTER TABLE orders"],
      ["SHARE ROW EXCLUSIVE", "users", "ALTER TABLE orders (its foreign key to users)"],
    ]);
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

  it("onExistingObjects: in a rollback, leaves out what its forward migration created, and an index only with its table", () => {
    const forward = parseFile("CREATE TABLE audit (id int);\nCREATE INDEX audit_id_idx ON audit (id);\nCREATE INDEX users_note_idx ON users (note);");
    const sql = "DROP INDEX audit_id_idx;\nDROP INDEX users_note_idx;\nALTER TABLE audit ADD COLUMN x int;\nDROP TABLE audit;\nDROP TABLE users;";
    const labels = (role: "rollback" | "forward") => {
      const { facts, all } = factsOf(sql, {}, { role, forward });
      return all.flatMap((statement) => facts.locks.onExistingObjects(statement).map((lock) => lock.label));
    };
    expect(labels("rollback")).toEqual(["the table of index users_note_idx", "users"]);
    expect(labels("forward")).toEqual(["the table of index audit_id_idx", "the table of index users_note_idx", "audit", "audit", "users"]);
  });

  it("accessExclusiveInTransaction: the tables the other statements of the transaction lock ACCESS EXCLUSIVE, before and after", () => {
    const sql = "BEGIN;\nALTER TABLE a ADD COLUMN x int;\nDROP INDEX i;\nCREATE INDEX j ON b (x);\nDROP TABLE c;\nCOMMIT;\nALTER TABLE d ADD COLUMN y int;";
    const { facts, at } = factsOf(sql);
    const tables = (start: string) => facts.locks.accessExclusiveInTransaction(at(start)).map(({ lock, at: by }) => `${lock.label} by ${by.text}`);
    expect(tables("DROP INDEX i")).toEqual(["a by ALTER TABLE a ADD COLUMN x int", "c by DROP TABLE c"]);
    // A statement that runs on its own shares its locks with nothing.
    expect(tables("ALTER TABLE d")).toEqual([]);
  });

  describe("indexTableLockedInTransaction: another statement of the transaction locks the index's table ACCESS EXCLUSIVE", () => {
    const locked = (sql: string, index: string, settings: Parameters<typeof factsOf>[1] = { assumeInTransaction: true }, rollback?: Parameters<typeof factsOf>[2]) => {
      const { facts, all } = factsOf(sql, settings, rollback);
      const drop = all.find((statement) => statement.text.startsWith("DROP INDEX"))!;
      return facts.locks.indexTableLockedInTransaction(drop, { name: index });
    };

    it("knows the table of an index the file created, under any later name", () => {
      expect(locked("CREATE INDEX i ON t (a);\nDROP INDEX i;\nALTER TABLE t ADD COLUMN b int;", "i")).toBe(true);
      expect(locked("CREATE INDEX i ON t (a);\nALTER TABLE t RENAME TO u;\nDROP INDEX i;\nDROP TABLE u;", "i")).toBe(true);
      // Known to be another table's index: its name does not matter then.
      expect(locked("CREATE INDEX t_a_idx ON other (a);\nDROP INDEX t_a_idx;\nALTER TABLE t ADD COLUMN b int;", "t_a_idx")).toBe(false);
    });

    it("knows, in a rollback, the table of an index its forward migration created", () => {
      const forward = parseFile('CREATE TABLE "addon_rate_cards" (id int);\nCREATE INDEX "addonratecard_addon_id_key" ON "addon_rate_cards" (id);');
      const sql = 'DROP INDEX "addonratecard_addon_id_key";\nDROP TABLE "addon_rate_cards";';
      expect(locked(sql, "addonratecard_addon_id_key", { assumeInTransaction: true }, { role: "rollback", forward })).toBe(true);
      expect(locked('DROP INDEX "addonratecard_addon_id_key";\nDROP TABLE "addons";', "addonratecard_addon_id_key", { assumeInTransaction: true }, { role: "rollback", forward })).toBe(false);
      // The same file as a forward migration knows nothing of the index.
      expect(locked(sql, "addonratecard_addon_id_key", { assumeInTransaction: true }, { role: "forward", forward })).toBe(false);
    });

    it("otherwise tells the table from an index name PostgreSQL or an ORM gives it, the table's name as the other statement writes it", () => {
      expect(locked('DROP INDEX "Recipient_documentId_idx";\nALTER TABLE "Recipient" DROP COLUMN "documentId";', "Recipient_documentId_idx")).toBe(true);
      expect(locked('DROP INDEX "api_keys_publishable_key_key";\nALTER TABLE "api_keys" RENAME COLUMN a TO b;', "api_keys_publishable_key_key")).toBe(true);
      expect(locked("ALTER TABLE jobs DROP CONSTRAINT c;\nDROP INDEX jobs_name_index;", "jobs_name_index")).toBe(true);
      expect(locked("DROP INDEX IDX_3f5a9c;\nALTER TABLE jobs ADD COLUMN b int;", "IDX_3f5a9c")).toBe(false);
      expect(locked("DROP INDEX jobs_by_name;\nALTER TABLE jobs ADD COLUMN b int;", "jobs_by_name")).toBe(false);
      expect(locked("DROP INDEX app.jobs_name_idx;\nALTER TABLE jobs ADD COLUMN b int;", "app.jobs_name_idx")).toBe(false);
      // Not in a transaction, or locked more weakly: the DROP INDEX's own lock is the one that counts.
      expect(locked("DROP INDEX jobs_name_idx;\nALTER TABLE jobs ADD COLUMN b int;", "jobs_name_idx", {})).toBe(false);
      expect(locked("DROP INDEX jobs_name_idx;\nCREATE INDEX jobs_b_idx ON jobs (b);", "jobs_name_idx")).toBe(false);
    });

    it("indexTableDroppedEarlierInTransaction: an earlier DROP INDEX of the same table's index, in the same transaction", () => {
      const droppedEarlier = (sql: string, settings: Parameters<typeof factsOf>[1] = { assumeInTransaction: true }) => {
        const { facts, all } = factsOf(sql, settings);
        return all.filter((statement) => statement.text.startsWith("DROP INDEX")).map((drop) => facts.locks.indexTableDroppedEarlierInTransaction(drop, { name: drop.text.split(" ").pop()!.replace(";", "") }));
      };
      // Knex's names (<table>_<columns>_index), the table named by another statement of the file.
      expect(droppedEarlier("CREATE INDEX jobs_a_index ON jobs (a);\nDROP INDEX jobs_b_index;\nDROP INDEX jobs_c_index;\nDROP INDEX users_c_index;")).toEqual([false, true, false]);
      // Known from the file: the index i was created on t.
      expect(droppedEarlier("CREATE INDEX i ON t (a);\nCREATE INDEX j ON t (b);\nCOMMIT;\nBEGIN;\nDROP INDEX j;\nDROP INDEX i;")).toEqual([false, true]);
      // Another transaction, a table the file never names, or no transaction at all: nothing held.
      expect(droppedEarlier("CREATE INDEX jobs_a_index ON jobs (a);\nDROP INDEX jobs_b_index;\nCOMMIT;\nDROP INDEX jobs_c_index;")).toEqual([false, false]);
      expect(droppedEarlier("DROP INDEX jobs_b_index;\nDROP INDEX jobs_c_index;")).toEqual([false, false]);
      expect(droppedEarlier("CREATE INDEX jobs_a_index ON jobs (a);\nDROP INDEX jobs_b_index;\nDROP INDEX jobs_c_index;", {})).toEqual([false, false]);
    });

    it("probablyIndexOf: the table's name, then columns, then an index ending", () => {
      expect(probablyIndexOf("users_email_key", "users")).toBe(true);
      expect(probablyIndexOf("users_pkey", "users")).toBe(true);
      expect(probablyIndexOf("users_key", "users")).toBe(false);
      expect(probablyIndexOf("users_email", "users")).toBe(false);
      expect(probablyIndexOf("users_email_idx", "user")).toBe(false);
    });
  });

  it("strongest: the strongest lock, the first of equals", () => {
    const { facts, all } = factsOf("LOCK TABLE a IN SHARE MODE;\nLOCK TABLE b, c IN ACCESS EXCLUSIVE MODE;");
    expect(strongest([...facts.locks.of(all[0]!), ...facts.locks.of(all[1]!)])?.label).toBe("b");
    expect(strongest([])).toBeUndefined();
  });
});
