/**
 * The order a file's statements run in, DO-block statements included. A file's runner sections
 * (a goose up and down section, the up and down functions of a TS/JS migration) are migrations
 * of their own, run separately: a statement of one never runs before or after one of another.
 */
import type { ParsedFile, Statement } from "../parser/types.js";

export class RunOrder {
  /** Top-level and DO-block statements in the order they run. */
  readonly statements: readonly Statement[];
  readonly #position = new Map<Statement, number>();
  /** For each statement, the first and last position of its section (sections are contiguous). */
  readonly #section = new Map<Statement, { first: number; last: number }>();

  /** `sectionOf` gives each statement its runner section (any value; one for the whole file by default). */
  constructor(parsed: ParsedFile, sectionOf: (statement: Statement) => unknown = () => undefined) {
    const inner = new Map<Statement, Statement[]>();
    for (const statement of parsed.doBlockStatements) {
      if (!statement.parent) continue;
      const siblings = inner.get(statement.parent);
      if (siblings) siblings.push(statement);
      else inner.set(statement.parent, [statement]);
    }
    const ordered: Statement[] = [];
    for (const statement of parsed.statements) {
      ordered.push(statement);
      for (const child of inner.get(statement) ?? []) ordered.push(child);
    }
    ordered.forEach((statement, i) => this.#position.set(statement, i));
    this.statements = ordered;
    let span = { first: 0, last: -1 };
    let current: unknown;
    ordered.forEach((statement, i) => {
      const section = sectionOf(statement);
      if (i === 0 || section !== current) span = { first: i, last: i };
      current = section;
      span.last = i;
      this.#section.set(statement, span);
    });
  }

  /**
   * Where the statement runs among all of them. Ranges cannot order them: the statements
   * of a DO block whose body is not dollar-quoted all share the DO's range.
   */
  positionOf(statement: Statement): number {
    return this.#position.get(statement) ?? -1;
  }

  /** True when both are in the same runner section: the same migration. */
  sameSection(a: Statement, b: Statement): boolean {
    const section = this.#section.get(a);
    return section !== undefined && section === this.#section.get(b);
  }

  /** True when `a` runs before `b` in the same section. */
  runsBefore(a: Statement, b: Statement): boolean {
    return this.sameSection(a, b) && this.positionOf(a) < this.positionOf(b);
  }

  /** Statements of the section that run before this one; a DO block holding it runs before it. */
  before(statement: Statement): readonly Statement[] {
    const at = this.positionOf(statement);
    return at < 0 ? [] : this.statements.slice(this.#section.get(statement)!.first, at);
  }

  /** Top-level statements of the section before this one (for a DO-block statement: before its DO). */
  topLevelBefore(statement: Statement): readonly Statement[] {
    return this.before(statement.parent ?? statement).filter((other) => other.parent === undefined);
  }

  /** Statements of the section that run after this one. */
  after(statement: Statement): readonly Statement[] {
    const at = this.positionOf(statement);
    return at < 0 ? [] : this.statements.slice(at + 1, this.#section.get(statement)!.last + 1);
  }
}
