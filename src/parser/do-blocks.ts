import { indexOfCodePoint, SourceText, type Range } from "../source/source-text.js";
import { parsePlpgsql, parseSql, type PgSyntaxError } from "./pg.js";
import { syntaxProblem } from "./syntax-hints.js";
import { executedSql } from "./dynamic-sql.js";
import { buildStatement } from "./statement.js";
import { tokenize } from "./tokens.js";
import type { DynamicSql, Statement, SyntaxProblem, Token } from "./types.js";

interface PlpgsqlSql {
  query: string;
  lineno: number;
  dynamic: boolean;
}

interface DoBody {
  text: string;
  /** String index in the file of the body's first character, when it maps exactly (dollar quotes). */
  start: number | undefined;
}

/**
 * A DO statement runs its PL/pgSQL body at once, so the SQL inside it is as
 * real as a top-level statement. Finds that SQL (nested blocks, IFs and loops
 * included) and the EXECUTEs of dynamic SQL, at their exact place in the file.
 */
export function findDoBlocks(
  statements: readonly Statement[],
  source: SourceText,
): { statements: Statement[]; dynamicSql: DynamicSql[]; errors: SyntaxProblem[] } {
  const found: Statement[] = [];
  const dynamicSql: DynamicSql[] = [];
  const errors: SyntaxProblem[] = [];
  for (const parent of statements) {
    if (parent.kind !== "DoStmt") continue;
    const body = doBody(parent);
    if (!body) continue;
    const plpgsql = plpgsqlStatements(parent.text);
    if ("message" in plpgsql) {
      const at = parent.range.start + (plpgsql.codePointOffset === undefined ? 0 : indexOfCodePoint(parent.text, plpgsql.codePointOffset));
      errors.push(syntaxProblem(source, `in the DO block's PL/pgSQL body: ${plpgsql.message}`, parent.text, at, parent.range.end));
      continue;
    }
    for (const sql of plpgsql.sql) {
      const range = locate(sql, body) ?? parent.range;
      if (sql.dynamic) {
        const executed = executedSql(sql.query, plpgsql.assignments);
        // EXECUTE of a constant string runs that SQL: checked like the block's other statements.
        const constant = executed.constant === undefined ? undefined : constantStatement(sql.query, executed.constant, range, range !== parent.range, parent, source, found.length);
        if (constant) found.push(constant);
        else dynamicSql.push({ parent, range, loc: source.location(range), text: sql.query, ...(executed.statements ? { runs: executed.statements } : {}) });
        continue;
      }
      const exact = range !== parent.range;
      const statement = innerStatement(sql.query, range, exact, parent, source, found.length);
      if (statement) found.push(statement);
    }
  }
  return { statements: found, dynamicSql, errors };
}

function doBody(statement: Statement): DoBody | undefined {
  if (statement.kind !== "DoStmt") return undefined;
  let text: string | undefined;
  for (const arg of statement.node.args ?? []) {
    const def = "DefElem" in arg ? arg.DefElem : undefined;
    const value = def?.arg && "String" in def.arg ? def.arg.String.sval : undefined;
    if (def?.defname === "language" && value?.toLowerCase() !== "plpgsql") return undefined;
    if (def?.defname === "as") text = value;
  }
  if (text === undefined) return undefined;
  const literal = statement.tokens.find((token) => token.type === "string" && token.text.startsWith("$"));
  if (!literal) return { text, start: undefined };
  const tag = /^\$[^$]*\$/.exec(literal.text)?.[0] ?? "$$";
  return { text, start: literal.start + tag.length };
}

/** The SQL a DO block's body runs, and the expressions assigned to each of its variables, by lower-case name. */
interface PlpgsqlBody {
  sql: PlpgsqlSql[];
  assignments: Map<string, string[]>;
}

function plpgsqlStatements(doStatementText: string): PlpgsqlBody | PgSyntaxError {
  const tree = parsePlpgsql(doStatementText);
  if (!tree.ok) return tree.error;
  const body: PlpgsqlBody = { sql: [], assignments: new Map() };
  collect(tree.tree, body);
  return body;
}

