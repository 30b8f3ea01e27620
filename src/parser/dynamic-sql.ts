/**
 * What an EXECUTE of dynamic SQL in a DO block runs, as far as its expression shows: string literals, `||`,
 * format() with its template, quote_ident() and friends, and the block's variables through their assignments.
 * Every other value is known only at run time and stands in the SQL as a placeholder.
 */
import type { Node } from "@pgsql/types";
import { nodeAs } from "./node-types.js";
import { parseSql } from "./pg.js";

export interface ExecutedSql {
  /** The SQL when the expression is a constant: nothing in it is left to run time. */
  constant?: string;
  /** The statements the EXECUTE can run, when each form its SQL can take parses with placeholders for run-time values. */
  statements?: Node[];
}

/** A form the SQL can take; `constant` when no part of it is a run-time value. */
interface Form {
  text: string;
  constant: boolean;
}

/** More forms than this (variables assigned in many places, concatenated) and the SQL is taken as unknown. */
const MAX_FORMS = 16;
/** How deep variables are followed through the assignments of other variables. */
const MAX_DEPTH = 4;
/** What a run-time value becomes: a name, which also reads as a column where a value is expected. */
const PLACEHOLDER: Form = { text: "x", constant: false };
const QUOTED_PLACEHOLDER: Form = { text: "'x'", constant: false };

/**
 * The SQL of an EXECUTE whose expression is `expression` (PL/pgSQL's text of it), with `assignments`
 * the expressions assigned to each variable of the block (`name := expression`), by lower-case name.
 */
export function executedSql(expression: string, assignments: ReadonlyMap<string, readonly string[]>): ExecutedSql {
  const forms = formsOfText(expression, assignments, 0);
  if (!forms) return {};
  if (forms.length === 1 && forms[0]!.constant) return { constant: forms[0]!.text, ...statementsOf(forms) };
  return statementsOf(forms);
}

function statementsOf(forms: readonly Form[]): Pick<ExecutedSql, "statements"> {
  const statements: Node[] = [];
  for (const form of forms) {
    const parsed = parseSql(form.text);
    if (!parsed.ok || parsed.statements.length === 0) return {};
    // libpg-query's `{ Kind: node }` objects are @pgsql/types' Node.
    for (const raw of parsed.statements) if (raw.stmt) statements.push(raw.stmt as Node);
  }
  return { statements };
}

function formsOfText(expression: string, assignments: ReadonlyMap<string, readonly string[]>, depth: number): Form[] | undefined {
  const parsed = parseSql(`SELECT ${expression}`);
  const select = parsed.ok && parsed.statements.length === 1 ? nodeAs(parsed.statements[0]!.stmt as Node | undefined, "SelectStmt") : undefined;
  const target = select?.targetList?.length === 1 ? nodeAs(select.targetList[0], "ResTarget")?.val : undefined;
  return target ? formsOf(target, assignments, depth) : undefined;
}

function formsOf(node: Node, assignments: ReadonlyMap<string, readonly string[]>, depth: number): Form[] | undefined {
  const constant = nodeAs(node, "A_Const");
  if (constant) return constant.sval ? [{ text: constant.sval.sval ?? "", constant: true }] : [PLACEHOLDER];
  const cast = nodeAs(node, "TypeCast");
  if (cast?.arg) return formsOf(cast.arg, assignments, depth);
  const operator = nodeAs(node, "A_Expr");
  if (operator?.kind === "AEXPR_OP" && operator.name?.length === 1 && nodeAs(operator.name[0], "String")?.sval === "||" && operator.lexpr && operator.rexpr) {
    const left = formsOf(operator.lexpr, assignments, depth);
    const right = formsOf(operator.rexpr, assignments, depth);
    if (!left || !right || left.length * right.length > MAX_FORMS) return undefined;
    return left.flatMap((a) => right.map((b) => ({ text: a.text + b.text, constant: a.constant && b.constant })));
  }
  const call = nodeAs(node, "FuncCall");
  if (call) {
    const name = call.funcname?.map((part) => nodeAs(part, "String")?.sval).at(-1)?.toLowerCase();
    if (name === "format" && call.args?.[0]) return formsOf(call.args[0], assignments, depth)?.map(formatted);
    return [name === "quote_literal" || name === "quote_nullable" ? QUOTED_PLACEHOLDER : PLACEHOLDER];
  }
  const fields = nodeAs(node, "ColumnRef")?.fields ?? [];
  const variable = fields.length === 1 ? nodeAs(fields[0], "String")?.sval : undefined;
  const assigned = variable === undefined ? undefined : assignments.get(variable);
  if (!assigned || assigned.length === 0 || depth >= MAX_DEPTH) return [PLACEHOLDER];
  const forms: Form[] = [];
  for (const expression of assigned) {
    const more = formsOfText(expression, assignments, depth + 1);
    if (!more || forms.length + more.length > MAX_FORMS) return undefined;
    forms.push(...more);
  }
  return forms;
}

/** format()'s template with its arguments as placeholders: `%I` and `%s` a name, `%L` a literal, `%%` a percent sign. */
function formatted(template: Form): Form {
  let constant = template.constant;
  const text = template.text.replace(/%(?:\d+\$)?-?\d*([sIL%])/g, (_match, type: string) => {
    if (type === "%") return "%";
    constant = false;
    return type === "L" ? QUOTED_PLACEHOLDER.text : PLACEHOLDER.text;
  });
  return { text, constant };
}
