/**
 * The parts of a TS/JS migration that run on another database than PostgreSQL, which migsafe does not
 * lint: the branches of a test of the database (`if (queryRunner.connection.options.type === "sqlite")`,
 * `switch (dialect)`, `isMySQL ? … : …`, `driver instanceof SqliteDriver`), the functions named for another
 * database (`sqliteUpQueryRunner`), the whole file under a folder named for one (`migrations/mysql/`), and
 * the whole file whose SQL is another database's (MySQL's backtick-quoted names, SQLite's AUTOINCREMENT).
 * Which names mean another database is the `otherDatabases` setting; PostgreSQL's names are fixed.
 */
import path from "node:path";
import type { TSESTree } from "@typescript-eslint/typescript-estree";
import { shownExpression } from "./holes.js";
import { calleeText, functionName, isFunction, type Node, type Visitor } from "./tree.js";

/** The names a test of the database, a folder or a function uses for PostgreSQL itself. */
const POSTGRES_NAMES = new Set(["postgres", "postgresql", "pg", "pgsql", "postgresdb", "aurora-postgres", "aurora-postgresql", "pglite", "pg-native"]);

/** What the other side of a comparison with a database name must look like: the database type, dialect, client, driver…. */
const DATABASE_SUBJECT = /type|dialect|client|driver|database|db|engine|provider|platform|vendor/i;

/** A part of the file left out, for --debug. */
export interface SkippedPart {
  /** Source index where it starts. */
  at: number;
  reason: string;
}

type Verdict = "postgres" | "other" | undefined;

export class Dialects {
  readonly #other: ReadonlySet<string>;
  readonly #skippedRanges: [number, number][] = [];
  readonly skipped: SkippedPart[] = [];

  constructor(
    otherDatabases: readonly string[],
    private readonly sourceText: string,
    /** The migration functions: never skipped for their name. */
    private readonly migrationFunctions: ReadonlySet<string>,
  ) {
    this.#other = new Set(otherDatabases.map((name) => name.toLowerCase()));
  }

  /**
   * The database the file's folder (or the folder above it) is named for, if another one than PostgreSQL:
   * `migrations/mysql/1_init.ts`, `sqlite/migrations/1_init.ts`, n8n's `mysqldb/`.
   */
  folderDatabase(filePath: string): string | undefined {
    const folders = path.dirname(filePath).split(/[\\/]/).slice(-2);
    return folders.find((folder) => this.#isOther(folder.toLowerCase()) || (/db$/i.test(folder) && this.#isOther(folder.slice(0, -2).toLowerCase())));
  }

  /** Reads one node of the file's walk: the branches and functions of other databases. */
  readonly visit: Visitor = (node, ancestors) => {
    if (this.skips(node)) return;
    switch (node.type) {
      case "IfStatement":
        return this.#branches(node.test, node.consequent, node.alternate ?? undefined, "if");
      case "ConditionalExpression":
        return this.#branches(node.test, node.consequent, node.alternate, "?:");
      case "LogicalExpression": {
        const verdict = this.#verdict(node.left);
        // `isSqlite && run()` never runs `run()` on PostgreSQL; `isPostgres || run()` neither.
        if ((node.operator === "&&" && verdict === false) || (node.operator === "||" && verdict === true)) this.#skip(node.right, `${this.#shown(node.left)} ${node.operator} …`);
        return;
      }
      case "SwitchStatement":
        return this.#switch(node);
      case "BlockStatement":
      case "Program":
        return this.#afterExit(node.body);
      default:
        if (isFunction(node)) this.#namedFunction(node, ancestors[ancestors.length - 1]);
    }
  };

  /** `sqliteUpQueryRunner() { … }`: a function named for another database. */
  #namedFunction(node: Node, parent: Node | undefined): void {
    const name = functionName(node, parent);
    const database = name && !this.migrationFunctions.has(name) ? this.#namedFor(name) : undefined;
    if (database) this.#skip(node, `the function ${name} is named for ${database}`);
  }

  /** True when the node lies in a part of another database. */
  skips(node: Node): boolean {
    return this.#skippedRanges.some(([start, end]) => node.range[0] >= start && node.range[1] <= end);
  }

  /**
   * Whether PostgreSQL runs the code a test guards: true, false, or undefined when the test is not
   * about the database (or migsafe cannot tell).
   */
  runsOnPostgres(test: Node): boolean | undefined {
    return this.#verdict(test);
  }

