/**
 * What verify refuses to run: statements that act outside the scratch database and the
 * session (other databases, roles, tablespaces, the server's configuration and files,
 * other sessions, native code), wherever they hide — in the statement's own tree, in a
 * DO block's or a function's body (PL/pgSQL is parsed, SQL bodies too), and in an
 * EXECUTE of dynamic SQL. Dynamic SQL is seen through only when every value known at run
 * time alone is quoted (quote_ident/quote_literal, format's %I/%L), so that it cannot
 * change what the statement is; any other EXECUTE is refused, as is a body in a language
 * verify cannot read.
 *
 * Only what a migration may do to the database it runs on is let through: a migration that
 * needs more (a role, an extension outside the allow-list) is reported, and the rest of it
 * still runs.
 *
 * On an isolated database — PGlite, verify's own in-memory instance inside its WebAssembly sandbox, which reaches
 * no file, program or network of the machine — roles, database privileges, the session's role and dynamic SQL act
 * on nothing but that instance, and run ("server-only" refusals). What would break the instance itself, lie about
 * what a server does, or make it read statements otherwise than verify checked them stays refused there too.
 */
import { parsePlpgsql, parseSql } from "../parser/pg.js";
import type { Statement } from "../parser/types.js";

type Json = Record<string, unknown>;

/** What the checks found: each reason, and whether it is refused only on a server (the instance is shared there). */
interface Reasons {
  always: string[];
  serverOnly: string[];
}

/** Where verify runs the migrations: a server's scratch database, or an instance of its own (PGlite). */
export type RefusalTarget = "server" | "isolated";

/**
 * Extensions whose scripts only create objects in the database (types, functions, operators, index methods).
 * Left out: those that read or write server files or other servers (file_fdw, postgres_fdw, dblink, adminpack),
 * inspect or repair storage (pageinspect, pg_surgery, …), load untrusted languages (plperlu, plpython3u), or
 * report on the whole cluster (pg_stat_statements, pg_buffercache).
 */
export const ALLOWED_EXTENSIONS: ReadonlySet<string> = new Set([
  "plpgsql",
  "btree_gin",
  "btree_gist",
  "citext",
  "cube",
  "dict_int",
  "dict_xsyn",
  "earthdistance",
  "fuzzystrmatch",
  "hstore",
  "intarray",
  "isn",
  "lo",
  "ltree",
  "moddatetime",
  "pg_trgm",
  "pgcrypto",
  "seg",
  "tablefunc",
  "tcn",
  "tsm_system_rows",
  "tsm_system_time",
  "unaccent",
  "uuid-ossp",
  "bloom",
  "intagg",
  "autoinc",
  "insert_username",
  "refint",
  "postgis",
  "postgis_raster",
  "postgis_topology",
  "postgis_sfcgal",
  "address_standardizer",
  "address_standardizer_data_us",
  "vector",
  "h3",
  "h3_postgis",
]);

/** Languages whose bodies verify reads: SQL and PL/pgSQL. A body in any other language could do anything the language allows. */
const READABLE_LANGUAGES = new Set(["sql", "plpgsql"]);

/** Functions that read or write server files, reach other servers or sessions, or change the server. */
const REFUSED_FUNCTIONS = new Set([
  "pg_read_file",
  "pg_read_binary_file",
  "pg_stat_file",
  "lo_import",
  "lo_export",
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_signal_backend",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_promote",
  "pg_switch_wal",
  "pg_create_restore_point",
  "pg_backup_start",
  "pg_backup_stop",
  "pg_start_backup",
  "pg_stop_backup",
  "pg_wal_replay_pause",
  "pg_wal_replay_resume",
  "pg_log_backend_memory_contexts",
  "pg_stat_reset_shared",
  "pg_stat_reset_slru",
  "pg_import_system_collations",
  "query_to_xml",
  "query_to_xmlschema",
  "query_to_xml_and_xmlschema",
  "cursor_to_xml",
  "database_to_xml",
  "database_to_xmlschema",
  "database_to_xml_and_xmlschema",
]);

/** Families of such functions, by prefix: directory listings, adminpack's file functions, dblink, replication slots and origins. */
const REFUSED_FUNCTION_PREFIXES = ["pg_ls_", "pg_file_", "dblink", "pg_create_physical_replication_slot", "pg_create_logical_replication_slot", "pg_drop_replication_slot", "pg_copy_", "pg_replication_origin_", "pg_logical_slot_", "pg_replication_slot_"];

