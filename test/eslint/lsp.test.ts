import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LspClient } from "./lsp/client.js";

// The real VS Code ESLint language server (npm: vscode-langservers-extracted), driven over
// LSP stdio the way an editor drives it, against a project that uses the built plugin via
// `import migsafe from "migsafe/eslint"`.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const builtPlugin = path.join(root, "dist/src/eslint/plugin.js");
const serverBin = path.join(root, "node_modules/vscode-langservers-extracted/bin/vscode-eslint-language-server");
const TIMEOUT = 30_000;
const DISABLE_COMMENT = "/** eslint-disable-next-line migsafe/missing-if-not-exists */";

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number | { value: string | number; target: string };
  source?: string;
  message: string;
}
interface Command {
  title: string;
  command: string;
  arguments?: unknown[];
}
interface CodeAction {
  title: string;
  kind?: string;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  command?: Command;
  edit?: WorkspaceEdit;
}
interface TextEdit {
  range: Range;
  newText: string;
}
interface WorkspaceEdit {
  changes?: Record<string, TextEdit[]>;
  documentChanges?: { textDocument: { uri: string; version: number | null }; edits: TextEdit[] }[];
}

const range = (sl: number, sc: number, el: number, ec: number): Range => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });
const codeOf = (d: Diagnostic): string => String(typeof d.code === "object" ? d.code.value : d.code);

let dir: string;
let client: LspClient | undefined;
const appliedEdits: WorkspaceEdit[] = [];

function settingsFor(folder: string) {
  // What the vscode-eslint extension answers for `workspace/configuration` (section ""), per
  // server/src/settings.ts (ConfigurationSettings) of the server this package bundles.
  return {
    validate: "on",
    packageManager: "npm",
    useESLintClass: false,
    // ESLint 10 has no FlatESLint in eslint/use-at-your-own-risk: flat config comes from
    // `useFlatConfig` (loadESLint), the experimental switch must stay off.
    experimental: { useFlatConfig: false },
    useFlatConfig: true,
    codeAction: {
      disableRuleComment: { enable: true, location: "separateLine", commentStyle: "block" },
      showDocumentation: { enable: true },
    },
    codeActionOnSave: { enable: false, mode: "all" },
    format: false,
    quiet: false,
    onIgnoredFiles: "off",
    options: {},
    rulesCustomizations: [],
    run: "onType",
    problems: { shortenToSingleLine: false },
    nodePath: null,
    workingDirectory: { mode: "location" },
    workspaceFolder: { name: path.basename(folder), uri: pathToFileURL(folder).href },
  };
}

beforeAll(async () => {
  // `npm test` builds first; when run alone, build if the plugin is missing.
  if (!fs.existsSync(builtPlugin)) {
    try {
      execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", root], { cwd: root, stdio: "pipe" });
    } catch {
      // tsc still emits when another part of the tree has type errors; the check below is what matters.
    }
    if (!fs.existsSync(builtPlugin)) throw new Error(`building migsafe did not produce ${builtPlugin}`);
  }
  if (!fs.existsSync(serverBin)) throw new Error(`${serverBin} is missing: install the vscode-langservers-extracted devDependency`);

  // A user project: eslint and migsafe installed (as symlinks into this repository), a flat config, a migration.
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-lsp-")));
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(root, path.join(dir, "node_modules/migsafe"), "junction");
  fs.symlinkSync(path.join(root, "node_modules/eslint"), path.join(dir, "node_modules/eslint"), "junction");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "lsp-fixture", private: true, type: "module" }));
  fs.writeFileSync(
    path.join(dir, "eslint.config.js"),
    'import migsafe from "migsafe/eslint";\n\nexport default [...migsafe.configs.recommended, { rules: { "migsafe/missing-if-not-exists": "warn" } }];\n',
  );
  fs.mkdirSync(path.join(dir, "migrations"));

  client = new LspClient(process.execPath, [serverBin, "--stdio"], dir, (method, params) => {
    switch (method) {
      case "workspace/configuration":
        return (params as { items: unknown[] }).items.map(() => settingsFor(dir));
      case "workspace/applyEdit":
        appliedEdits.push((params as { edit: WorkspaceEdit }).edit);
        return { applied: true };
      default:
        // client/registerCapability, workspace/diagnostic/refresh, eslint/probeFailed, …
        return null;
    }
  });
  await client.request(
    "initialize",
    {
      processId: process.pid,
      clientInfo: { name: "migsafe-test" },
      rootUri: pathToFileURL(dir).href,
      workspaceFolders: [{ name: path.basename(dir), uri: pathToFileURL(dir).href }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, applyEdit: true, executeCommand: {} },
        textDocument: {
          synchronization: { didSave: true },
          diagnostic: { dynamicRegistration: false },
          publishDiagnostics: {},
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ["", "quickfix", "source", "source.fixAll", "source.fixAll.eslint"] } },
            isPreferredSupport: true,
          },
        },
      },
    },
    TIMEOUT,
  );
  client.notify("initialized", {});
}, 180_000);

