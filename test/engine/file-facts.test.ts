import { describe, expect, it } from "vitest";
import { FileFacts } from "../../src/engine/file-facts.js";
import { parseFile } from "../../src/parser/parse-file.js";

const facts = (text: string, forward?: string, role: "forward" | "rollback" = "forward") => {
  const parsed = parseFile(text);
  const rollback = { role, partnerPath: undefined, block: undefined, downSectionStart: undefined };
  return { parsed, facts: new FileFacts(parsed, rollback, forward === undefined ? undefined : parseFile(forward)) };
};

describe("FileFacts", () => {
  it("knows what was created before a statement, and only before it", () => {
    const { parsed, facts: f } = facts("DROP TABLE t;\nCREATE TABLE t (id int);\nDROP TABLE t;");
    expect(f.createdBefore(parsed.statements[0]!, "table", "t")).toBe(false);
    expect(f.createdBefore(parsed.statements[2]!, "table", "t")).toBe(true);
  });

  it("tells schemas apart, taking an unqualified name to be in public", () => {
    const { parsed, facts: f } = facts("CREATE TABLE archive.users (id int);\nCREATE TABLE logs (id int);\nSELECT 1;");
    const last = parsed.statements[2]!;
    expect(f.createdBefore(last, "table", { name: "users" })).toBe(false);
    expect(f.createdBefore(last, "table", { schema: "public", name: "users" })).toBe(false);
    expect(f.createdBefore(last, "table", { schema: "archive", name: "users" })).toBe(true);
    expect(f.createdBefore(last, "table", { schema: "public", name: "logs" })).toBe(true);
  });

  it("records columns added by ALTER TABLE, with their table's schema", () => {
    const { parsed, facts: f } = facts("ALTER TABLE billing.invoices ADD COLUMN note text, ADD COLUMN paid bool;\nSELECT 1;");
    const last = parsed.statements[1]!;
    expect(f.createdBefore(last, "column", { schema: "billing", name: "invoices.paid" })).toBe(true);
    expect(f.createdBefore(last, "column", "invoices.paid")).toBe(false);
  });

  it("knows what the forward migration created, for a rollback only", () => {
    const rollback = facts("DROP TABLE audit;", "CREATE TABLE audit (id int);", "rollback");
    expect(rollback.facts.undoesForward(rollback.parsed.statements[0]!, "table", "audit")).toBe(true);
    const forward = facts("DROP TABLE audit;", "CREATE TABLE audit (id int);", "forward");
    expect(forward.facts.undoesForward(forward.parsed.statements[0]!, "table", "audit")).toBe(false);
  });

  it("treats a down section as the rollback of the up section above it", () => {
    const text = "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;";
    const parsed = parseFile(text);
    const downStart = parsed.source.lineStart(3);
    const f = new FileFacts(parsed, { role: "forward", partnerPath: undefined, block: undefined, downSectionStart: downStart }, undefined);
    expect(f.isRollback(parsed.statements[1]!)).toBe(true);
    expect(f.undoesForward(parsed.statements[1]!, "table", "t")).toBe(true);
    expect(f.isRollback(parsed.statements[0]!)).toBe(false);
  });
});