/**
 * Settings a migration may not change: who the session is (role, session_authorization: verify may run the
 * migrations as an unprivileged role), and how the server reads the SQL verify sends (standard_conforming_strings,
 * client_encoding: with another value the server would read statements differently from how verify checked them).
 */
const REFUSED_SETTINGS = new Set(["role", "session_authorization", "standard_conforming_strings", "client_encoding", "backslash_quote"]);

/** Statement kinds that always act outside the scratch database or the session, and why. */
const REFUSED_KINDS: Readonly<Record<string, string>> = {
  CreatedbStmt: "CREATE DATABASE creates a database besides verify's scratch database",
  DropdbStmt: "DROP DATABASE drops a database verify did not create",
  AlterDatabaseStmt: "ALTER DATABASE changes a database verify did not create",
  AlterDatabaseSetStmt: "ALTER DATABASE … SET changes a database verify did not create",
  AlterDatabaseRefreshCollStmt: "ALTER DATABASE changes a database verify did not create",
  CreateRoleStmt: "CREATE ROLE/USER/GROUP creates a role on the whole server",
  AlterRoleStmt: "ALTER ROLE/USER/GROUP changes a role of the whole server",
  AlterRoleSetStmt: "ALTER ROLE … SET changes a role of the whole server",
  DropRoleStmt: "DROP ROLE/USER/GROUP drops a role of the whole server",
  GrantRoleStmt: "GRANT/REVOKE of a role changes role membership on the whole server",
  ReassignOwnedStmt: "REASSIGN OWNED also reassigns databases and tablespaces of the whole server",
  DropOwnedStmt: "DROP OWNED also revokes privileges on databases and tablespaces of the whole server",
  CreateTableSpaceStmt: "CREATE TABLESPACE creates a directory on the server",
  DropTableSpaceStmt: "DROP TABLESPACE drops a tablespace of the whole server",
  AlterTableSpaceOptionsStmt: "ALTER TABLESPACE changes a tablespace of the whole server",
  AlterSystemStmt: "ALTER SYSTEM changes the server's configuration",
  LoadStmt: "LOAD loads a shared library into the server",
  CreateSubscriptionStmt: "CREATE SUBSCRIPTION connects to another server",
  AlterSubscriptionStmt: "ALTER SUBSCRIPTION connects to another server",
  DropSubscriptionStmt: "DROP SUBSCRIPTION connects to another server",
  CreateFdwStmt: "CREATE FOREIGN DATA WRAPPER loads code that reaches outside the database",
  CreateForeignServerStmt: "CREATE SERVER defines a connection outside the database",
  AlterForeignServerStmt: "ALTER SERVER changes a connection outside the database",
  CreateUserMappingStmt: "CREATE USER MAPPING stores credentials for another server",
  AlterUserMappingStmt: "ALTER USER MAPPING stores credentials for another server",
  ImportForeignSchemaStmt: "IMPORT FOREIGN SCHEMA connects to another server",
  CreatePLangStmt: "CREATE LANGUAGE loads a procedural language's handler into the server",
  CreateEventTrigStmt: "CREATE EVENT TRIGGER runs on every later DDL statement of the session",
};

/** Statement kinds refused only on a server: on an isolated instance, roles are that instance's own. */
const SERVER_ONLY_KINDS = new Set(["CreateRoleStmt", "AlterRoleStmt", "AlterRoleSetStmt", "DropRoleStmt", "GrantRoleStmt", "ReassignOwnedStmt", "DropOwnedStmt"]);

/** Shared objects a statement may change on an isolated instance (its roles, and privileges on its database). */
const SERVER_ONLY_OBJECTS = new Set(["OBJECT_ROLE", "OBJECT_DATABASE"]);

/** Settings refused because verify may run the migrations as an unprivileged role on a server. */
const ROLE_SETTINGS = new Set(["role", "session_authorization"]);

/** Objects of the whole server (shared catalogs), which GRANT, COMMENT, SECURITY LABEL, ALTER … OWNER and RENAME may name. */
const SHARED_OBJECTS: Readonly<Record<string, string>> = {
  OBJECT_DATABASE: "a database",
  OBJECT_ROLE: "a role",
  OBJECT_TABLESPACE: "a tablespace",
  OBJECT_PARAMETER_ACL: "a server setting",
  OBJECT_FDW: "a foreign-data wrapper",
  OBJECT_FOREIGN_SERVER: "a foreign server",
  OBJECT_SUBSCRIPTION: "a subscription",
};

