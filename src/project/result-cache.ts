import { createHash, hash as digestOf } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { runnerAndPartner, type FileAccess } from "../engine/lint-source.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import { makeFolder, writeFileAtomic } from "../files/write-file.js";
import { isCacheEntry, type CacheEntry } from "./cache-entry.js";
import type { KeptReplay, KeptReplays } from "../engine/folder-history.js";
import { isSavedReplay } from "../facts/schema-before.js";
import { cacheFolder, macOf, sameMac, secretIdOf } from "./cache-mac.js";

export { cacheFolder };

/** Bumped when the cache file's shape changes. */
const FORMAT = 3;

/** A larger cache file is not read (≈1 KB per file with findings: far more migrations than any project has). */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;

/** The cache file's first line; the second holds the entries, by file path, and the kept folder replays. */
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
  private changed = false;

  private constructor(
    readonly file: string,
    private readonly version: string,
    private readonly secret: Buffer,
    private readonly entries: Map<string, CacheEntry>,
    private readonly kept: Map<string, StoredReplay>,
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
      this.changed = true;
    },
  };

  /** Loads the cache of the project around `cwd`; a missing cache, or one of another migsafe version, starts empty without a warning. */
  static load(cwd: string, version: string, secret: Buffer): LoadedCache {
    const file = path.join(cacheFolder(cwd), "results.json");
    const empty = () => new ResultCache(file, version, secret, new Map(), new Map());
    let text: string;
    try {
      // Checked before reading, so that a planted huge file is not read into memory.
      const stat = fs.statSync(file);
      if (!stat.isFile()) return { cache: empty(), warning: "it is not a file" };
      if (stat.size > MAX_CACHE_BYTES) return { cache: empty(), warning: `it is larger than ${MAX_CACHE_BYTES / 1024 / 1024} MB` };
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // None yet (ENOTDIR: a file where a folder should be, which saving reports).
      if (code === "ENOENT" || code === "ENOTDIR") return { cache: empty() };
      return { cache: empty(), warning: `it cannot be read (${code ?? String(error)})` };
    }
    const read = readEntries(text, version, secret);
    if ("entries" in read) return { cache: new ResultCache(file, version, secret, read.entries, read.replays) };
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
    this.changed = true;
  }

  /** Writes the cache atomically; a cache that cannot be written is not an error of the run. Returns why it was not written. */
  save(): string | undefined {
    if (!this.changed) return undefined;
    try {
      makeFolder(path.dirname(this.file));
      const body = JSON.stringify({ files: Object.fromEntries(this.entries), replays: Object.fromEntries(this.kept) } satisfies Body);
      const header: Header = { format: FORMAT, version: this.version, secretId: secretId(this.secret), mac: mac(this.secret, this.version, body) };
      // No fsync: a cache lost in a crash is rebuilt, and a torn one fails its HMAC and is ignored.
      writeFileAtomic(this.file, `${JSON.stringify(header)}\n${body}`, {}, { durable: false });
      this.changed = false;
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? String(error);
    }
  }
}

/** The entries of a cache file, or why it cannot be used (undefined: another migsafe version wrote it, which is no problem). */
function readEntries(text: string, version: string, secret: Buffer): { entries: Map<string, CacheEntry>; replays: Map<string, StoredReplay> } | { problem?: string } {
  const newline = text.indexOf("\n");
  const header = parseJson(newline < 0 ? text : text.slice(0, newline)) as Partial<Header> | undefined;
  if (typeof header !== "object" || header === null) return { problem: "it is not a migsafe cache file" };
  if (header.format !== FORMAT || header.version !== version) return {};
  if (header.secretId !== secretId(secret)) return { problem: "it was written with another cache secret (another machine or CI job; see docs/ci.md)" };
  const body = text.slice(newline + 1);
  if (typeof header.mac !== "string" || !sameMac(header.mac, mac(secret, version, body))) return { problem: "it was modified after migsafe wrote it" };
  const raw = parseJson(body) as Partial<Body> | undefined;
  if (!isRecord(raw) || !isRecord(raw.files) || !isRecord(raw.replays)) return { problem: "its entries are not an object" };
  const entries = new Map<string, CacheEntry>();
  for (const [filePath, entry] of Object.entries(raw.files)) {
    if (!isCacheEntry(entry)) return { problem: "it holds an entry migsafe does not write" };
    entries.set(filePath, entry);
  }
  const replays = new Map<string, StoredReplay>();
  for (const [sequence, stored] of Object.entries(raw.replays)) {
    if (!isStoredReplay(stored)) return { problem: "it holds an entry migsafe does not write" };
    replays.set(sequence, stored);
  }
  return { entries, replays };
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