  #branches(test: Node, consequent: Node, alternate: Node | undefined, kind: "if" | "?:"): void {
    const verdict = this.#verdict(test);
    if (verdict === undefined) return;
    const shown = kind === "if" ? `if (${this.#shown(test)})` : `${this.#shown(test)} ? … : …`;
    if (verdict) {
      if (alternate) this.#skip(alternate, `the else branch of ${shown}`);
    } else this.#skip(consequent, `the branch of ${shown}`);
  }

  /** `switch (type) { case "sqlite": … }`: the cases that only other databases reach. */
  #switch(node: TSESTree.SwitchStatement): void {
    if (!DATABASE_SUBJECT.test(this.#shown(node.discriminant))) return;
    const labels = node.cases.map((c) => (c.test ? this.#name(c.test) : "default"));
    if (labels.some((label) => label === undefined)) return;
    const postgresCase = labels.some((label) => label !== "default" && this.#classify(label!) === "postgres");
    // The labels that reach each case's statements, through the cases without statements (or without a break) before it.
    let reaching: string[] = [];
    node.cases.forEach((c, i) => {
      reaching.push(labels[i]!);
      if (c.consequent.length === 0) return;
      const runs = reaching.some((label) => (label === "default" ? !postgresCase : this.#classify(label) !== "other"));
      if (!runs) this.#skip(c, `case ${reaching.map((label) => (label === "default" ? label : JSON.stringify(label))).join(", ")} of switch (${this.#shown(node.discriminant)})`);
      if (exits(c.consequent[c.consequent.length - 1]!)) reaching = [];
    });
  }

  /** `if (isPostgres) { …; return; }`: what follows in the block runs only on other databases. */
  #afterExit(body: readonly Node[]): void {
    for (let i = 0; i < body.length - 1; i++) {
      const statement = body[i]!;
      if (statement.type !== "IfStatement") continue;
      const verdict = this.#verdict(statement.test);
      const taken = verdict === true ? statement.consequent : verdict === false ? statement.alternate : undefined;
      if (!taken || !exits(taken)) continue;
      const rest: [number, number] = [body[i + 1]!.range[0], body[body.length - 1]!.range[1]];
      this.#skipRange(rest, `what follows if (${this.#shown(statement.test)}), which ends the function on PostgreSQL`);
      return;
    }
  }

  #verdict(test: Node): boolean | undefined {
    switch (test.type) {
      case "UnaryExpression": {
        const inner = test.operator === "!" ? this.#verdict(test.argument) : undefined;
        return inner === undefined ? undefined : !inner;
      }
      case "LogicalExpression": {
        const [left, right] = [this.#verdict(test.left), this.#verdict(test.right)];
        if (test.operator === "&&") return left === false || right === false ? false : left && right;
        if (test.operator === "||") return left === true || right === true ? true : left === false && right === false ? false : undefined;
        return undefined;
      }
      case "BinaryExpression":
        return this.#comparison(test);
      case "CallExpression": {
        const includes = this.#includes(test);
        if (includes !== undefined) return includes;
        return this.#isFlag(calleeText(test.callee, this.sourceText));
      }
      case "Identifier":
      case "MemberExpression":
        return this.#isFlag(calleeText(test, this.sourceText));
      case "TSAsExpression":
      case "TSNonNullExpression":
        return this.#verdict(test.expression);
      default:
        return undefined;
    }
  }

  /** `type === "sqlite"`, `"postgres" !== dialect`, `driver instanceof MysqlDriver`. */
  #comparison(test: TSESTree.BinaryExpression): boolean | undefined {
    if (test.operator === "instanceof") {
      const kind = test.right.type === "Identifier" ? this.#classify(test.right.name.replace(/(Driver|QueryRunner|Platform|Dialect|Connection)$/, "").toLowerCase()) : undefined;
      return kind === undefined ? undefined : kind === "postgres";
    }
    const equal = test.operator === "===" || test.operator === "==";
    if (!equal && test.operator !== "!==" && test.operator !== "!=") return undefined;
    const [name, subject] = this.#name(test.right) !== undefined ? [this.#name(test.right), test.left] : [this.#name(test.left), test.right];
    if (name === undefined || subject.type === "Literal" || !DATABASE_SUBJECT.test(this.#shown(subject))) return undefined;
    const kind = this.#classify(name);
    if (kind === undefined) return undefined;
    return (kind === "postgres") === equal;
  }

  /** `["mysql", "mariadb"].includes(type)`. */
  #includes(test: TSESTree.CallExpression): boolean | undefined {
    const callee = test.callee;
    if (callee.type !== "MemberExpression" || callee.object.type !== "ArrayExpression" || calleeText(callee.property, this.sourceText) !== "includes") return undefined;
    const subject = test.arguments[0];
    if (!subject || !DATABASE_SUBJECT.test(this.#shown(subject))) return undefined;
    const kinds = callee.object.elements.map((element) => (element && element.type !== "SpreadElement" ? this.#classifyNode(element) : undefined));
    if (kinds.includes("postgres")) return true;
    return kinds.every((kind) => kind === "other") ? false : undefined;
  }

  /** `isPostgres`, `this.isSqlite()`, `DriverUtils.isMySQLFamily(driver)`: a flag named for a database. */
  #isFlag(text: string): boolean | undefined {
    const name = /(?:^|\.)is([A-Z]\w*)$/.exec(text)?.[1];
    if (!name) return undefined;
    const bare = name.replace(/(Family|Driver|Dialect|Platform)$/, "");
    for (const candidate of [bare, bare.replace(/Db$/i, "")]) {
      const kind = this.#classify(candidate.toLowerCase()) ?? this.#classify(`${candidate.toLowerCase()}db`);
      if (kind) return kind === "postgres";
    }
    return undefined;
  }

  /** The database a function's name names (`sqliteUpQueryRunner`, `up_mysql`, `upForMySQL`), if another one. */
  #namedFor(name: string): string | undefined {
    const words = name.split(/(?<=[a-z0-9])(?=[A-Z])|[_\-\s]+/).map((word) => word.toLowerCase());
    for (let i = 0; i < words.length; i++) {
      for (const candidate of [words[i]!, `${words[i]}${words[i + 1] ?? ""}`]) if (this.#isOther(candidate)) return candidate;
    }
    return undefined;
  }

  #name(node: Node): string | undefined {
    return node.type === "Literal" && typeof node.value === "string" ? node.value.toLowerCase() : undefined;
  }

  #classifyNode(node: Node): Verdict {
    const name = this.#name(node);
    return name === undefined ? undefined : this.#classify(name);
  }

  #classify(name: string): Verdict {
    if (POSTGRES_NAMES.has(name)) return "postgres";
    return this.#isOther(name) ? "other" : undefined;
  }

  #isOther(name: string): boolean {
    return this.#other.has(name);
  }

  #skip(node: Node, reason: string): void {
    this.#skipRange([node.range[0], node.range[1]], reason);
  }

  #skipRange(range: [number, number], reason: string): void {
    this.#skippedRanges.push(range);
    this.skipped.push({ at: range[0], reason });
  }

  #shown(node: Node): string {
    return shownExpression(node, this.sourceText, 60);
  }
}