/** What a run-time value becomes in the SQL of an EXECUTE that verify sees through. */
const RUNTIME_IDENTIFIER = "migsafe_runtime_value";
const RUNTIME_LITERAL = `'${RUNTIME_IDENTIFIER}'`;

/** Most SQL texts one EXECUTE is expanded into (a variable assigned in several places, concatenated). */
const MAX_FORMS = 16;
/** How deep variables are followed through the assignments of other variables. */
const MAX_DEPTH = 4;

/**
 * Why verify refuses to run the statement, or undefined when it may run: one reason per
 * thing found, in the order found (a DO block can have several).
 */
export function refusalsOf(statement: Statement, target: RefusalTarget = "server"): string[] {
  const reasons: Reasons = { always: [], serverOnly: [] };
  checkTree({ [statement.kind]: statement.node }, reasons, statement.kind === "DoStmt" || statement.kind === "CreateFunctionStmt" ? statement.text : undefined);
  return applying(reasons, target);
}

/** The reasons that refuse a statement on the target, each once, in the order found: anything but "isolated" is a server. */
function applying(reasons: Reasons, target: RefusalTarget): string[] {
  return [...new Set(target === "isolated" ? reasons.always : [...reasons.always, ...reasons.serverOnly])];
}

/** The first refusal among SQL statements given as text (a seed): its reason and string index, or undefined. */
export function refusalInSql(sql: string, target: RefusalTarget = "server"): { reason: string; location: number } | undefined {
  const parsed = parseSql(sql);
  if (!parsed.ok) return undefined;
  const bytes = Buffer.from(sql, "utf8");
  for (const raw of parsed.statements) {
    const reasons: Reasons = { always: [], serverOnly: [] };
    const start = raw.stmt_location ?? 0;
    const text = bytes.subarray(start, raw.stmt_len ? start + raw.stmt_len : bytes.length).toString("utf8");
    checkTree(raw.stmt, reasons, raw.stmt && ("DoStmt" in raw.stmt || "CreateFunctionStmt" in raw.stmt) ? text : undefined);
    const refused = applying(reasons, target);
    if (refused.length > 0) return { reason: refused[0]!, location: bytes.subarray(0, start).toString("utf8").length };
  }
  return undefined;
}

/**
 * Walks a libpg-query tree. `text` is the statement's text when the tree is a DO or a CREATE FUNCTION statement:
 * the body is parsed as PL/pgSQL from it, with the function's own parameters and result (a `RETURN x` is wrong only in
 * a function returning void, an OUT parameter is a variable of the body).
 */
function checkTree(tree: unknown, reasons: Reasons, text?: string): void {
  const isDo = typeof tree === "object" && tree !== null && "DoStmt" in tree;
  walk(tree, (kind, node) => {
    const refused = REFUSED_KINDS[kind];
    if (refused) (SERVER_ONLY_KINDS.has(kind) ? reasons.serverOnly : reasons.always).push(refused);
    switch (kind) {
      case "CopyStmt":
        if (node.is_program) reasons.always.push("COPY … PROGRAM runs a shell command on the server");
        else if (typeof node.filename === "string") reasons.always.push("COPY to or from a file reads or writes a file on the server");
        break;
      case "CreateExtensionStmt":
      case "AlterExtensionStmt":
      case "AlterExtensionContentsStmt": {
        const name = String(node.extname ?? "");
        if (!ALLOWED_EXTENSIONS.has(name)) reasons.always.push(`extension ${name} is not among those verify creates (its script may reach outside the database)`);
        break;
      }
      case "VariableSetStmt":
        checkSetting(String(node.name ?? ""), node, reasons);
        break;
      case "DiscardStmt":
        if (node.target === "DISCARD_ALL") reasons.serverOnly.push("DISCARD ALL resets the session's role");
        break;
      case "GrantStmt":
      case "CommentStmt":
      case "SecLabelStmt":
      case "AlterOwnerStmt":
      case "RenameStmt": {
        const type = node.objtype ?? node.objectType ?? node.renameType;
        const shared = typeof type === "string" ? SHARED_OBJECTS[type] : undefined;
        if (shared) (SERVER_ONLY_OBJECTS.has(type as string) ? reasons.serverOnly : reasons.always).push(`it changes ${shared}, an object of the whole server`);
        break;
      }
      case "FuncCall":
        checkCall(node, reasons);
        break;
      case "CreateFunctionStmt":
        // The statement's own text for the statement itself; a function created inside another statement is read alone.
        checkFunctionBody(node, reasons, !isDo && (tree as Json).CreateFunctionStmt === node ? text : undefined);
        break;
      case "String": {
        // A function named where no call is written: CREATE OPERATOR (FUNCTION = …), CREATE CAST … WITH FUNCTION, triggers.
        const name = String(node.sval ?? "").toLowerCase();
        if (isRefusedFunction(name)) reasons.always.push(`it refers to ${name}(), which reaches outside the database`);
        break;
      }
      default:
        break;
    }
  });
  if (isDo && text !== undefined) checkPlpgsql(text, "the DO block", reasons);
}

