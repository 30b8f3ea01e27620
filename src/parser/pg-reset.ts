/**
 * Puts libpg-query's WebAssembly instance back as it was when loaded, synchronously, after its C code
 * was cut short.
 *
 * When the parser's C code recurses past the thread's native stack, V8 throws a RangeError out of the
 * WebAssembly and none of the C code's way out runs: emscripten's shadow stack pointer (a WebAssembly
 * global) stays 1–6 MB lower per overflow, PostgreSQL's memory context for that parse (≈4.7 MB) is never
 * deleted, and any other half-done state stays half-done. After a few dozen overflows the stack pointer has
 * walked into the static data below the stack, and every parse fails or never ends.
 *
 * An emscripten instance's state is its linear memory plus its mutable globals, of which only the stack
 * pointer outlives a call (the other carries setjmp's value and is set before each use). A fresh instance
 * of the same compiled module gives the memory as instantiation leaves it; copying that over the live
 * instance's static data, resetting the stack pointer and rerunning the constructors amounts to a reload,
 * while the instance the emscripten glue is bound to (its exports, heap views, function-table cache) stays.
 */
import fs from "node:fs";

export interface LiveInstance {
  module: WebAssembly.Module;
  instance: WebAssembly.Instance;
  /** The emscripten glue (libpg-query.js), whose text names the minified exports. */
  gluePath: string;
  wasmPath: string;
}

interface Plan {
  memory: string;
  stackRestore: string;
  stackCurrent: string;
  constructors: string;
  /** Where the module's data segments end. */
  dataEnd: number;
}

/** A function that resets the instance and says whether it could (not when the module is not laid out as expected). */
export function resetter(live: LiveInstance): () => boolean {
  let planned = false;
  let plan: Plan | undefined;
  return () => {
    if (!planned) {
      planned = true;
      plan = makePlan(live);
    }
    if (!plan) return false;
    try {
      reset(live, plan);
      return true;
    } catch {
      // E.g. no memory for the fresh instance: perhaps there is next time.
      return false;
    }
  };
}

function reset(live: LiveInstance, plan: Plan): void {
  const fresh = new WebAssembly.Instance(live.module, stubImports(live.module));
  const initialStackPointer = (fresh.exports[plan.stackCurrent] as () => number)();
  const freshMemory = new Uint8Array((fresh.exports[plan.memory] as WebAssembly.Memory).buffer);
  const memory = new Uint8Array((live.instance.exports[plan.memory] as WebAssembly.Memory).buffer);
  if (plan.dataEnd <= initialStackPointer) {
    // Emscripten's default layout: static data, the stack (growing down from the initial stack pointer), the heap.
    // The heap is left as it is: malloc's bookkeeping lives in the static data, so all of it is free again.
    memory.set(freshMemory.subarray(0, initialStackPointer));
  } else {
    // The stack first: where the zero-initialised data after the data segments ends is not known.
    memory.set(freshMemory);
    memory.fill(0, freshMemory.length);
  }
  (live.instance.exports[plan.stackRestore] as (pointer: number) => void)(initialStackPointer);
  (live.instance.exports[plan.constructors] as () => void)();
}

function makePlan(live: LiveInstance): Plan | undefined {
  try {
    // Emscripten minifies export names; its glue says which is which, e.g. `__emscripten_stack_restore=wasmExports["Q"]`.
    const glue = fs.readFileSync(live.gluePath, "utf8");
    const stackRestore = /\b__emscripten_stack_restore=wasmExports\["([^"]+)"\]/.exec(glue)?.[1];
    const stackCurrent = /\b_emscripten_stack_get_current=wasmExports\["([^"]+)"\]/.exec(glue)?.[1];
    const constructors =
      /\b___wasm_call_ctors=wasmExports\["([^"]+)"\]/.exec(glue)?.[1] ?? /function initRuntime\(\)\{[^}]*?wasmExports\["([^"]+)"\]\(\)/.exec(glue)?.[1];
    const exports = WebAssembly.Module.exports(live.module);
    const isFunction = (name: string | undefined) => exports.some((entry) => entry.name === name && entry.kind === "function");
    const memories = exports.filter((entry) => entry.kind === "memory");
    if (!isFunction(stackRestore) || !isFunction(stackCurrent) || !isFunction(constructors) || memories.length !== 1) return undefined;
    if (WebAssembly.Module.imports(live.module).some((entry) => entry.kind !== "function")) return undefined;
    const dataEnd = dataSegmentsEnd(fs.readFileSync(live.wasmPath));
    if (dataEnd === undefined) return undefined;
    return { memory: memories[0]!.name, stackRestore: stackRestore!, stackCurrent: stackCurrent!, constructors: constructors!, dataEnd };
  } catch {
    return undefined;
  }
}

/** The fresh instance only provides memory: nothing in it is ever called, so neither are its imports. */
function stubImports(module: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, () => never>> = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    (imports[entry.module] ??= {})[entry.name] = () => {
      throw new Error(`libpg-query reset: unexpected call to ${entry.module}.${entry.name}`);
    };
  }
  return imports;
}

/**
 * Where the module's data segments end. Undefined when the module has a start function or a data
 * segment that is passive or not at a constant address: then instantiation alone does not lay out the memory.
 */
function dataSegmentsEnd(bytes: Uint8Array): number | undefined {
  let at = 8; // after the magic number and the version
  const byte = () => {
    if (at >= bytes.length) throw new Error("truncated WebAssembly module");
    return bytes[at++]!;
  };
  const unsigned = () => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
  };
  const signed32 = () => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = byte();
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return shift + 7 < 32 && b & 0x40 ? result | (-1 << (shift + 7)) : result;
    }
  };
  let dataEnd = 0;
  while (at < bytes.length) {
    const section = byte();
    const size = unsigned();
    const end = at + size;
    if (section === 8) return undefined; // a start function
    if (section === 11) {
      for (let count = unsigned(); count > 0; count--) {
        const flags = unsigned();
        if (flags === 2) unsigned(); // memory index
        else if (flags !== 0) return undefined; // passive
        if (byte() !== 0x41) return undefined; // not i32.const
        const offset = signed32() >>> 0;
        if (byte() !== 0x0b) return undefined;
        const length = unsigned();
        at += length;
        dataEnd = Math.max(dataEnd, offset + length);
      }
    }
    at = end;
  }
  return dataEnd;
}
