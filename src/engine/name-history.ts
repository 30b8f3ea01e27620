/** What happens to a name across a file: created, renamed, dropped and taken again, and in which transaction. */
import { asList, displayName, listName, relationName, typeDisplay, unwrap, type QualifiedName } from "../parser/ast.js";
import { transactionKind } from "../parser/transactions.js";
import type { ParsedFile, Statement } from "../parser/types.js";
import { createdObjects, type ObjectKind } from "./created-objects.js";
import type { RuleContext } from "./rule.js";

export type Namespace = "relation" | "function" | "type";

const NAMESPACE_OF: Partial<Record<ObjectKind, Namespace>> = {
  table: "relation",
  view: "relation",
  "materialized-view": "relation",
  sequence: "relation",
  function: "function",
  type: "type",
};

const RELATION_RENAMES = new Set(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE"]);
const FUNCTION_RENAMES = new Set(["OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE", "OBJECT_AGGREGATE"]);
const TYPE_RENAMES = new Set(["OBJECT_TYPE", "OBJECT_DOMAIN"]);

/** One object: an unqualified name is taken to be in `public`, as the file facts do. */
export function sameName(a: QualifiedName, b: QualifiedName): boolean {
  return a.name === b.name && (a.schema ?? "public") === (b.schema ?? "public");
}

/** `name` with a suffix, in the same schema: `app.users` → `app.users_old`. */
export function suffixed(name: QualifiedName, suffix: string): QualifiedName {
  return { ...name, name: `${name.name}${suffix}` };
}

export interface Rename {
  namespace: Namespace;
  from: QualifiedName;
  /** A rename keeps the schema. */
  to: QualifiedName;
}

/** What a RENAME of a relation, function or type renames, and to what name. */
export function renameOf(statement: Statement): Rename | undefined {
  if (statement.kind !== "RenameStmt" || typeof statement.node.newname !== "string") return undefined;
  const type = String(statement.node.renameType);
  let namespace: Namespace;
  let from: QualifiedName | undefined;
  if (RELATION_RENAMES.has(type)) {
    namespace = "relation";
    from = relationName(statement.node.relation);
  } else if (FUNCTION_RENAMES.has(type)) {
    namespace = "function";
    const object = unwrap(statement.node.object);
    from = object?.type === "ObjectWithArgs" ? listName({ List: { items: object.value.objname } }) : undefined;
  } else if (TYPE_RENAMES.has(type)) {
    namespace = "type";
    const object = unwrap(statement.node.object);
    from = object?.type === "TypeName" ? listName({ List: { items: object.value.names } }) : listName(statement.node.object);
  } else {
    return undefined;
  }
  if (!from) return undefined;
  return { namespace, from, to: { ...from, name: statement.node.newname } };
}

/** How a statement gives an object the name: by creating one, or by renaming another to it. */
export type Taking = "create" | "rename";

export function takesName(statement: Statement, namespace: Namespace, name: QualifiedName): Taking | undefined {
  const rename = renameOf(statement);
  if (rename) return rename.namespace === namespace && sameName(rename.to, name) ? "rename" : undefined;
  if (createdObjects(statement).some((object) => NAMESPACE_OF[object.kind] === namespace && sameName(object, name))) return "create";
  if (namespace === "type" && statement.kind === "DefineStmt" && statement.node.kind === "OBJECT_TYPE") {
    const defined = listName({ List: { items: statement.node.defnames } });
    if (defined && sameName(defined, name)) return "create";
  }
  return undefined;
}

/** Every statement of the file, DO-block statements included, in file order. */
/** Top-level and DO-block statements in file order, worked out once per file. */
function everyStatement(context: RuleContext): Statement[] {
  const { statements, doBlockStatements } = context.parsed;
  if (doBlockStatements.length === 0) return statements;
  let ordered = inFileOrder.get(context.parsed);
  if (!ordered) inFileOrder.set(context.parsed, (ordered = [...statements, ...doBlockStatements].sort((a, b) => a.range.start - b.range.start)));
  return ordered;
}

const inFileOrder = new WeakMap<ParsedFile, Statement[]>();

/** Statements that run before this one (a DO block holding it excluded). */
export function statementsBefore(statement: Statement, context: RuleContext): Statement[] {
  return everyStatement(context).filter((other) => other.range.end <= statement.range.start);
}

/** Statements that run after this one (a DO block holding it excluded). */
export function statementsAfter(statement: Statement, context: RuleContext): Statement[] {
  return everyStatement(context).filter((other) => other.range.start >= statement.range.end);
}

/**
 * True when an earlier statement of the file created an object of this name or renamed
 * one to it (`CREATE TYPE t;` shells and `ALTER ... RENAME TO t` included, which the
 * file facts do not record): no running code knows the name yet.
 */
export function namedBefore(statement: Statement, context: RuleContext, namespace: Namespace, name: QualifiedName): boolean {
  return statementsBefore(statement, context).some((earlier) => takesName(earlier, namespace, name) !== undefined);
}

/**
 * True when `later` (after `statement` in the file) commits together with it, so that
 * other sessions never see what lies between them: both in one DO block, both in the
 * same explicit BEGIN block, or both in the transaction the runner wraps the file in
 * (until an explicit COMMIT of the file ends it).
 */
export function sameTransaction(statement: Statement, later: Statement, context: RuleContext): boolean {
  if (statement.parent && statement.parent === later.parent) return true;
  const first = statement.parent ?? statement;
  const second = later.parent ?? later;
  if (first === second) return true;
  const a = first.transaction;
  const b = second.transaction;
  if (a.inTransaction || b.inTransaction) return a.inTransaction && b.inTransaction && a.beginIndex === b.beginIndex;
  if (!context.settings.assumeInTransaction) return false;
  return !context.parsed.statements.slice(first.index + 1, second.index).some((between) => transactionKind(between) !== undefined);
}

export interface Successor {
  /** The first later statement of the file that gives an object the name again. */
  statement: Statement;
  how: Taking;
  /** It commits together with the statement that freed the name: no session ever finds the name missing. */
  sameTransaction: boolean;
}

/** The first later statement that takes the name that `statement` frees (by a DROP or a RENAME). */
export function successorOf(statement: Statement, context: RuleContext, namespace: Namespace, name: QualifiedName): Successor | undefined {
  for (const later of statementsAfter(statement, context)) {
    const how = takesName(later, namespace, name);
    if (how) return { statement: later, how, sameTransaction: sameTransaction(statement, later, context) };
  }
  return undefined;
}

export interface Dropped {
  name: QualifiedName;
  /** The name as written for the message, with the argument types of a function. */
  label: string;
  successor?: Successor;
}

/**
 * The objects of a DROP that running code may know: not created earlier in the file,
 * not given their name by an earlier RENAME of the file, and not what the paired
 * forward migration created (for a rollback).
 */
export function droppedObjects(statement: Statement, context: RuleContext, kind: ObjectKind): Dropped[] {
  const namespace = NAMESPACE_OF[kind];
  if (!namespace) return [];
  const dropped: Dropped[] = [];
  for (const object of asList(statement.node.objects)) {
    const named = nameAndLabel(object);
    if (!named) continue;
    if (context.facts.isNewOrUndone(statement, kind, named.name) || namedBefore(statement, context, namespace, named.name)) continue;
    const successor = successorOf(statement, context, namespace, named.name);
    dropped.push({ ...named, ...(successor ? { successor } : {}) });
  }
  return dropped;
}

function nameAndLabel(object: unknown): { name: QualifiedName; label: string } | undefined {
  const node = unwrap(object);
  if (node?.type === "ObjectWithArgs") {
    const name = listName({ List: { items: node.value.objname } });
    if (!name) return undefined;
    const args = node.value.args_unspecified === true ? "" : `(${asList(node.value.objargs).map((arg) => typeDisplay(unwrap(arg)?.value)).join(", ")})`;
    return { name, label: `${displayName(name)}${args}` };
  }
  const name = node?.type === "TypeName" ? listName({ List: { items: node.value.names } }) : listName(object);
  return name ? { name, label: displayName(name) } : undefined;
}

/** "a", "a and b", "a, b and c". */
export function listing(labels: readonly string[]): string {
  return labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/** The sentence for objects taken again later in the file, but after a commit: the gap is visible. */
export function gapSentence(gap: readonly Dropped[], freed: string): string {
  if (gap.length === 0) return "";
  const many = gap.length > 1;
  return (
    ` ${listing(gap.map((object) => object.label))} ${many ? "are" : "is"} ${freed} later in this file, but not in the same transaction: ` +
    "queries that arrive in between still fail."
  );
}