function checkSetting(name: string, node: Json, reasons: Reasons): void {
  const setting = name.toLowerCase();
  if (!REFUSED_SETTINGS.has(setting)) return;
  // Back to the value verify connected with.
  const toDefault = node.kind === "VAR_RESET" || node.kind === "VAR_SET_DEFAULT";
  if (toDefault && (setting === "standard_conforming_strings" || setting === "client_encoding")) return;
  if (setting === "standard_conforming_strings" && isOnValue(node)) return;
  if (setting === "client_encoding" && isUtf8Value(node)) return;
  (ROLE_SETTINGS.has(setting) ? reasons.serverOnly : reasons.always).push(`it changes ${setting}, which verify keeps as it set it`);
}

/** `SET standard_conforming_strings = on`: changes nothing. */
function isOnValue(node: Json): boolean {
  const values = constantArgs(node.args);
  return values.length === 1 && ["on", "true", "1", "yes"].includes(values[0]!.toLowerCase());
}

function isUtf8Value(node: Json): boolean {
  const values = constantArgs(node.args);
  return values.length === 1 && /^utf-?8$/i.test(values[0]!);
}

function constantArgs(args: unknown): string[] {
  if (!Array.isArray(args)) return [];
  return args.map((arg) => {
    const constant = (arg as Json).A_Const as Json | undefined;
    const value = constant?.sval ?? constant?.ival ?? constant?.boolval;
    const inner = value && typeof value === "object" ? Object.values(value)[0] : undefined;
    return inner === undefined ? (constant?.ival ? "0" : "") : String(inner);
  });
}

function checkCall(node: Json, reasons: Reasons): void {
  const name = lastName(node.funcname);
  if (name === undefined) return;
  if (name === RUNTIME_IDENTIFIER) {
    reasons.serverOnly.push("dynamic SQL calls a function whose name is known only at run time");
    return;
  }
  if (name !== "set_config") return;
  const [setting] = Array.isArray(node.args) ? node.args : [];
  const constant = ((setting as Json | undefined)?.A_Const as Json | undefined)?.sval as Json | undefined;
  const value = typeof constant?.sval === "string" ? constant.sval.toLowerCase() : undefined;
  if (value === undefined || value === RUNTIME_IDENTIFIER) reasons.always.push("set_config() of a setting named at run time");
  else if (REFUSED_SETTINGS.has(value)) (ROLE_SETTINGS.has(value) ? reasons.serverOnly : reasons.always).push(`set_config() changes ${value}, which verify keeps as it set it`);
}

function lastName(names: unknown): string | undefined {
  if (!Array.isArray(names) || names.length === 0) return undefined;
  const last = (names[names.length - 1] as Json).String as Json | undefined;
  return typeof last?.sval === "string" ? last.sval.toLowerCase() : undefined;
}

