import { createHash, hash as digestOf } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { runnerAndPartner, type FileAccess } from "../engine/lint-source.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import { makeFolder, writeFileAtomic } from "../files/write-file.js";
import { isCacheEntry, type CacheEntry } from "./cache-entry.js";
import type { KeptReplay, KeptReplays } from "../engine/folder-history.js";
import { isSavedReplay } from "../facts/schema-before.js";
import { cacheFolder, macOf, sameMac, secretIdOf } from "../files/cache-mac.js";

export { cacheFolder };

/** Bumped when the cache file's shape changes. */
const FORMAT = 4;

/**
 * A run that changed a few entries appends them as one line (a delta) instead of rewriting the file; the file is
 * rewritten whole (compacted) once its deltas reach a quarter of its first two lines, or there are too many.
 */
const COMPACT_WHEN_DELTAS_EXCEED = 0.25;
const MAX_DELTAS = 64;

/** A larger cache file is not read (≈1 KB per file with findings: far more migrations than any project has). */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * The cache file's first line; the second holds the entries, by file path, and the kept folder replays; each later
 * line, `<mac> <json>`, holds entries and replays a later run changed (a delta), authenticated with the base's MAC
 * so that it cannot be moved onto another file.
 */
interface Header {
  format: number;
  version: string;
  /** Which secret wrote it (an HMAC of a constant): tells "another machine's cache" from "a modified one". */
  secretId: string;
  /** HMAC-SHA256 of the second line under the cache secret. */
  mac: string;
}

/** A loaded cache, and why the file on disk was not used when it was not (one warning). */
export interface LoadedCache {
  cache: ResultCache;
  warning?: string;
  /** The warning is about the appended entries only: the rest of the file is used. */
  partial?: boolean;
}

/**
 * `--cache`: each file's findings, keyed by a hash of everything they depend on —
 * the file's bytes, how its runner runs it, its rollback partner (which file, and the
 * forward migration's bytes when this file is a rollback), the earlier migrations of its folder (their paths and
 * bytes, in the runner's order), the lint options its configuration gives it, and migsafe's version. A hit costs a read and a hash, no parsing. Entries of files
 * not linted in a run are kept, so linting one folder does not forget another.
 *
 * The cache may only skip work, never change a result: the file is authenticated with
 * an HMAC under a secret kept outside the project (cache-secret.ts), every entry must
 * have exactly the shape migsafe writes, and a fix is never cached (a fixable result is kept
 * without its fixes, for runs that show none). A
 * file that fails any check is discarded whole, with one warning, and every file linted.
 */
export class ResultCache {
  hits = 0;
  misses = 0;
  /** What this run changed: written as one delta, or with everything when the file is compacted. */
  private readonly changedFiles = new Set<string>();
  private readonly changedReplays = new Set<string>();

  private constructor(
    readonly file: string,
    private readonly version: string,
    private readonly secret: Buffer,
    private readonly entries: Map<string, CacheEntry>,
    private readonly kept: Map<string, StoredReplay>,
    /** The file as read: the MAC of its base (what deltas are bound to) and the bytes of its base and deltas; undefined when there was none to append to. */
    private readonly onDisk?: { baseMac: string; baseBytes: number; deltaBytes: number; deltas: number },
  ) {}

  /**
   * The replays of migration folders kept by the last run (folder-history.ts): a new migration at the end of a folder
   * replays only itself, when the earlier files are the same (by their fingerprint) and read with the same options.
   */
  readonly replays: KeptReplays = {
    find: (sequence, options) => {
      const stored = this.kept.get(sequence);
      return stored?.options === optionsDigest(options) ? stored : undefined;
    },
    keep: (sequence, options, kept) => {
      this.kept.set(sequence, { options: optionsDigest(options), ...kept });
      this.changedReplays.add(sequence);
    },
  };

  /** Loads the cache of the project around `cwd`; a missing cache, or one of another migsafe version, starts empty without a warning. */
  static load(cwd: string, version: string, secret: Buffer): LoadedCache {
    const file = path.join(cacheFolder(cwd), "results.json");
    const empty = () => new ResultCache(file, version, secret, new Map(), new Map());
    let text: string;
    let size: number;
    try {
      // Checked before reading, so that a planted huge file is not read into memory.
      const stat = fs.statSync(file);
      if (!stat.isFile()) return { cache: empty(), warning: "it is not a file" };
      if (stat.size > MAX_CACHE_BYTES) return { cache: empty(), warning: `it is larger than ${MAX_CACHE_BYTES / 1024 / 1024} MB` };
      text = fs.readFileSync(file, "utf8");
      size = stat.size;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // None yet (ENOTDIR: a file where a folder should be, which saving reports).
      if (code === "ENOENT" || code === "ENOTDIR") return { cache: empty() };
      return { cache: empty(), warning: `it cannot be read (${code ?? String(error)})` };
    }
    const read = readEntries(text, size, version, secret);
    if ("entries" in read) return { cache: new ResultCache(file, version, secret, read.entries, read.replays, read.onDisk), ...(read.warning ? { warning: read.warning, partial: true } : {}) };
    return { cache: empty(), ...(read.problem ? { warning: read.problem } : {}) };
  }

