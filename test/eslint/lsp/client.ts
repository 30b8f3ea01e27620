/**
 * A minimal LSP client over stdio (JSON-RPC 2.0 with Content-Length framing), enough to drive
 * `vscode-eslint-language-server` the way an editor does: requests with timeouts, notifications,
 * and answers to the server's own requests (workspace/configuration, workspace/applyEdit, …).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export interface RpcMessage {
  jsonrpc: "2.0";
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Answers a request the server sends to the client; the return value is the result. */
export type RequestHandler = (method: string, params: unknown) => unknown;

interface Waiter {
  match: (message: RpcMessage) => boolean;
  resolve: (message: RpcMessage) => void;
}

export class LspClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: RpcMessage) => void; reject: (e: Error) => void }>();
  private waiters: Waiter[] = [];
  private exited = false;
  /** Every message the server sent, in order (responses excluded). */
  readonly received: RpcMessage[] = [];
  stderr = "";

  constructor(command: string, args: string[], cwd: string, private readonly onRequest: RequestHandler) {
    this.proc = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
    this.proc.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
    });
    this.proc.on("exit", (code, signal) => {
      this.exited = true;
      const error = new Error(`language server exited (code ${code}, signal ${signal})\n${this.log()}`);
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    });
  }

  /** Server log lines (window/logMessage) and stderr, for failure messages. */
  log(): string {
    const lines = this.received
      .filter((m) => m.method === "window/logMessage" || m.method === "window/showMessage")
      .map((m) => (m.params as { message: string }).message);
    return [...lines, this.stderr].join("\n").slice(-8000);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString("ascii");
      const match = /Content-Length: *(\d+)/i.exec(header);
      if (!match) throw new Error(`bad LSP header: ${header}`);
      const length = Number(match[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString("utf8");
      this.buffer = this.buffer.subarray(start + length);
      this.dispatch(JSON.parse(body) as RpcMessage);
    }
  }

  private dispatch(message: RpcMessage): void {
    if (message.method === undefined) {
      // A response to one of our requests.
      const waiting = this.pending.get(Number(message.id));
      if (waiting) {
        this.pending.delete(Number(message.id));
        waiting.resolve(message);
      }
      return;
    }
    this.received.push(message);
    if (message.id !== undefined) {
      let reply: RpcMessage;
      try {
        reply = { jsonrpc: "2.0", id: message.id, result: this.onRequest(message.method, message.params) ?? null };
      } catch (error) {
        reply = { jsonrpc: "2.0", id: message.id, error: { code: -32603, message: String(error) } };
      }
      this.write(reply);
    }
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(message)) return true;
      waiter.resolve(message);
      return false;
    });
  }

  private write(message: RpcMessage): void {
    if (this.exited) throw new Error(`language server is gone\n${this.log()}`);
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"), body]));
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: "2.0", method, params });
  }

  async request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    const response = await withTimeout(
      new Promise<RpcMessage>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.write({ jsonrpc: "2.0", id, method, params });
      }),
      timeoutMs,
      () => `no response to ${method} within ${timeoutMs} ms`,
      this,
    );
    if (response.error) throw new Error(`${method} failed: ${response.error.message}\n${this.log()}`);
    return response.result as T;
  }

  /** The first message from the server (already received or still to come) that matches. */
  waitFor(describe: string, match: (message: RpcMessage) => boolean, timeoutMs: number): Promise<RpcMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return withTimeout(
      new Promise<RpcMessage>((resolve) => this.waiters.push({ match, resolve })),
      timeoutMs,
      () => `no ${describe} within ${timeoutMs} ms`,
      this,
    );
  }

  /** LSP shutdown/exit, then SIGKILL if the process is still around. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.proc.once("exit", () => resolve()));
    try {
      await this.request("shutdown", null, 5_000);
      this.notify("exit", null);
      await withTimeout(exited, 5_000, () => "server did not exit", this);
    } catch {
      // fall through to the kill
    } finally {
      if (!this.exited) this.proc.kill("SIGKILL");
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string, client: LspClient): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message()}\n--- server log ---\n${client.log()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