function isRefusedFunction(name: string): boolean {
  return REFUSED_FUNCTIONS.has(name) || REFUSED_FUNCTION_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** A function's language and body: SQL and PL/pgSQL bodies are checked like statements; others are refused. `text`: the CREATE FUNCTION statement's. */
function checkFunctionBody(node: Json, reasons: Reasons, text: string | undefined): void {
  let language = "sql";
  let body: string | undefined;
  const options = Array.isArray(node.options) ? (node.options as Json[]) : [];
  for (const option of options) {
    const def = option.DefElem as Json | undefined;
    if (!def) continue;
    const arg = def.arg as Json | undefined;
    if (def.defname === "language") language = String((arg?.String as Json | undefined)?.sval ?? "").toLowerCase();
    if (def.defname === "as") {
      const items = ((arg?.List as Json | undefined)?.items ?? []) as Json[];
      const first = items[0]?.String as Json | undefined;
      body = typeof first?.sval === "string" ? first.sval : undefined;
    }
  }
  if (!READABLE_LANGUAGES.has(language)) {
    reasons.always.push(`a function in language ${language}: verify cannot read what its body does`);
    return;
  }
  if (body === undefined) return; // BEGIN ATOMIC … END: its statements are in the tree already.
  if (language === "sql") {
    const parsed = parseSql(body);
    if (!parsed.ok) reasons.always.push("a SQL function body verify cannot parse");
    else for (const raw of parsed.statements) checkTree(raw.stmt, reasons);
    return;
  }
  // parsePlPgSQL reads a whole CREATE FUNCTION: the statement's own text first (its parameters and result); then, as
  // libpg-query knows no type but the built-in ones (`RETURNS citext[]` is "cannot return type record[]"), the body
  // wrapped in functions of known results. Any of them that parses shows every statement of the body.
  const wrapped = (result: string) => `CREATE FUNCTION migsafe_check() RETURNS ${result} LANGUAGE plpgsql AS ${dollarQuoted(body)}`;
  const results = isTrigger(node) ? ["trigger"] : ["void", "text", "SETOF text"];
  checkPlpgsql([...(text === undefined ? [] : [text]), ...results.map(wrapped)], "the function body", reasons);
}

function isTrigger(node: Json): boolean {
  const returns = node.returnType as Json | undefined;
  return lastName(returns?.names) === "trigger" || lastName(returns?.names) === "event_trigger";
}

function dollarQuoted(body: string): string {
  let tag = "$migsafe$";
  while (body.includes(tag)) tag = `$migsafe${tag.length}$`;
  return `${tag}${body}${tag}`;
}

interface PlpgsqlScan {
  /** PL/pgSQL expressions and statements: their SQL text and PL/pgSQL's parse mode. */
  sql: { query: string; mode: number }[];
  /** The SQL of EXECUTE, FOR … IN EXECUTE, OPEN … FOR EXECUTE. */
  dynamic: string[];
  /** The expressions assigned to each variable (`:=` and DECLARE defaults), by lower-case name. */
  assignments: Map<string, string[]>;
  /** The variables of an object-identifier type (regclass, …), whose text is always a quoted name. */
  quotedNames: Set<string>;
}

/** Types whose text output is a name PostgreSQL quoted itself (`"Weird Table"`, `app.users`): safe in `format('%s')`. */
const NAME_TYPES = new Set(["regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regoper", "regoperator", "regconfig", "regdictionary", "regcollation"]);

/** PL/pgSQL statements that run dynamic SQL, and the field that holds it. */
const DYNAMIC_SQL = [
  ["PLpgSQL_stmt_dynexecute", "query"],
  ["PLpgSQL_stmt_dynfors", "query"],
  ["PLpgSQL_stmt_open", "dynquery"],
  ["PLpgSQL_stmt_return_query", "dynquery"],
] as const;

/** PL/pgSQL's parse modes (RawParseMode): a whole statement; an expression; an assignment's `target := expression`. */
const STATEMENT_MODE = 0;
const ASSIGNMENT_MODES = new Set([3, 4, 5]);
const ASSIGNMENT = /^\s*("(?:[^"]|"")+"|[^\s:=]+)\s*:?=\s*([\s\S]*)$/;

