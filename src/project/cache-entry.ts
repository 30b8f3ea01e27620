import type { FatalError, Note } from "../engine/results.js";
import type { Finding } from "../engine/rule.js";

/** A file's result as the cache keeps it: never a fix (fixes are always computed afresh). */
export interface CacheEntry {
  /** The hash of everything the result depends on (ResultCache.keyOf). */
  key: string;
  findings: Finding[];
  errors: FatalError[];
  hasBom?: boolean;
  /** Its findings had fixes, left out here: a run that needs fixes lints the file again. */
  fixable?: boolean;
  notes?: Note[];
  skipped?: string;
}

type Shape = (value: unknown) => boolean;

const isString: Shape = (value) => typeof value === "string";
const isCount: Shape = (value) => Number.isSafeInteger(value) && (value as number) >= 0;
const isBoolean: Shape = (value) => typeof value === "boolean";
const listOf = (item: Shape): Shape => (value) => Array.isArray(value) && value.every(item);
const oneOf = (...values: string[]): Shape => (value) => typeof value === "string" && values.includes(value);

/** A plain object with exactly these keys (the optional ones may be absent), each of its shape. */
function objectOf(required: Record<string, Shape>, optional: Record<string, Shape> = {}): Shape {
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const shape = Object.hasOwn(required, key) ? required[key] : Object.hasOwn(optional, key) ? optional[key] : undefined;
      if (!shape?.(record[key])) return false;
    }
    return Object.keys(required).every((key) => Object.hasOwn(record, key));
  };
}

const isRange = objectOf({ start: isCount, end: isCount });
const isPosition = objectOf({ line: isCount, column: isCount });
const isLocation = objectOf({ start: isPosition, end: isPosition });

// No `fix`: an entry that carries one is not an entry migsafe wrote, and a fix is never taken from the cache
// (a fixable result is kept without its fixes, marked `fixable`).
const isFinding = objectOf(
  { ruleId: isString, severity: oneOf("dangerous", "careful"), message: isString, help: isString, range: isRange, loc: isLocation, docsUrl: isString },
  { origin: isString, stack: isString, explanation: isString, evidence: isString },
);
const isFatalError = objectOf({ message: isString }, { stack: isString, hint: isString, range: isRange, loc: isLocation });
const isNote = objectOf({ line: isCount, message: isString });

/** Whether a value read from a cache file has exactly the shape of an entry migsafe writes. */
export const isCacheEntry = objectOf(
  { key: (value) => typeof value === "string" && /^[0-9a-f]{64}$/.test(value), findings: listOf(isFinding), errors: listOf(isFatalError) },
  { hasBom: isBoolean, fixable: isBoolean, notes: listOf(isNote), skipped: isString },
) as (value: unknown) => value is CacheEntry;
