import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintSource } from "../../src/engine/lint-source.js";
import { MigrationFacts } from "../../src/facts/index.js";
import { NO_ROLLBACK } from "../../src/facts/sections.js";
import { assumedRunner, NO_RUNNER } from "../../src/runners/file-runner.js";
import { parseFile } from "../../src/parser/parse-file.js";
import type { Statement } from "../../src/parser/types.js";
import { comparable, internalErrors, noFiles, positionAt } from "./generators.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

// Files built from a grammar of transaction control, runner markers (goose, dbmate), DO blocks
// and plain DDL. Each generated top-level item is one statement of the parsed file, so what
// the generator knows of the layout (which section, which BEGIN, which COMMIT) can be held
// against what the facts layer works out.

type ItemKind = "begin" | "end" | "chain" | "savepoint" | "ddl" | "do" | "drop";

interface Item {
  kind: ItemKind;
  /** The statement, one line or several. */
  lines: string[];
  /** For a DO block: how many statements its body runs. */
  inner?: number;
}

type Runner = "none" | "goose" | "dbmate";

interface Section {
  /** The marker line opening the section; none for what comes before any marker. */
  marker?: string;
  /** The runner wraps the section in a transaction of its own. */
  wraps: boolean;
  items: Item[];
}

interface Layout {
  runner: Runner;
  /** `-- +goose NO TRANSACTION`. */
  gooseNoTransaction: boolean;
  sections: Section[];
  settings: { assumeInTransaction: boolean; pgVersion: number };
}

const DROP = "DROP TABLE legacy;";