/** Checks the PL/pgSQL of the first of `functionTexts` (ways to read one body) that parses; when none does, refuses with the first's error. */
function checkPlpgsql(functionTexts: string | readonly string[], what: string, reasons: Reasons): void {
  const texts = typeof functionTexts === "string" ? [functionTexts] : functionTexts;
  const first = parsePlpgsql(texts[0]!);
  let tree = first;
  for (let i = 1; !tree.ok && i < texts.length; i++) tree = parsePlpgsql(texts[i]!);
  if (!tree.ok) tree = first;
  if (!tree.ok) {
    reasons.always.push(`verify cannot parse ${what} as PL/pgSQL: ${tree.error.message}`);
    return;
  }
  const scan: PlpgsqlScan = { sql: [], dynamic: [], assignments: new Map(), quotedNames: new Set() };
  scanPlpgsql(tree.tree, scan);
  for (const { query, mode } of scan.sql) {
    const sql = mode === STATEMENT_MODE ? query : `SELECT ${ASSIGNMENT_MODES.has(mode) ? (ASSIGNMENT.exec(query)?.[2] ?? query) : query}`;
    const parsed = parseSql(sql);
    if (!parsed.ok) {
      reasons.always.push(`verify cannot parse a statement of ${what}: ${query.trim().slice(0, 60)}`);
      continue;
    }
    for (const raw of parsed.statements) checkTree(raw.stmt, reasons);
  }
  for (const query of scan.dynamic) {
    const forms = formsOfExpression(query, scan, 0);
    if (!forms) {
      reasons.serverOnly.push(`${what} runs dynamic SQL (EXECUTE ${query.trim().slice(0, 60)}) that verify cannot see through: only constant strings and values quoted with quote_ident, quote_literal or format's %I and %L`);
      continue;
    }
    for (const form of forms) {
      const parsed = parseSql(form);
      if (!parsed.ok) {
        reasons.serverOnly.push(`${what} runs dynamic SQL that verify cannot parse: ${form.slice(0, 60)}`);
        continue;
      }
      for (const raw of parsed.statements) checkTree(raw.stmt, reasons);
    }
  }
}

