/**
 * Which transaction each statement runs in, and who opened it: the file's own BEGIN … COMMIT,
 * the runner (for the whole file, or per goose/dbmate/sql-migrate section), or a DO block.
 */
import type { ParsedFile, Statement } from "../parser/types.js";
import { refusedInTransaction, type Refused } from "./refused-in-transaction.js";
import type { RunOrder } from "./run-order.js";
import type { RunnerSection, Sections } from "./sections.js";

export type Opener = "begin" | "runner" | "do-block";

export interface TransactionInfo {
  /** One key per transaction of the file; undefined when the statement runs on its own (autocommit). */
  id: string | undefined;
  openedBy: Opener | undefined;
  /** The BEGIN (or START TRANSACTION) that opened the transaction, when the file did. */
  begin?: Statement;
  /** The runner's section the statement is in. */
  section: RunnerSection;
}

const OPENS = new Set(["TRANS_STMT_BEGIN", "TRANS_STMT_START"]);
const CLOSES = new Set(["TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"]);

/** BEGIN/START TRANSACTION, COMMIT/ROLLBACK/PREPARE TRANSACTION, or neither. */
export function transactionControl(statement: Statement): "begin" | "end" | undefined {
  if (statement.kind !== "TransactionStmt") return undefined;
  const kind = String(statement.node.kind);
  if (OPENS.has(kind)) return "begin";
  if (CLOSES.has(kind)) return "end";
  return undefined;
}

/** Where PostgreSQL refuses a statement: in the transaction it runs in, or in the DO block (a function) it runs from. */
export interface Refusal extends Refused {
  where: "transaction" | "function";
  transaction: TransactionInfo;
}

export class Transactions {
  readonly #info = new Map<Statement, TransactionInfo>();

  constructor(
    parsed: ParsedFile,
    private readonly order: RunOrder,
    private readonly sections: Sections,
    private readonly pgVersion: number,
    private readonly onFault: (statement: Statement, error: unknown) => void,
  ) {
    this.#assign(parsed);
  }

  /**
   * The transaction a statement runs in. A BEGIN opens one unless one is open already
   * (PostgreSQL ignores it then); COMMIT, ROLLBACK or PREPARE TRANSACTION ends whatever is
   * open, the runner's transaction included: after that, statements run on their own until
   * the next BEGIN. A DO block's statements run in its transaction, or, when the DO runs
   * on its own, in the one transaction the DO statement is.
   */
  of(statement: Statement): TransactionInfo {
    const known = this.#info.get(statement);
    if (known) return known;
    const top = this.#info.get(statement.parent ?? statement);
    const section = top?.section ?? this.sections.sectionOf(statement);
    const info: TransactionInfo =
      statement.parent && top && top.id === undefined ? { id: `do@${statement.parent.index}`, openedBy: "do-block", section } : (top ?? { id: undefined, openedBy: undefined, section });
    this.#info.set(statement, info);
    return info;
  }

  inTransaction(statement: Statement): boolean {
    return this.of(statement).id !== undefined;
  }

  /** True when both statements commit together: other sessions never see what lies between them. */
  sameTransaction(a: Statement, b: Statement): boolean {
    if ((a.parent ?? a) === (b.parent ?? b)) return true;
    const id = this.of(a).id;
    return id !== undefined && id === this.of(b).id;
  }

  /** The later statements of the same transaction, in run order. */
  laterInSameTransaction(statement: Statement): Statement[] {
    return this.order.after(statement).filter((later) => this.sameTransaction(statement, later));
  }

  /**
   * True when a failure later in the statement's runner section can leave the statement applied: a later
   * statement of the section (transaction control aside) runs outside the statement's transaction, so the
   * statement has committed by then. Running the migration again then meets what it already did.
   */
  committedBeforeLaterStatements(statement: Statement): boolean {
    const top = statement.parent ?? statement;
    const section = this.of(top).section;
    return this.order
      .after(top)
      .some((later) => later.parent === undefined && transactionControl(later) === undefined && this.of(later).section === section && !this.sameTransaction(top, later));
  }

  /** Why PostgreSQL refuses the statement where it runs (in a transaction block, or in a DO block), if it does. */
  refusal(statement: Statement): Refusal | undefined {
    const refused = this.refused(statement);
    if (!refused) return undefined;
    const transaction = this.of(statement);
    if (statement.parent) return { ...refused, where: "function", transaction };
    return transaction.id === undefined ? undefined : { ...refused, where: "transaction", transaction };
  }

  /** What PostgreSQL refuses of the statement in a transaction block or a function, wherever it runs. */
  refused(statement: Statement): Refused | undefined {
    try {
      return refusedInTransaction(statement, this.pgVersion);
    } catch (error) {
      this.onFault(statement, error);
      return undefined;
    }
  }

  #assign(parsed: ParsedFile): void {
    let section: RunnerSection | undefined;
    /** The runner's transaction now open, if one is. */
    let runner: string | undefined;
    let begin: Statement | undefined;
    for (const statement of parsed.statements) {
      const current = this.sections.sectionOf(statement);
      if (current !== section) {
        section = current;
        runner = current.wraps ? `runner@${current.start}` : undefined;
        begin = undefined;
      }
      const control = transactionControl(statement);
      // A BEGIN inside the runner's transaction is ignored, except in PostgreSQL's implicit one, which it takes over.
      if (control === "begin" && !begin && (!runner || current.implicit)) begin = statement;
      this.#info.set(
        statement,
        runner
          ? begin
            ? { id: runner, openedBy: "begin", begin, section: current }
            : { id: runner, openedBy: "runner", section: current }
          : begin
            ? { id: `begin@${begin.index}`, openedBy: "begin", begin, section: current }
            : { id: undefined, openedBy: undefined, section: current },
      );
      if (control === "end") {
        // In one query string of several statements, the statements after a COMMIT form the next implicit transaction.
        runner = current.implicit ? `runner@${current.start}+${statement.index}` : undefined;
        // COMMIT AND CHAIN (ROLLBACK AND CHAIN) starts the next transaction at once.
        begin = statement.kind === "TransactionStmt" && statement.node.chain === true ? statement : undefined;
      }
    }
  }
}
