/** The order a file's statements run in, DO-block statements included. */
import type { ParsedFile, Statement } from "../parser/types.js";

export class RunOrder {
  /** Top-level and DO-block statements in the order they run. */
  readonly statements: readonly Statement[];
  readonly #position = new Map<Statement, number>();

  constructor(parsed: ParsedFile) {
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
  }

  /**
   * Where the statement runs among all of them. Ranges cannot order them: the statements
   * of a DO block whose body is not dollar-quoted all share the DO's range.
   */
  positionOf(statement: Statement): number {
    return this.#position.get(statement) ?? -1;
  }

  runsBefore(a: Statement, b: Statement): boolean {
    return this.positionOf(a) < this.positionOf(b);
  }

  /** Statements that run before this one; a DO block holding it runs before it. */
  before(statement: Statement): readonly Statement[] {
    return this.statements.slice(0, Math.max(0, this.positionOf(statement)));
  }

  /** Top-level statements before this one (for a DO-block statement: before its DO). */
  topLevelBefore(statement: Statement): readonly Statement[] {
    return this.statements.filter((other) => other.parent === undefined && other.index < (statement.parent ?? statement).index);
  }

  /** Statements that run after this one. */
  after(statement: Statement): readonly Statement[] {
    const at = this.positionOf(statement);
    return at < 0 ? [] : this.statements.slice(at + 1);
  }
}
