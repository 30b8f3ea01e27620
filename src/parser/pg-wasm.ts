/**
 * libpg-query's WebAssembly, loaded through its emscripten glue (libpg-query.js) but not through its
 * index.cjs, whose instance is private: a stack overflow in the parser's C code damages the instance,
 * and only its holder can repair it (see pg-reset.ts). parseSync and parsePlPgSQLSync do what
 * index.cjs's functions of the same name do, with the same errors. They read the C structs of that
 * build, so package.json pins libpg-query to one exact version: check this file when upgrading it.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { resetter, type LiveInstance } from "./pg-reset.js";

/** The part of the glue's Module object that parsing uses. */
interface Glue {
  _malloc(size: number): number;
  _free(pointer: number): void;
  _wasm_parse_query_raw(query: number): number;
  _wasm_free_parse_result(result: number): void;
  _wasm_parse_plpgsql(query: number): number;
  _wasm_free_string(result: number): void;
  /** The memory as bytes; a new view after the memory grew. */
  HEAPU8: Uint8Array;
  getValue(pointer: number, type: "i32"): number;
}

type GlueFactory = (options: {
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void): object;
}) => Promise<Glue>;

// The glue is CommonJS: require() skips the scan of its export names an ESM import would cost.
const requireHere = createRequire(import.meta.url);
const GLUE_PATH = requireHere.resolve("libpg-query/wasm/libpg-query.js");
const WASM_PATH = path.join(path.dirname(GLUE_PATH), "libpg-query.wasm");

interface Loaded {
  glue: Glue;
  /** Puts the instance back as loaded; false when it could not. */
  reset: () => boolean;
  resets: number;
}

function load(factory: GlueFactory): Promise<Loaded> {
  return new Promise((resolve, reject) => {
    let live: LiveInstance | undefined;
    factory({
      // What the glue would do itself, but keeping the compiled module and the instance.
      instantiateWasm(imports, receive) {
        WebAssembly.instantiate(fs.readFileSync(WASM_PATH), imports).then(({ module, instance }) => {
          live = { module, instance, gluePath: GLUE_PATH, wasmPath: WASM_PATH };
          receive(instance);
        }, reject);
        return {};
      },
    }).then((glue) => (live ? resolve({ glue, reset: resetter(live), resets: 0 }) : reject(new Error("libpg-query's WebAssembly did not load"))), reject);
  });
}

// One instance per thread, as when index.cjs held it (require() caches it): shared by every copy of this
// module in the thread, such as the CLI bundle's and dist/src's, or each test file's. Started by the first
// loadModule(), not on import: a --cache run whose files all come from the cache loads no WebAssembly
// (src/project/lint-project.ts starts it as soon as it knows a file must be parsed).
const SHARED = Symbol.for("migsafe.libpg-query.v1");
let loading: Promise<Loaded> | undefined;
let loaded: Loaded | undefined;

function start(): Promise<Loaded> {
  if (loading) return loading;
  const factory = requireHere(GLUE_PATH) as GlueFactory & { [SHARED]?: Promise<Loaded> };
  loading = factory[SHARED] ??= load(factory);
  loading.then(
    (value) => (loaded = value),
    () => {
      // Reported to whoever awaits loadModule().
    },
  );
  return loading;
}

export async function loadModule(): Promise<void> {
  loaded = await start();
}

export class SqlError extends Error {
  /** 0-based, in characters; 0 when PostgreSQL gave no position. */
  readonly cursorPosition: number;

  constructor(message: string, cursorPosition: number) {
    super(message);
    this.name = "SqlError";
    this.cursorPosition = cursorPosition;
  }
}

/** How many times the instance was put back as loaded, in this thread (for tests). */
export function resetCount(): number {
  return ready().resets;
}

function ready(): Loaded {
  if (!loaded) throw new Error("WASM module not initialized. Call loadModule() first.");
  return loaded;
}

// The glue's own string copies walk each string in JavaScript, a character at a time; the platform's
// encoder and decoder, and indexOf for the terminating NUL, do the same natively (≈1.5% of a corpus run).
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toCString(glue: Glue, text: string): number {
  // UTF-8 needs at most 3 bytes for each UTF-16 code unit.
  const capacity = text.length * 3 + 1;
  const pointer = glue._malloc(capacity);
  const heap = glue.HEAPU8;
  const { written } = encoder.encodeInto(text, heap.subarray(pointer, pointer + capacity - 1));
  heap[pointer + written] = 0;
  return pointer;
}

function fromCString(glue: Glue, pointer: number): string {
  const heap = glue.HEAPU8;
  return decoder.decode(heap.subarray(pointer, heap.indexOf(0, pointer)));
}

/**
 * Calls into the C code. Any exception out of it (V8's RangeError for a native stack overflow, a
 * trap) means the C code did not finish, so the instance is reset. `query` is not freed then: the
 * reset frees everything, and without one malloc's own state may be the half-done one.
 */
function callParser(wasm: Loaded, query: number, call: (query: number) => number): number {
  try {
    return call(query);
  } catch (error) {
    if (wasm.reset()) wasm.resets++;
    throw error;
  }
}

export function parseSync(query: string): unknown {
  const wasm = ready();
  if (query === "") throw new Error("Query cannot be empty");
  const { glue } = wasm;
  const queryPointer = toCString(glue, query);
  const result = callParser(wasm, queryPointer, (pointer) => glue._wasm_parse_query_raw(pointer));
  try {
    if (!result) throw new Error("Failed to parse query: memory allocation failed");
    // struct PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
    const parseTree = glue.getValue(result, "i32");
    const error = glue.getValue(result + 8, "i32");
    if (error) {
      // struct PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; ... }
      const message = glue.getValue(error, "i32");
      const cursor = glue.getValue(error + 16, "i32");
      throw new SqlError(message ? fromCString(glue, message) : "Unknown error", cursor > 0 ? cursor - 1 : 0);
    }
    if (!parseTree) throw new Error("No parse tree generated");
    return JSON.parse(fromCString(glue, parseTree));
  } finally {
    glue._free(queryPointer);
    if (result) glue._wasm_free_parse_result(result);
  }
}

export function parsePlPgSQLSync(query: string): unknown {
  const wasm = ready();
  const { glue } = wasm;
  const queryPointer = toCString(glue, query);
  const result = callParser(wasm, queryPointer, (pointer) => glue._wasm_parse_plpgsql(pointer));
  try {
    const text = fromCString(glue, result);
    // A parse tree is a JSON object; anything else is an error message.
    if (!text.startsWith("{")) throw new Error(text);
    return JSON.parse(text);
  } finally {
    glue._free(queryPointer);
    if (result) glue._wasm_free_string(result);
  }
}