/** `name := expression` (or `=`), as PL/pgSQL gives an assignment's text. */
const ASSIGNMENT = /^\s*("(?:[^"]|"")+"|[^\s:=]+)\s*:?=\s*([\s\S]*)$/;

/** PL/pgSQL statements that run dynamic SQL, and the field holding it: EXECUTE, FOR ... IN EXECUTE, OPEN ... FOR EXECUTE. */
const DYNAMIC_SQL = [
  ["PLpgSQL_stmt_dynexecute", "query"],
  ["PLpgSQL_stmt_dynfors", "query"],
  ["PLpgSQL_stmt_open", "dynquery"],
] as const;

function collect(node: unknown, found: PlpgsqlBody): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, found);
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  const execsql = record.PLpgSQL_stmt_execsql as { lineno?: number; sqlstmt?: { PLpgSQL_expr?: { query?: string } } } | undefined;
  if (execsql?.sqlstmt?.PLpgSQL_expr?.query) {
    found.sql.push({ query: execsql.sqlstmt.PLpgSQL_expr.query, lineno: execsql.lineno ?? 1, dynamic: false });
  }
  for (const [key, field] of DYNAMIC_SQL) {
    const dynamic = record[key] as ({ lineno?: number } & Record<string, { PLpgSQL_expr?: { query?: string } } | undefined>) | undefined;
    const query = dynamic?.[field]?.PLpgSQL_expr?.query;
    if (query) found.sql.push({ query, lineno: dynamic.lineno ?? 1, dynamic: true });
  }
  const assign = record.PLpgSQL_stmt_assign as { expr?: { PLpgSQL_expr?: { query?: string } } } | undefined;
  const assignment = ASSIGNMENT.exec(assign?.expr?.PLpgSQL_expr?.query ?? "");
  if (assignment) {
    const name = assignment[1]!.startsWith('"') ? assignment[1]!.slice(1, -1).replaceAll('""', '"') : assignment[1]!.toLowerCase();
    found.assignments.set(name, [...(found.assignments.get(name) ?? []), assignment[2]!]);
  }
  for (const value of Object.values(record)) if (value && typeof value === "object") collect(value, found);
}

/**
 * PL/pgSQL gives a line number (1 = the line of the opening quote) and the statement's
 * text, which is the exact source text unless PL/pgSQL rewrote it (`SELECT ... INTO x`
 * loses its INTO clause): then, and for bodies that are not dollar-quoted, there is no
 * exact place and the caller falls back to the DO statement.
 */
function locate(sql: PlpgsqlSql, body: DoBody): Range | undefined {
  if (body.start === undefined) return undefined;
  const lines = new SourceText(body.text);
  let at = body.text.indexOf(sql.query, lines.lineStart(sql.lineno));
  if (at < 0) at = body.text.indexOf(sql.query);
  if (at < 0) return undefined;
  return { start: body.start + at, end: body.start + at + sql.query.length };
}

function innerStatement(query: string, range: Range, exact: boolean, parent: Statement, source: SourceText, index: number): Statement | undefined {
  const parsed = parseSql(query);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const local = new SourceText(query);
  const tokens = exact ? shiftedTokens(query, range.start) : [];
  return buildStatement({
    raw: parsed.statements[0]!,
    source,
    range,
    index,
    indexOf: exact ? (location) => range.start + local.charIndex(location) : () => range.start,
    tokens: () => tokens,
    text: query,
    parent,
  });
}

/**
 * The statement an EXECUTE of a constant runs. It has its exact place in the file when the expression is one
 * plain string literal (`'DROP INDEX i'`, no doubled quotes); otherwise it stands at the EXECUTE's expression.
 */
function constantStatement(expression: string, sql: string, range: Range, located: boolean, parent: Statement, source: SourceText, index: number): Statement | undefined {
  const plain = located && expression === `'${sql}'`;
  return innerStatement(sql, plain ? { start: range.start + 1, end: range.end - 1 } : range, plain, parent, source, index);
}

function shiftedTokens(query: string, offset: number): Token[] {
  return tokenize(query, offset).tokens;
}
