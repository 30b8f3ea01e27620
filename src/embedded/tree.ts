/** Reading the syntax tree of a TS/JS migration: walking it, and the text of a callee. */
import type { TSESTree } from "@typescript-eslint/typescript-estree";

export type Node = TSESTree.Node;

export function walk(node: Node, ancestors: Node[], visit: (node: Node, ancestors: readonly Node[]) => void): void {
  visit(node, ancestors);
  ancestors.push(node);
  const fields = node as unknown as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value !== "object" || value === null || key === "parent" || key === "range" || key === "loc") continue;
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) walk(child, ancestors, visit);
    } else if (isNode(value)) {
      walk(value, ancestors, visit);
    }
  }
  ancestors.pop();
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** What reads a file's tree in the one walk that several readers share. */
export type Visitor = (node: Node, ancestors: readonly Node[]) => void;

const callees = new WeakMap<Node, string>();

/** A callee's source text without comments and spaces, `?.` and `!.` read as `.` (worked out once per node). */
export function calleeText(node: Node, sourceText: string): string {
  let text = callees.get(node);
  if (text === undefined) {
    const written = sourceText.slice(node.range[0], node.range[1]);
    text = /[\s/?!]/.test(written) ? written.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "").replace(/\s+/g, "").replace(/\?\./g, ".").replace(/!\./g, ".") : written;
    callees.set(node, text);
  }
  return text;
}

export function isFunction(node: Node): node is TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression {
  return node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression";
}

/** The name a function is known by: its own, or its method's, property's, variable's or `exports.x`'s. */
export function functionName(node: Node, parent: Node | undefined): string | undefined {
  if (node.type === "FunctionDeclaration") return node.id?.name;
  if (!parent) return undefined;
  if ((parent.type === "Property" || parent.type === "MethodDefinition") && parent.value === node) return keyName(parent.key);
  if (parent.type === "VariableDeclarator" && parent.id.type === "Identifier") return parent.id.name;
  if (parent.type === "AssignmentExpression" && parent.left.type === "MemberExpression") return keyName(parent.left.property);
  return undefined;
}

/** The value of an object literal's property, by key (not computed keys). */
export function propertyOf(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== "ObjectExpression") return undefined;
  for (const prop of node.properties) {
    if (prop.type === "Property" && !prop.computed && keyName(prop.key) === key) return prop.value;
  }
  return undefined;
}

/** A property key's name: `a`, `"a"`, `1`. */
export function keyName(key: Node): string | undefined {
  return key.type === "Identifier" ? key.name : key.type === "Literal" ? String(key.value) : undefined;
}

/** One call of a method chain: `table.string('c')`, `.notNullable()`, `.defaultTo(…)`. */
export interface Link {
  method: string;
  args: readonly Node[];
}

/**
 * The calls of a method chain (`t.string('c').notNullable()`), first call first, and the expression it starts from
 * (`t`); undefined when the expression is not a method call.
 */
export function callChain(expression: Node): { links: [Link, ...Link[]]; root: Node } | undefined {
  const links: Link[] = [];
  let current: Node = expression;
  while (current.type === "CallExpression" && current.callee.type === "MemberExpression" && !current.callee.computed && current.callee.property.type === "Identifier") {
    links.unshift({ method: current.callee.property.name, args: current.arguments });
    current = current.callee.object;
  }
  return links.length > 0 ? { links: links as [Link, ...Link[]], root: current } : undefined;
}
