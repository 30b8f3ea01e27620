import type { QualifiedName } from "../parser/ast.js";
import type { ParsedFile, Statement } from "../parser/types.js";
import { createdObjects, objectKey, type ObjectKind } from "./created-objects.js";
import type { MigrationRole, RollbackBlock } from "./rollback.js";

export interface RollbackFacts {
  /** "rollback" for a rollback file, or for the down section of a file holding both directions. */
  role: MigrationRole;
  /** The sibling file: the rollback of a forward migration, or the forward migration of a rollback. */
  partnerPath: string | undefined;
  /** A rollback written in comments inside the file. */
  block: RollbackBlock | undefined;
  /** Where a goose/dbmate-style down section starts, if the file has one. */
  downSectionStart: number | undefined;
}

/**
 * What rules may ask about a file beyond one statement: what was created before a
 * statement, what the forward migration created (for rollbacks), and the file's
 * rollback. Computed once per file and shared by every rule.
 */
export class FileFacts {
  /** First string index at which each object is created in this file. */
  private readonly createdAt = new Map<string, number>();
  private readonly forwardCreated = new Set<string>();

  constructor(
    readonly parsed: ParsedFile,
    readonly rollback: RollbackFacts,
    forward: ParsedFile | undefined,
  ) {
    for (const statement of allStatements(parsed)) {
      const inDown = this.inDownSection(statement);
      for (const object of createdObjects(statement)) {
        const key = objectKey(object.kind, object);
        if (rollback.downSectionStart !== undefined && !inDown) this.forwardCreated.add(key);
        if (!this.createdAt.has(key)) this.createdAt.set(key, statement.range.start);
      }
    }
    if (forward) {
      for (const statement of allStatements(forward)) {
        for (const object of createdObjects(statement)) this.forwardCreated.add(objectKey(object.kind, object));
      }
    }
  }

  /**
   * True when the object was created in this file before the statement: it is new and empty.
   * Columns are named `{ schema, name: "table.column" }` (or `"table.column"` for `public`).
   */
  createdBefore(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    const at = this.createdAt.get(objectKey(kind, name));
    return at !== undefined && at < statement.range.start;
  }

  /** True when the statement undoes what the paired forward migration created. */
  undoesForward(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    return this.isRollback(statement) && this.forwardCreated.has(objectKey(kind, name));
  }

  /** True when the statement is (part of) a rollback: a rollback file, or a down section. */
  isRollback(statement: Statement): boolean {
    return this.rollback.role === "rollback" || this.inDownSection(statement);
  }

  /** True when the object is new in this file or the statement is a rollback undoing it. */
  isNewOrUndone(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    return this.createdBefore(statement, kind, name) || this.undoesForward(statement, kind, name);
  }

  /** Top-level statements before this one (for a DO-block statement: before its DO). */
  statementsBefore(statement: Statement): Statement[] {
    const top = statement.parent ?? statement;
    return this.parsed.statements.slice(0, top.index);
  }

  private inDownSection(statement: Statement): boolean {
    const start = this.rollback.downSectionStart;
    return start !== undefined && statement.range.start > start;
  }
}

function allStatements(parsed: ParsedFile): Statement[] {
  if (parsed.doBlockStatements.length === 0) return parsed.statements;
  return [...parsed.statements, ...parsed.doBlockStatements].sort((a, b) => a.range.start - b.range.start);
}