  /** The key of a file's result: it changes whenever the result could. */
  keyOf(filePath: string, bytes: Uint8Array, text: string, options: LintOptions, files: FileAccess): string {
    const hash = createHash("sha256");
    hash.update(`${FORMAT}\0${this.version}\0${optionsKey(options)}\0`);
    const digest = digestOf("sha256", bytes);
    files.digests?.set(path.resolve(filePath), digest);
    hash.update(digest);
    const { runner, partner, forwardOnly } = runnerAndPartner(filePath, text, options, files);
    hash.update(`\0${runner.wrapping}\0${runner.reason}\0${runner.rollback ?? ""}\0${partner.role}\0${partner.partnerPath ?? ""}\0`);
    hash.update(`${runner.notAMigration ?? ""}\0${forwardOnly() ?? ""}\0`);
    if (partner.role === "rollback" && partner.partnerPath) hash.update(files.read(partner.partnerPath) ?? "\0unreadable");
    // The earlier migrations of the file's folder: what they leave decides some findings (facts/schema-before.ts).
    if (partner.role === "forward") hash.update(`\0${files.histories?.fingerprint(filePath, runner, options, files) ?? ""}`);
    return hash.digest("hex");
  }

  /**
   * The cached result of a file, or undefined. An entry whose findings had fixes holds them without the fixes: it is
   * a hit only when the run does not need fixes (`needsFixes` false: no --fix, no JSON report); otherwise the file is
   * linted again, and its fixes computed from the file.
   */
  get(filePath: string, key: string, text: string, needsFixes: boolean): FileResult | undefined {
    const entry = this.entries.get(filePath);
    if (entry?.key !== key || (needsFixes && entry.fixable === true)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const bom = entry.hasBom === true;
    return {
      filePath,
      findings: entry.findings,
      errors: entry.errors,
      text: bom ? text.slice(1) : text,
      ...(entry.hasBom === undefined ? {} : { hasBom: bom }),
      ...(entry.notes ? { notes: entry.notes } : {}),
      ...(entry.skipped === undefined ? {} : { skipped: entry.skipped }),
    };
  }

  /** Keeps a file's result. A fix is always computed from the file, never read from the cache: it is left out, and the entry marked fixable. */
  set(filePath: string, key: string, result: FileResult): void {
    const fixable = result.findings.some((finding) => finding.fix !== undefined);
    this.entries.set(filePath, {
      key,
      findings: fixable ? result.findings.map(({ fix: _fix, ...finding }) => finding) : result.findings,
      errors: result.errors,
      ...(fixable ? { fixable } : {}),
      ...(result.hasBom === undefined ? {} : { hasBom: result.hasBom }),
      ...(result.notes ? { notes: result.notes } : {}),
      ...(result.skipped === undefined ? {} : { skipped: result.skipped }),
    });
    this.changedFiles.add(filePath);
  }

  /** Writes the cache atomically; a cache that cannot be written is not an error of the run. Returns why it was not written. */
  save(): string | undefined {
    if (this.changedFiles.size === 0 && this.changedReplays.size === 0) return undefined;
    try {
      makeFolder(path.dirname(this.file));
      if (!this.appendDelta()) {
        const body = JSON.stringify({ files: Object.fromEntries(this.entries), replays: Object.fromEntries(this.kept) } satisfies Body);
        const header: Header = { format: FORMAT, version: this.version, secretId: secretId(this.secret), mac: mac(this.secret, this.version, body) };
        // No fsync: a cache lost in a crash is rebuilt, and a torn one fails its HMAC and is ignored.
        // Each line ends with a newline: the deltas are appended after it.
        writeFileAtomic(this.file, `${JSON.stringify(header)}\n${body}\n`, {}, { durable: false });
      }
      this.changedFiles.clear();
      this.changedReplays.clear();
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? String(error);
    }
  }

  /** Appends what this run changed to the file it read, unless the file should be compacted; false when it did not. */
  private appendDelta(): boolean {
    const onDisk = this.onDisk;
    if (!onDisk || onDisk.deltas >= MAX_DELTAS) return false;
    const delta = JSON.stringify({
      files: Object.fromEntries([...this.changedFiles].map((file) => [file, this.entries.get(file)!])),
      replays: Object.fromEntries([...this.changedReplays].map((sequence) => [sequence, this.kept.get(sequence)!])),
    } satisfies Body);
    const line = `${deltaMac(this.secret, this.version, onDisk.baseMac, delta)} ${delta}\n`;
    const bytes = Buffer.byteLength(line);
    if (onDisk.deltaBytes + bytes > onDisk.baseBytes * COMPACT_WHEN_DELTAS_EXCEED) return false;
    // Appended only to the file as it was read: one another run rewrote or appended to since is rewritten whole.
    if (fileSize(this.file) !== onDisk.baseBytes + onDisk.deltaBytes) return false;
    fs.appendFileSync(this.file, line);
    onDisk.deltaBytes += bytes;
    onDisk.deltas++;
    return true;
  }
}

interface ReadCache {
  entries: Map<string, CacheEntry>;
  replays: Map<string, StoredReplay>;
  onDisk: { baseMac: string; baseBytes: number; deltaBytes: number; deltas: number };
  /** Deltas that failed their check were left out (the rest of the file is used): why. */
  warning?: string;
}

/** The entries of a cache file, or why it cannot be used (undefined: another migsafe version wrote it, which is no problem). */
function readEntries(text: string, size: number, version: string, secret: Buffer): ReadCache | { problem?: string } {
  const newline = text.indexOf("\n");
  const header = parseJson(newline < 0 ? text : text.slice(0, newline)) as Partial<Header> | undefined;
  if (typeof header !== "object" || header === null) return { problem: "it is not a migsafe cache file" };
  if (header.format !== FORMAT || header.version !== version) return {};
  if (header.secretId !== secretId(secret)) return { problem: "it was written with another cache secret (another machine or CI job; see docs/ci.md)" };
  const bodyEnd = text.indexOf("\n", newline + 1);
  const body = text.slice(newline + 1, bodyEnd < 0 ? text.length : bodyEnd);
  if (typeof header.mac !== "string" || !sameMac(header.mac, mac(secret, version, body))) return { problem: "it was modified after migsafe wrote it" };
  const entries = new Map<string, CacheEntry>();
  const replays = new Map<string, StoredReplay>();
  const problem = addBody(parseJson(body), entries, replays);
  if (problem) return { problem };
  const onDisk = { baseMac: header.mac, baseBytes: size, deltaBytes: 0, deltas: 0 };
  if (bodyEnd < 0) return { entries, replays, onDisk };
  // The deltas, in the order written. One that fails its check (a torn append, or a modified line) is left out with
  // those after it: each holds only results migsafe computed for the exact bytes its keys name, so a delta left out
  // only costs a lint.
  const lines = text.slice(bodyEnd + 1).split("\n");
  for (const line of lines) {
    if (line === "") continue;
    const space = line.indexOf(" ");
    const delta = line.slice(space + 1);
    const checked = space > 0 && sameMac(line.slice(0, space), deltaMac(secret, version, header.mac, delta));
    if (!checked || addBody(parseJson(delta), entries, replays) !== undefined) {
      return { entries, replays, onDisk: { ...onDisk, deltas: MAX_DELTAS }, warning: "a write cut short, or a change after migsafe wrote them" };
    }
    onDisk.deltaBytes += Buffer.byteLength(line) + 1;
    onDisk.deltas++;
  }
  onDisk.baseBytes -= onDisk.deltaBytes;
  return { entries, replays, onDisk };
}

/** Adds a body's (or a delta's) entries and replays, each checked; why not, when one is not as migsafe writes it. */
function addBody(raw: unknown, entries: Map<string, CacheEntry>, replays: Map<string, StoredReplay>): string | undefined {
  const body = raw as Partial<Body> | undefined;
  if (!isRecord(body) || !isRecord(body.files) || !isRecord(body.replays)) return "its entries are not an object";
  for (const entry of Object.values(body.files)) if (!isCacheEntry(entry)) return "it holds an entry migsafe does not write";
  for (const stored of Object.values(body.replays)) if (!isStoredReplay(stored)) return "it holds an entry migsafe does not write";
  for (const [filePath, entry] of Object.entries(body.files)) entries.set(filePath, entry as CacheEntry);
  for (const [sequence, stored] of Object.entries(body.replays)) replays.set(sequence, stored as StoredReplay);
  return undefined;
}

/** The cache file's second line. */
interface Body {
  files: Record<string, CacheEntry>;
  replays: Record<string, StoredReplay>;
}

/** A kept replay, with the digest of the options that read its files. */
interface StoredReplay extends KeptReplay {
  options: string;
}

function fileSize(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStoredReplay(value: unknown): value is StoredReplay {
  if (!isRecord(value) || Object.keys(value).length !== 4) return false;
  return typeof value.options === "string" && Number.isInteger(value.replayed) && typeof value.fingerprint === "string" && isSavedReplay(value.replay);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function mac(secret: Buffer, version: string, body: string): string {
  return macOf(secret, `migsafe cache ${FORMAT} ${version}`, body);
}

/** A delta's MAC: bound to the base it was appended to. */
function deltaMac(secret: Buffer, version: string, baseMac: string, delta: string): string {
  return macOf(secret, `migsafe cache delta ${FORMAT} ${version} ${baseMac}`, delta);
}

const secretId = secretIdOf;

/** The options as text: rule ids stand for the rules (their code is covered by the version). */
function optionsKey(options: LintOptions): string {
  let key = optionsKeys.get(options);
  if (key === undefined) {
    const { rules, ...rest } = options;
    key = JSON.stringify({ rules: rules.map((rule) => rule.meta.id), ...rest });
    optionsKeys.set(options, key);
  }
  return key;
}

/** The options' key, short: what a kept replay is stored with. */
function optionsDigest(options: LintOptions): string {
  return createHash("sha256").update(optionsKey(options)).digest("hex");
}

/** The files of a configuration share one options object (and the options are not changed once made): its text once. */
const optionsKeys = new WeakMap<LintOptions, string>();
