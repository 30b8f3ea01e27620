/**
 * Everything rules may ask about a migration beyond one statement, each question answered by one
 * module, worked out lazily and once per file, from the parsed file and the settings alone.
 */
import type { ParsedFile, Statement } from "../parser/types.js";
import { NO_RUNNER, type FileRunner } from "../runners/file-runner.js";
import { History } from "./history.js";
import { Locks } from "./locks.js";
import { Names } from "./names.js";
import { Session } from "./session.js";
import { RunOrder } from "./run-order.js";
import { NO_ROLLBACK, Sections, withRefusals, type GivenSection, type RollbackInput } from "./sections.js";
import { Transactions } from "./transactions.js";
import type { SchemaBefore } from "./schema-before.js";

/** What the facts need of the settings (how the runner wraps the file comes with the file, as its FileRunner). */
export interface FactSettings {
  pgVersion: number;
}

/** A bug met while working out a fact for one statement: the fact gives no answer there, the rest of the file is still checked. */
export interface FactFault {
  fact: string;
  statement: Statement;
  error: unknown;
}

export class MigrationFacts {
  readonly faults: FactFault[] = [];
  /** Called with each fault as it happens (the engine names the rule that asked). */
  onFault: ((fault: FactFault) => void) | undefined;
  #order?: RunOrder;
  #session?: Session;
  #names?: Names;
  #sections?: Sections;
  #transactions?: Transactions;
  #history?: History;
  #locks?: Locks;

  constructor(
    readonly parsed: ParsedFile,
    readonly settings: FactSettings,
    private readonly rollbackInput: RollbackInput = NO_ROLLBACK,
    /** How the runner runs the file (src/runners/): nothing known by default. */
    private readonly fileRunner: FileRunner = NO_RUNNER,
    /** The sections of a text put together from a TS/JS migration's functions (see GivenSection). */
    private readonly givenSections?: readonly GivenSection[],
    /** The schema the earlier migrations of the file's folder leave (schema-before.ts); undefined: no history is known. */
    private readonly schemaBefore?: SchemaBefore,
  ) {}

  /** The order statements run in, DO-block statements included, section by section. */
  get order(): RunOrder {
    return (this.#order ??= new RunOrder(this.parsed, (statement) => this.sections.sectionOf(statement)));
  }

  /** The session settings the file sets, in effect at each statement (search_path, TimeZone, …). */
  get session(): Session {
    return (this.#session ??= new Session(this.order, (statement, error) => this.fault("session", statement, error)));
  }

  /** Which schema a name without one means, and whether two names are one relation. */
  get names(): Names {
    return (this.#names ??= new Names(this.order, (statement, error) => this.fault("names", statement, error), this.session));
  }

  /** The file's runner and its sections, the down section, the rollback block and the rollback file. */
  get sections(): Sections {
    return (this.#sections ??= new Sections(this.parsed, withRefusals(this.parsed, this.fileRunner, this.settings.pgVersion), this.rollbackInput, this.givenSections));
  }

  /** The transaction each statement runs in and who opened it; what PostgreSQL refuses there. */
  get transactions(): Transactions {
    return (this.#transactions ??= new Transactions(this.parsed, this.order, this.sections, this.settings.pgVersion, (statement, error) => this.fault("transactions", statement, error)));
  }

  /** What each statement created, renamed, dropped, emptied or changed. */
  get history(): History {
    return (this.#history ??= new History(this.order, this.names, this.sections, () => this.transactions, (statement, error) => this.fault("history", statement, error), this.schemaBefore));
  }

  /** The table locks each statement takes. */
  get locks(): Locks {
    return (this.#locks ??= new Locks(this.settings.pgVersion, this.names, this.order, () => this.transactions, () => this.history, (statement, error) => this.fault("locks", statement, error)));
  }

  /** Records a bug in a fact for one statement. */
  fault(fact: string, statement: Statement, error: unknown): void {
    const fault = { fact, statement, error };
    this.faults.push(fault);
    this.onFault?.(fault);
  }
}

export type { GivenSection, RollbackInput, RunnerSection } from "./sections.js";
export type { TransactionInfo, Refusal } from "./transactions.js";
export type { Dropped, HistoryEvent, ObjectKind, Namespace, Successor, TrackedObject } from "./history.js";
export type { TableLock } from "./locks.js";
export type { ColumnBefore, SchemaBefore, TableBefore } from "./schema-before.js";