afterAll(async () => {
  await client?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe("vscode-eslint-language-server with the migsafe plugin", () => {
  it("reports migsafe diagnostics for an opened .sql document, follows edits, and offers the rule's fix", async () => {
    const lsp = client!;
    const file = path.join(dir, "migrations/001_drop.sql");
    const text = "DROP TABLE users;\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n";
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;

    // The server announces pull diagnostics (textDocument/diagnostic), which is what VS Code uses.
    lsp.notify("textDocument/didOpen", { textDocument: { uri, languageId: "sql", version: 1, text } });
    const pull = async () =>
      (await lsp.request<{ kind: string; items: Diagnostic[] }>("textDocument/diagnostic", { textDocument: { uri } }, TIMEOUT)).items;

    const first = await pull();
    expect(first.length, lsp.log()).toBeGreaterThan(0);
    expect(first.every((d) => d.source === "eslint")).toBe(true);
    const dropTable = first.filter((d) => codeOf(d) === "migsafe/drop-table");
    expect(dropTable).toHaveLength(1);
    expect(dropTable[0]!.range).toEqual(range(0, 0, 0, 16));
    expect(dropTable[0]!.severity).toBe(1); // error
    expect(dropTable[0]!.message).toMatch(/^DROP TABLE users deletes the table/);
    const ifNotExists = first.filter((d) => codeOf(d) === "migsafe/missing-if-not-exists");
    expect(ifNotExists.map((d) => d.range)).toEqual([range(0, 0, 0, 16), range(1, 0, 1, 23)]);
    expect(ifNotExists.every((d) => d.severity === 2)).toBe(true); // warning

    // Edit the buffer (not the file): drop the DROP TABLE line.
    const edited = "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n";
    lsp.notify("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
    const second = await pull();
    expect(second.filter((d) => codeOf(d) === "migsafe/drop-table")).toEqual([]);
    const createDiagnostics = second.filter((d) => codeOf(d) === "migsafe/missing-if-not-exists");
    expect(createDiagnostics.map((d) => d.range)).toEqual([range(0, 0, 0, 23)]);
    const createDiagnostic = createDiagnostics[0]!;
    expect(createDiagnostic.message).toMatch(/^CREATE TABLE t has no IF NOT EXISTS/);

    // Quick fixes for that diagnostic, as the editor's light bulb asks for them.
    const actions = await lsp.request<CodeAction[]>(
      "textDocument/codeAction",
      { textDocument: { uri }, range: createDiagnostic.range, context: { diagnostics: [createDiagnostic], triggerKind: 1 } },
      TIMEOUT,
    );
    const fix = actions.find((a) => a.title === "Fix this migsafe/missing-if-not-exists problem");
    expect(fix, JSON.stringify(actions, null, 2)).toBeDefined();
    expect(fix!.kind).toBe("quickfix");
    expect(fix!.isPreferred).toBe(true);
    expect(fix!.diagnostics).toEqual([createDiagnostic]);
    // The disable-rule action honours commentStyle "block": SQL has no `//` comments.
    const disable = actions.find((a) => a.title === "Disable migsafe/missing-if-not-exists for this line");
    expect(disable, JSON.stringify(actions, null, 2)).toBeDefined();

    // vscode-eslint's quick fix is a command: running it makes the server send workspace/applyEdit.
    expect(fix!.command?.command).toBe("eslint.applySingleFix");
    await lsp.request("workspace/executeCommand", { command: fix!.command!.command, arguments: fix!.command!.arguments }, TIMEOUT);
    expect(appliedEdits).toHaveLength(1);
    expect(appliedEdits[0]!.documentChanges).toEqual([
      { textDocument: { uri, version: 2 }, edits: [{ range: range(0, 12, 0, 12), newText: " IF NOT EXISTS" }] },
    ]);

    // The disable-line action, run the same way, inserts a block comment above the statement.
    // vscode-eslint has no comment syntax on file for "sql", so its block style is `/** … */`.
    await lsp.request("workspace/executeCommand", { command: disable!.command!.command, arguments: disable!.command!.arguments }, TIMEOUT);
    expect(appliedEdits).toHaveLength(2);
    const disableEdits = appliedEdits[1]!.documentChanges?.[0]?.edits;
    expect(disableEdits).toEqual([{ range: range(0, 0, 0, 0), newText: `${DISABLE_COMMENT}${os.EOL}` }]);

    // No push diagnostics are involved: the server never sent textDocument/publishDiagnostics.
    expect(lsp.received.filter((m) => m.method === "textDocument/publishDiagnostics")).toEqual([]);
  }, 120_000);

  // vscode-eslint knows no comment syntax for SQL: its "Disable … for this line" quick fix inserts
  // `/** eslint-disable-next-line … */`, which migsafe reads like `/* … */`.
  it("honours the disable comment that the server's quick fix inserts", async () => {
    const lsp = client!;
    const file = path.join(dir, "migrations/002_disabled.sql");
    const text = `${DISABLE_COMMENT}\nCREATE TABLE t2 (id int);\nINSERT INTO t2 VALUES (1);\n`;
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    lsp.notify("textDocument/didOpen", { textDocument: { uri, languageId: "sql", version: 1, text } });
    const { items } = await lsp.request<{ items: Diagnostic[] }>("textDocument/diagnostic", { textDocument: { uri } }, TIMEOUT);
    expect(items.length, lsp.log()).toBeGreaterThan(0); // require-rollback still reports: the file was linted
    expect(items.filter((d) => codeOf(d) === "migsafe/missing-if-not-exists")).toEqual([]);
  }, 120_000);
});