const transactionControl: fc.Arbitrary<Item> = fc.oneof(
  fc.constantFrom<Item>({ kind: "begin", lines: ["BEGIN;"] }, { kind: "begin", lines: ["START TRANSACTION;"] }),
  fc.constantFrom<Item>({ kind: "end", lines: ["COMMIT;"] }, { kind: "end", lines: ["ROLLBACK;"] }, { kind: "end", lines: ["END;"] }, { kind: "chain", lines: ["COMMIT AND CHAIN;"] }),
  fc.constantFrom<Item>(
    { kind: "savepoint", lines: ["SAVEPOINT s;"] },
    { kind: "savepoint", lines: ["RELEASE SAVEPOINT s;"] },
    { kind: "savepoint", lines: ["ROLLBACK TO SAVEPOINT s;"] },
  ),
);
const ddl = fc.constantFrom<Item>(
  { kind: "ddl", lines: ["ALTER TABLE t ADD COLUMN c int;"] },
  { kind: "ddl", lines: ["CREATE INDEX CONCURRENTLY i ON t (c);"] },
  { kind: "ddl", lines: ["ALTER TYPE e ADD VALUE 'x';"] },
  { kind: "ddl", lines: ["UPDATE t SET c = 1 WHERE id = 1;"] },
);
const innerStatement = fc.constantFrom("ALTER TABLE t ADD COLUMN d int;", "UPDATE t SET c = 2 WHERE id = 2;", "CREATE INDEX j ON t (c);", "INSERT INTO t (c) VALUES (1);");
const doBlock: fc.Arbitrary<Item> = fc
  .tuple(fc.array(innerStatement, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([inner, oneLine]) => ({
    kind: "do" as const,
    inner: inner.length,
    lines: oneLine ? [`DO $$ BEGIN ${inner.join(" ")} END $$;`] : ["DO $$", "BEGIN", ...inner.map((s) => `  ${s}`), "END", "$$;"],
  }));
const item = fc.oneof({ arbitrary: transactionControl, weight: 3 }, { arbitrary: ddl, weight: 2 }, { arbitrary: doBlock, weight: 1 });
const items = (max: number) => fc.array(item, { maxLength: max });

const settings: fc.Arbitrary<Layout["settings"]> = fc.record({ assumeInTransaction: fc.boolean(), pgVersion: fc.constantFrom(11, 14) });

/** The sections of a file for each runner, the DROP put into one of them. */
const layout: fc.Arbitrary<Layout> = fc
  .record({
    runner: fc.constantFrom<Runner>("none", "goose", "dbmate"),
    gooseNoTransaction: fc.boolean(),
    upOff: fc.boolean(),
    downOff: fc.boolean(),
    withDown: fc.boolean(),
    preamble: items(3),
    up: items(8),
    down: items(5),
    dropAt: fc.nat(),
    settings,
  })
  .map(({ runner, gooseNoTransaction, upOff, downOff, withDown, preamble, up, down, dropAt, settings }) => {
    const sections: Section[] = [{ wraps: settings.assumeInTransaction, items: runner === "none" ? [...preamble, ...up] : preamble }];
    if (runner === "goose") {
      sections.push({ marker: "-- +goose Up", wraps: !gooseNoTransaction, items: up });
      if (withDown) sections.push({ marker: "-- +goose Down", wraps: !gooseNoTransaction, items: down });
    } else if (runner === "dbmate") {
      sections.push({ marker: `-- migrate:up${upOff ? " transaction:false" : ""}`, wraps: !upOff, items: up });
      if (withDown) sections.push({ marker: `-- migrate:down${downOff ? " transaction:false" : ""}`, wraps: !downOff, items: down });
    }
    // One DROP TABLE legacy, anywhere.
    const slots = sections.flatMap((section, s) => Array.from({ length: section.items.length + 1 }, (_, i) => [s, i] as const));
    const [s, i] = slots[dropAt % slots.length]!;
    const target = sections[s]!;
    target.items = [...target.items.slice(0, i), { kind: "drop", lines: [DROP] }, ...target.items.slice(i)];
    return { runner, gooseNoTransaction: runner === "goose" && gooseNoTransaction, sections, settings };
  });

/** What goes between two statements without changing what the file does. */
const separator = fc.array(fc.constantFrom("", "   ", "-- a note on the next statement", "/* see ticket 12 */", "/*\n  a longer note\n*/", "-- another note"), { maxLength: 3 });
const separators = fc.array(separator, { minLength: 40, maxLength: 40 });

/** The file's lines; with `gaps`, blank lines and comments between statements. */
function render(file: Layout, gaps?: readonly string[][]): string[] {
  const lines: string[] = [];
  let n = 0;
  const gap = () => {
    if (gaps) lines.push(...gaps[n++ % gaps.length]!.flatMap((text) => text.split("\n")));
  };
  if (file.gooseNoTransaction) lines.push("-- +goose NO TRANSACTION");
  for (const section of file.sections) {
    if (section.marker) lines.push(section.marker);
    for (const it of section.items) {
      gap();
      const statementBlock = file.runner === "goose" && it.kind === "do";
      if (statementBlock) lines.push("-- +goose StatementBegin");
      lines.push(...it.lines);
      if (statementBlock) lines.push("-- +goose StatementEnd");
    }
    gap();
  }
  return lines;
}

const text = (lines: readonly string[], eol = "\n") => lines.map((line) => line + eol).join("");

interface Analysed {
  facts: MigrationFacts;
  /** Top-level statements with the section and item they come from. */
  top: { statement: Statement; section: number; item: Item }[];
  /** Statements of each DO block, by the DO statement. */
  children: Map<Statement, Statement[]>;
}

function analyse(file: Layout, source: string): Analysed {
  const parsed = parseFile(source);
  expect(parsed.errors).toEqual([]);
  const facts = new MigrationFacts(parsed, file.settings, NO_ROLLBACK, file.settings.assumeInTransaction ? assumedRunner(true) : NO_RUNNER);
  const generated = file.sections.flatMap((section, s) => section.items.map((it) => ({ section: s, item: it })));
  expect(parsed.statements.map((statement) => statement.kind)).toEqual(
    generated.map(({ item }) => (item.kind === "do" ? "DoStmt" : item.kind === "drop" ? "DropStmt" : item.kind === "ddl" ? expect.any(String) : "TransactionStmt")),
  );
  const top = parsed.statements.map((statement, i) => ({ statement, ...generated[i]! }));
  const children = new Map<Statement, Statement[]>();
  for (const { statement, item } of top) {
    if (item.kind !== "do") continue;
    const inner = facts.order.statements.filter((other) => other.parent === statement);
    expect(inner).toHaveLength(item.inner!);
    children.set(statement, inner);
  }
  return { facts, top, children };
}

const lint = (source: string, file: Layout) => lintSource(source, "/m/001_x.sql", { rules: allRules, settings: { ...DEFAULT_SETTINGS, ...file.settings } }, noFiles);

const RUNS = 200;

describe("transaction layouts (fast-check)", () => {
  it("never cost an internal error, and DROP TABLE legacy is always reported as dangerous", () => {
    fc.assert(
      fc.property(layout, separators, (file, gaps) => {
        const source = text(render(file, gaps));
        const result = lint(source, file);
        expect(internalErrors(result)).toEqual([]);
        expect(result.errors).toEqual([]);
        const at = positionAt(source, source.indexOf(DROP));
        expect(result.findings.filter((finding) => finding.ruleId === "drop-table").map((finding) => ({ severity: finding.severity, ...finding.loc.start }))).toEqual([
          { severity: "dangerous", ...at },
        ]);
        // The facts themselves, asked directly, meet no bug either.
        const { facts } = analyse(file, source);
        for (const statement of facts.order.statements) facts.transactions.of(statement);
        void facts.history.events;
        expect(facts.faults).toEqual([]);
      }),
      { seed: 20_250_621, numRuns: RUNS },
    );
  });

  it("sameTransaction is an equivalence relation over the file's statements, and holds within every DO block", () => {
    fc.assert(
      fc.property(layout, (file) => {
        const { facts, children } = analyse(file, text(render(file)));
        const all = facts.order.statements;
        const same = (a: Statement, b: Statement) => facts.transactions.sameTransaction(a, b);
        const describe = (s: Statement) => `#${facts.order.positionOf(s)} ${s.text}`;
        for (const a of all) {
          expect(same(a, a), describe(a)).toBe(true);
          for (const b of all) {
            expect(same(a, b), `${describe(a)} ~ ${describe(b)}`).toBe(same(b, a));
            if (!same(a, b)) continue;
            for (const c of all) if (same(b, c)) expect(same(a, c), `${describe(a)} ~ ${describe(b)} ~ ${describe(c)}`).toBe(true);
          }
        }
        for (const [doStatement, inner] of children) {
          for (const a of [doStatement, ...inner]) for (const b of inner) expect(same(a, b), `${describe(a)} ~ ${describe(b)}`).toBe(true);
        }
      }),
      { seed: 20_250_622, numRuns: RUNS },
    );
  });

  it("between a BEGIN and the next COMMIT/ROLLBACK of a section the runner does not wrap, every statement is in the BEGIN's transaction", () => {
    let checked = 0;
    fc.assert(
      fc.property(layout, (file) => {
        const { facts, top, children } = analyse(file, text(render(file)));
        file.sections.forEach((section, s) => {
          // Before any marker without assumeInTransaction, or a marker section that turns the runner's transaction off.
          if (section.wraps) return;
          const inSection = top.filter((entry) => entry.section === s);
          // A BEGIN with no transaction open, up to the next COMMIT/ROLLBACK (or the section's end: it stays open).
          // COMMIT AND CHAIN opens the next transaction itself (checked below): a BEGIN is ignored until it ends.
          let state: "none" | "chain" | number = "none";
          const check = (from: number, to: number) => {
            const opener = inSection[from]!.statement;
            for (const { statement } of inSection.slice(from + 1, to)) {
              for (const one of [statement, ...(children.get(statement) ?? [])]) {
                const info = facts.transactions.of(one);
                expect(facts.transactions.inTransaction(one), one.text).toBe(true);
                expect({ openedBy: info.openedBy, begin: info.begin?.index }, one.text).toEqual({ openedBy: "begin", begin: opener.index });
                checked++;
              }
            }
          };
          inSection.forEach((entry, i) => {
            const kind = entry.item.kind;
            const ends = kind === "end" || kind === "chain";
            if (state === "none") {
              if (kind === "begin") state = i;
              // With no transaction open PostgreSQL refuses COMMIT AND CHAIN; migsafe takes it as opening one all the same.
              if (kind === "chain") state = "chain";
            } else if (state === "chain") {
              if (kind === "end") state = "none";
            } else if (ends) {
              check(state, i);
              state = kind === "chain" ? "chain" : "none";
            } else if (i === inSection.length - 1) {
              check(state, i + 1);
            }
          });
        });
      }),
      { seed: 20_250_623, numRuns: RUNS },
    );
    expect(checked).toBeGreaterThan(50);
  });

  it("after COMMIT AND CHAIN, statements up to the next COMMIT/ROLLBACK are in a transaction the chain opened", () => {
    let checked = 0;
    fc.assert(
      fc.property(layout, (file) => {
        const { facts, top } = analyse(file, text(render(file)));
        file.sections.forEach((_section, s) => {
          const inSection = top.filter((entry) => entry.section === s);
          inSection.forEach((entry, i) => {
            if (entry.item.kind !== "chain") return;
            for (const later of inSection.slice(i + 1)) {
              if (later.item.kind === "end" || later.item.kind === "chain") break;
              expect(facts.transactions.of(later.statement), later.statement.text).toMatchObject({ openedBy: "begin", begin: entry.statement });
              checked++;
            }
          });
        });
      }),
      { seed: 20_250_624, numRuns: RUNS },
    );
    expect(checked).toBeGreaterThan(20);
  });

  it("after a section's last COMMIT/ROLLBACK with no BEGIN after it, statements run on their own, DO blocks in their own transaction", () => {
    let checked = 0;
    fc.assert(
      fc.property(layout, (file) => {
        const { facts, top, children } = analyse(file, text(render(file)));
        file.sections.forEach((_section, s) => {
          const inSection = top.filter((entry) => entry.section === s);
          let last = -1;
          inSection.forEach((entry, i) => {
            if (entry.item.kind === "end" || entry.item.kind === "chain" || entry.item.kind === "begin") last = i;
          });
          if (last < 0 || inSection[last]!.item.kind !== "end") return;
          for (const { statement } of inSection.slice(last + 1)) {
            expect(facts.transactions.inTransaction(statement), statement.text).toBe(false);
            for (const inner of children.get(statement) ?? []) expect(facts.transactions.of(inner).openedBy, inner.text).toBe("do-block");
            checked++;
          }
        });
      }),
      { seed: 20_250_625, numRuns: RUNS },
    );
    expect(checked).toBeGreaterThan(50);
  });

  it("in a marker section the runner wraps, statements before its first COMMIT/ROLLBACK are in the runner's transaction, whatever assumeInTransaction says", () => {
    let checked = 0;
    fc.assert(
      fc.property(layout, (file) => {
        const { facts, top, children } = analyse(file, text(render(file)));
        file.sections.forEach((section, s) => {
          // goose Up/Down without NO TRANSACTION, dbmate without transaction:false, or (assumeInTransaction) the file before any marker.
          if (!section.wraps) return;
          for (const { statement, item } of top.filter((entry) => entry.section === s)) {
            if (item.kind === "end" || item.kind === "chain") break;
            for (const one of [statement, ...(children.get(statement) ?? [])]) {
              expect(facts.transactions.of(one).openedBy, one.text).toBe("runner");
              checked++;
            }
          }
        });
      }),
      { seed: 20_250_626, numRuns: RUNS },
    );
    expect(checked).toBeGreaterThan(100);
  });

  it("blank lines and comments between statements change no finding's rule or order", () => {
    fc.assert(
      fc.property(layout, separators, (file, gaps) => {
        const plain = lint(text(render(file)), file).findings.map((finding) => finding.ruleId);
        const spaced = lint(text(render(file, gaps)), file).findings.map((finding) => finding.ruleId);
        expect(spaced).toEqual(plain);
      }),
      { seed: 20_250_627, numRuns: RUNS },
    );
  });

  it("LF and CRLF give identical findings", () => {
    fc.assert(
      fc.property(layout, separators, (file, gaps) => {
        const lines = render(file, gaps);
        expect(comparable(lint(text(lines, "\r\n"), file))).toEqual(comparable(lint(text(lines), file)));
      }),
      { seed: 20_250_628, numRuns: RUNS },
    );
  });
});
