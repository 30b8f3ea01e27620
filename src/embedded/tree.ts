/** Reading the syntax tree of a TS/JS migration: walking it, and the text of a callee. */
import type { TSESTree } from "@typescript-eslint/typescript-estree";

export type Node = TSESTree.Node;

export function walk(node: Node, ancestors: Node[], visit: (node: Node, ancestors: readonly Node[]) => void): void {
  visit(node, ancestors);
  ancestors.push(node);
  for (const key of Object.keys(node)) {
    if (key === "parent" || key === "range" || key === "loc") continue;
    const value = (node as unknown as Record<string, unknown>)[key];
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

/** A callee's source text without comments and spaces, `?.` and `!.` read as `.`. */
export function calleeText(node: Node, sourceText: string): string {
  return sourceText
    .slice(node.range[0], node.range[1])
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "")
    .replace(/\s+/g, "")
    .replace(/\?\./g, ".")
    .replace(/!\./g, ".");
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