/** True when a statement always ends the function (or the loop, or the switch case): return, throw, break, continue. */
function exits(node: Node): boolean {
  if (node.type === "ReturnStatement" || node.type === "ThrowStatement" || node.type === "BreakStatement" || node.type === "ContinueStatement") return true;
  if (node.type === "BlockStatement") return node.body.length > 0 && exits(node.body[node.body.length - 1]!);
  if (node.type === "IfStatement") return node.alternate !== null && node.alternate !== undefined && exits(node.consequent) && exits(node.alternate);
  return false;
}

/**
 * Syntax only another database accepts, outside strings, quoted names and comments (`datetime('now')`
 * quotes its argument): the first found, as `{ database, marker, index }`, when that database is one of
 * `otherDatabases`.
 */
export function otherDialectSyntax(sql: string, otherDatabases: readonly string[]): { database: string; marker: string; index: number } | undefined {
  const code = blankQuoted(sql);
  const other = new Set(otherDatabases.map((name) => name.toLowerCase()));
  for (const { name, database, pattern, marker, quoted } of MARKERS) {
    if (!other.has(name)) continue;
    const match = pattern.exec(quoted ? sql : code);
    if (match) return { database, marker, index: match.index };
  }
  return undefined;
}

const MARKERS: readonly { name: string; database: string; pattern: RegExp; marker: string; quoted?: true }[] = [
  { name: "mysql", database: "MySQL", pattern: /`/, marker: "backtick-quoted names" },
  { name: "mysql", database: "MySQL", pattern: /\bAUTO_INCREMENT\b/i, marker: "AUTO_INCREMENT" },
  { name: "mysql", database: "MySQL", pattern: /\bENGINE\s*=/i, marker: "ENGINE=" },
  { name: "mysql", database: "MySQL", pattern: /\bUNSIGNED\b/i, marker: "UNSIGNED" },
  { name: "sqlite", database: "SQLite", pattern: /\bAUTOINCREMENT\b/i, marker: "AUTOINCREMENT" },
  { name: "sqlite", database: "SQLite", pattern: /^\s*PRAGMA\b/im, marker: "PRAGMA" },
  { name: "sqlite", database: "SQLite", pattern: /\bdatetime\s*\(\s*'now'/i, marker: "datetime('now')", quoted: true },
  { name: "mssql", database: "SQL Server", pattern: /\bNVARCHAR\b|\bGETDATE\s*\(|\bIDENTITY\s*\(\s*1\s*,\s*1\s*\)/i, marker: "NVARCHAR/GETDATE()/IDENTITY(1,1)" },
];

/** The SQL with the text of strings, quoted names and comments blanked out (same length). */
function blankQuoted(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'?|"(?:[^"]|"")*"?|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\1\$|$)/g, (match) => " ".repeat(match.length));
}