function scanPlpgsql(node: unknown, scan: PlpgsqlScan): void {
  if (Array.isArray(node)) {
    for (const item of node) scanPlpgsql(item, scan);
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as Json;
  const dynamicFields = new Set<unknown>();
  for (const [key, field] of DYNAMIC_SQL) {
    const holder = record[key] as Json | undefined;
    const expression = (holder?.[field] as Json | undefined)?.PLpgSQL_expr as Json | undefined;
    if (typeof expression?.query === "string") {
      scan.dynamic.push(expression.query);
      dynamicFields.add(expression);
    }
  }
  const expression = record.PLpgSQL_expr as Json | undefined;
  if (expression && typeof expression.query === "string") {
    // The text of an EXECUTE is also an expression: it runs first, so it is checked as one too.
    scan.sql.push({ query: expression.query, mode: Number(expression.parseMode ?? STATEMENT_MODE) });
    const assignment = ASSIGNMENT_MODES.has(Number(expression.parseMode)) ? ASSIGNMENT.exec(expression.query) : null;
    if (assignment) addAssignment(scan, assignment[1]!, assignment[2]!);
  }
  const variable = record.PLpgSQL_var as Json | undefined;
  const initial = ((variable?.default_val as Json | undefined)?.PLpgSQL_expr as Json | undefined)?.query;
  if (typeof variable?.refname === "string" && typeof initial === "string") addAssignment(scan, variable.refname, initial);
  const typeName = ((variable?.datatype as Json | undefined)?.PLpgSQL_type as Json | undefined)?.typname;
  if (typeof variable?.refname === "string" && typeof typeName === "string" && NAME_TYPES.has(typeName.toLowerCase())) scan.quotedNames.add(variable.refname.toLowerCase());
  for (const value of Object.values(record)) if (value && typeof value === "object") scanPlpgsql(value, scan);
}

function addAssignment(scan: PlpgsqlScan, target: string, expression: string): void {
  const name = target.startsWith('"') ? target.slice(1, -1).replaceAll('""', '"') : target.toLowerCase();
  scan.assignments.set(name, [...(scan.assignments.get(name) ?? []), expression]);
}

/**
 * The SQL texts an EXECUTE's expression can give, with every run-time value quoted in its place (as the
 * identifier or literal migsafe_runtime_value), or undefined when a run-time value is not quoted, or the
 * expression is anything but strings, `||`, casts, the quoting functions, format() of a constant template
 * with %I and %L, and variables assigned such expressions.
 */
type Scope = Pick<PlpgsqlScan, "assignments" | "quotedNames">;

function formsOfExpression(expression: string, scope: Scope, depth: number): string[] | undefined {
  const parsed = parseSql(`SELECT ${expression}`);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const select = parsed.statements[0]!.stmt?.SelectStmt as Json | undefined;
  const targets = select?.targetList as Json[] | undefined;
  if (!targets || targets.length !== 1) return undefined;
  return formsOf((targets[0]!.ResTarget as Json | undefined)?.val, scope, depth);
}

function formsOf(value: unknown, scope: Scope, depth: number): string[] | undefined {
  const node = (value ?? {}) as Json;
  const constant = node.A_Const as Json | undefined;
  if (constant) {
    const text = (constant.sval as Json | undefined)?.sval;
    return constant.sval ? [typeof text === "string" ? text : ""] : undefined;
  }
  const cast = node.TypeCast as Json | undefined;
  if (cast) return formsOf(cast.arg, scope, depth);
  const operator = node.A_Expr as Json | undefined;
  if (operator) {
    if (operator.kind !== "AEXPR_OP" || lastName(operator.name) !== "||") return undefined;
    const left = formsOf(operator.lexpr, scope, depth);
    const right = formsOf(operator.rexpr, scope, depth);
    if (!left || !right || left.length * right.length > MAX_FORMS) return undefined;
    return left.flatMap((a) => right.map((b) => a + b));
  }
  const call = node.FuncCall as Json | undefined;
  if (call) {
    const name = lastName(call.funcname);
    if (name === "quote_ident") return [`"${RUNTIME_IDENTIFIER}"`];
    if (name === "quote_literal" || name === "quote_nullable") return [RUNTIME_LITERAL];
    const args = Array.isArray(call.args) ? call.args : [];
    if (name !== "format" || args.length === 0) return undefined;
    const quoted = args.slice(1).map((arg) => isQuotedName(arg, scope));
    return formsOf(args[0], scope, depth)
      ?.map((template) => formatted(template, quoted))
      .reduce<string[] | undefined>((all, form) => (all && form !== undefined ? [...all, form] : undefined), []);
  }
  const variable = variableOf(node);
  const expressions = variable !== undefined ? scope.assignments.get(variable) : undefined;
  if (!expressions || depth >= MAX_DEPTH) return undefined;
  const forms: string[] = [];
  for (const assigned of expressions) {
    const more = formsOfExpression(assigned, scope, depth + 1);
    if (!more || forms.length + more.length > MAX_FORMS) return undefined;
    forms.push(...more);
  }
  return forms;
}

/** The name of the variable a plain column reference is, lower-cased as PL/pgSQL resolves it. */
function variableOf(node: Json): string | undefined {
  const fields = (node.ColumnRef as Json | undefined)?.fields;
  const name = Array.isArray(fields) && fields.length === 1 ? ((fields[0] as Json).String as Json | undefined)?.sval : undefined;
  return typeof name === "string" ? name : undefined;
}

/** A value whose text is a name PostgreSQL quoted: a variable of an object-identifier type, or a cast to one. */
function isQuotedName(value: unknown, scope: Scope): boolean {
  const node = (value ?? {}) as Json;
  const cast = node.TypeCast as Json | undefined;
  if (cast) return NAME_TYPES.has(lastName((cast.typeName as Json | undefined)?.names) ?? "");
  const variable = variableOf(node);
  return variable !== undefined && scope.quotedNames.has(variable.toLowerCase());
}

/**
 * format()'s template with %I and %L replaced by quoted run-time values, and %s by one when its argument is a quoted
 * name (`quoted[i]`: the i-th argument after the template is); undefined when a %s takes any other value.
 */
function formatted(template: string, quoted: readonly boolean[]): string | undefined {
  let unquoted = false;
  let next = 0;
  const text = template.replace(/%(?:(\d+)\$)?-?\d*([%IsL])/g, (_, position: string | undefined, kind: string) => {
    if (kind === "%") return "%";
    const argument = position === undefined ? next : Number(position) - 1;
    next = argument + 1;
    if (kind === "I") return `"${RUNTIME_IDENTIFIER}"`;
    if (kind === "L") return RUNTIME_LITERAL;
    if (quoted[argument] === true) return `"${RUNTIME_IDENTIFIER}"`;
    unquoted = true;
    return "";
  });
  return unquoted ? undefined : text;
}

/** Calls `visit` with every node of a libpg-query tree: `{ Kind: { … } }` objects, by kind. */
function walk(tree: unknown, visit: (kind: string, node: Json) => void): void {
  if (Array.isArray(tree)) {
    for (const item of tree) walk(item, visit);
    return;
  }
  if (!tree || typeof tree !== "object") return;
  for (const [key, value] of Object.entries(tree as Json)) {
    if (!value || typeof value !== "object") continue;
    // A string literal holds text, not names: `'pg_read_file'` is harmless.
    if (key === "A_Const") continue;
    if (/^[A-Z]/.test(key) && !Array.isArray(value)) visit(key, value as Json);
    walk(value, visit);
  }
}
