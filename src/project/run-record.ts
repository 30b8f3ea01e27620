/**
 * Run replay (`--cache`): after a run that printed its report, a record of what the run's output depended on — its
 * command line, folder, terminal, environment, migsafe's build, and every file, stat and folder listing it read
 * (fs-recorder.ts) — and of what it printed and its exit code. The next run with the same command line checks the
 * record with node:fs and node:crypto alone (src/cli/entry.ts): when nothing it covers changed, it prints the recorded
 * output and exits with the recorded code, without loading the linter, its rules or the WebAssembly parser.
 *
 * Like results.json, a record can only skip work, never change a result: it sits in the same folder, is authenticated
 * the same way (HMAC-SHA256 under the per-user cache secret), and a record that fails the check is ignored with one
 * warning. A file whose stat changed (a fresh clone changes every mtime) is re-hashed: only a change of content misses.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { cacheFolder, macOf, sameMac, secretIdOf } from "../files/cache-mac.js";
import { cacheSecret } from "../files/cache-secret.js";
import { entryKind, envNamesHash, listingHash, statKind, type FileInput, type RecordedInputs } from "../files/fs-recorder.js";
import { writeFileAtomic } from "../files/write-file.js";

/**
 * Bumped when a record's shape changes. A record is a line of header (JSON), a line of body (JSON: what the run
 * depended on, its exit code and the byte lengths of its output), then the run's stdout and stderr as they were
 * printed: raw bytes, neither escaped nor parsed when replayed. One MAC covers the body, a second the body's MAC and
 * the output: a run whose inputs changed (a miss) reads and authenticates the body alone, not megabytes of report.
 */
const FORMAT = 4;
/** The first read of a record: its header and, most often, its body. */
const FIRST_READ_BYTES = 256 * 1024;
/** A larger record is not read. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;
/** Records kept in the folder (one per command line and folder); the oldest go first. */
const MAX_RECORDS = 16;

/**
 * Variables always part of a record, read or not: what decides colours and formats (NO_COLOR, FORCE_COLOR, TERM,
 * GITHUB_ACTIONS, …) and the cache secret. Every other variable the run read is added by fs-recorder.ts.
 */
export const OUTPUT_ENV = [
  "NO_COLOR",
  "FORCE_COLOR",
  "TERM",
  "CI",
  "GITHUB_ACTIONS",
  "GITHUB_STEP_SUMMARY",
  "GITLAB_CI",
  "MIGSAFE_CACHE_SECRET",
  "MIGSAFE_THREADS",
  "XDG_CONFIG_HOME",
  "HOME",
] as const;

/** What a run's output depends on besides its inputs. */
export interface RunIdentity {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout and stderr are terminals, and the terminal's width (0 when stdout is not one): the report fits it. */
  tty: readonly [boolean, boolean, number];
  /** The files of migsafe's build that run a lint (bundleId): a rebuild of the same version misses. */
  bundle: string;
  version: string;
}

export interface RunOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A replayed run's output, as the record holds it: stdout and stderr as bytes, written out as they are. */
export interface RecordedOutput {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

interface RecordBody {
  argv: string[];
  cwd: string;
  node: string;
  tty: [boolean, boolean, number];
  bundle: string;
  /** Variable → HMAC of its value under the secret (null: unset): no secret is written down. */
  env: Record<string, string | null>;
  /** The hash of the variables' names, when the run listed them. */
  envNames?: string;
  /** Each file read: [path, size, mtimeMs, ctimeMs, ino, sha256, racy (1) or 0] — arrays, not objects: parsed at every replay. */
  files: FileRow[];
  probes: Record<string, string>;
  dirs: Record<string, string>;
  output: { exitCode: number; stdoutBytes: number; stderrBytes: number };
}

type FileRow = [path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, sha256: string, racy: 0 | 1];

/** The digest of a file known by its stat alone (results.json). */
const STAT_ONLY = "";

const rowOf = (file: string, input: FileInput): FileRow => [file, input.size, input.mtimeMs, input.ctimeMs, input.ino, input.sha256, input.racy ? 1 : 0];

interface Header {
  format: number;
  version: string;
  secretId: string;
  /** HMAC-SHA256 of the body line. */
  bodyMac: string;
  /** HMAC-SHA256 of bodyMac and the output that follows the body. */
  outputMac: string;
}

/** The stat of each file, as one string: changes with any rebuild. */
export function bundleId(files: readonly string[]): string {
  return files
    .map((file) => {
      try {
        const stat = fs.statSync(file);
        return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
      } catch {
        return "-";
      }
    })
    .join(",");
}

/** The record file of a command line in a folder. */
export function recordFile(argv: readonly string[], cwd: string): string {
  const name = createHash("sha256").update(JSON.stringify([path.resolve(cwd), ...argv])).digest("hex").slice(0, 32);
  return path.join(cacheFolder(cwd), "runs", `${name}.json`);
}

const label = (version: string, part: "body" | "output") => `migsafe run record ${FORMAT} ${version} ${part}`;
const envMac = (secret: Buffer, name: string, value: string | undefined) => (value === undefined ? null : macOf(secret, `env ${name}`, value));

/**
 * Writes the record of a run. `inputs` are what the run read (the cache folder left out); the cache's
 * results.json is added as it is now, so that a record is not replayed over a cache file changed since.
 * Returns why it was not written, or undefined.
 */
export function writeRunRecord(identity: RunIdentity, inputs: RecordedInputs, output: RunOutput): string | undefined {
  if (inputs.unrepeatable) return inputs.unrepeatable;
  const secret = cacheSecret(identity.env);
  if (!secret.ok) return secret.problem;
  const file = recordFile(identity.argv, identity.cwd);
  const files = { ...inputs.files };
  const results = path.join(path.dirname(path.dirname(file)), "results.json");
  // A file the run read and stat'ed is checked by its stat as a file read (FileRow): its stat probe would ask again.
  const probes = Object.fromEntries(Object.entries(inputs.probes).filter(([key]) => !(key.startsWith("s\0") && Object.hasOwn(files, key.slice(2)))));
  try {
    const stat = fs.statSync(results);
    // Known by its stat alone (no digest: any other stat is a miss), though just written: migsafe changes the file by
    // appending (its size grows) or by renaming a new one over it (its inode changes), so neither this run nor a
    // replay need hash megabytes of it.
    files[results] = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, sha256: STAT_ONLY };
  } catch {
    probes[`x\0${results}`] = "0";
  }
  const env: Record<string, string | null> = {};
  for (const name of new Set([...OUTPUT_ENV, ...Object.keys(inputs.env)])) env[name] = envMac(secret.secret, name, identity.env[name]);
  const body: RecordBody = {
    argv: [...identity.argv],
    cwd: identity.cwd,
    node: process.version,
    tty: [identity.tty[0], identity.tty[1], identity.tty[2]],
    bundle: identity.bundle,
    env,
    ...(inputs.envNames ? { envNames: inputs.envNames } : {}),
    files: Object.entries(files).map(([file, input]) => rowOf(file, input)),
    probes,
    dirs: inputs.dirs,
    output: { exitCode: output.exitCode, stdoutBytes: Buffer.byteLength(output.stdout), stderrBytes: Buffer.byteLength(output.stderr) },
  };
  const printed = Buffer.from(`${output.stdout}${output.stderr}`);
  const text = `${JSON.stringify(body)}\n`;
  const bodyMac = macOf(secret.secret, label(identity.version, "body"), text);
  const outputMac = macOf(secret.secret, label(identity.version, "output"), bodyMac, printed);
  const header: Header = { format: FORMAT, version: identity.version, secretId: secretIdOf(secret.secret), bodyMac, outputMac };
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n${text}`), printed]), {}, { durable: false });
    prune(path.dirname(file));
    return undefined;
  } catch (error) {
    return `cannot write the run record (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}

/** Keeps the MAX_RECORDS newest records. */
function prune(folder: string): void {
  const records = fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .map((name) => ({ file: path.join(folder, name), mtime: fs.statSync(path.join(folder, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of records.slice(MAX_RECORDS)) fs.rmSync(file, { force: true });
}

export type Replay = { output: RecordedOutput; warning?: undefined; miss?: undefined } | { output?: undefined; warning?: string; miss?: string };

/**
 * The recorded output of this command line, when its record is authentic and nothing it covers changed; otherwise
 * a miss (`miss` says why, for tests), with a one-line warning when the record is there but cannot be trusted.
 */
export function replayRun(identity: RunIdentity): Replay {
  const secret = cacheSecret(identity.env);
  if (!secret.ok) return { miss: "no secret" };
  const file = recordFile(identity.argv, identity.cwd);
  const shown = path.relative(identity.cwd, file) || file;
  const refused = (why: string): Replay => ({ warning: `the run record ${shown} is not used (${why}): the files are linted`, miss: why });
  let fd: number;
  let size: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { miss: "no record" };
    return refused(unreadable(error));
  }
  try {
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) return refused("it is not a file");
      if (stat.size > MAX_RECORD_BYTES) return refused(`it is larger than ${MAX_RECORD_BYTES / 1024 / 1024} MB`);
      size = stat.size;
    } catch (error) {
      return refused(unreadable(error));
    }
    return readRecord(fd, size, identity, secret.secret, refused);
  } finally {
    fs.closeSync(fd);
  }
}

/** Checks the header and the body, then what the run read; the output is read and authenticated only when nothing changed. */
function readRecord(fd: number, size: number, identity: RunIdentity, secret: Buffer, refused: (why: string) => Replay): Replay {
  // One buffer for the whole file, filled as far as each step needs: a miss reads the head alone, a hit the rest.
  const whole = Buffer.allocUnsafe(size);
  let filled = 0;
  const fillTo = (end: number) => {
    filled += readInto(fd, whole, filled, Math.min(end, size) - filled);
    return whole.subarray(0, filled);
  };
  let head: Buffer;
  try {
    head = fillTo(FIRST_READ_BYTES);
  } catch (error) {
    return refused(unreadable(error));
  }
  const newline = head.indexOf(0x0a);
  const header = parseJson(head.toString("utf8", 0, newline < 0 ? head.length : newline)) as Partial<Header> | undefined;
  if (typeof header !== "object" || header === null || newline < 0) return refused("it is not a migsafe run record");
  if (header.format !== FORMAT || header.version !== identity.version) return { miss: "another version" };
  if (header.secretId !== secretIdOf(secret)) return refused("it was written with another cache secret (another machine or CI job; see docs/ci.md)");
  // JSON.stringify writes no raw line break: the body ends at the next one.
  let bodyEnd = head.indexOf(0x0a, newline + 1) + 1;
  while (bodyEnd === 0 && head.length < size) {
    const searched = head.length;
    try {
      head = fillTo(head.length * 2);
    } catch (error) {
      return refused(unreadable(error));
    }
    if (head.length === searched) break;
    bodyEnd = head.indexOf(0x0a, searched) + 1;
  }
  const bodyText = bodyEnd === 0 ? "" : head.toString("utf8", newline + 1, bodyEnd);
  if (bodyEnd === 0 || typeof header.bodyMac !== "string" || typeof header.outputMac !== "string" || !sameMac(header.bodyMac, macOf(secret, label(identity.version, "body"), bodyText))) {
    return refused("it was modified after migsafe wrote it");
  }
  const body = parseJson(bodyText) as RecordBody | undefined;
  if (!isBody(body)) return refused("it holds what migsafe does not write");
  const changed = whatChanged(body, identity, secret);
  if (changed !== undefined) return { miss: changed };
  let printed: Buffer;
  try {
    printed = fillTo(size).subarray(bodyEnd);
  } catch (error) {
    return refused(unreadable(error));
  }
  if (body.output.stdoutBytes + body.output.stderrBytes !== printed.length || !sameMac(header.outputMac, macOf(secret, label(identity.version, "output"), header.bodyMac, printed))) {
    return refused("it was modified after migsafe wrote it");
  }
  const stdout = printed.subarray(0, body.output.stdoutBytes);
  return { output: { stdout, stderr: printed.subarray(body.output.stdoutBytes), exitCode: body.output.exitCode } };
}

/** Why a record that could not be read is not used. */
const unreadable = (error: unknown) => `it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;

/** Reads `length` bytes of the file at `position` into `buffer` at the same offset; returns how many (fewer only if it is cut short meanwhile). */
function readInto(fd: number, buffer: Buffer, position: number, length: number): number {
  let read = 0;
  while (read < length) {
    const got = fs.readSync(fd, buffer, position + read, length - read, position + read);
    if (got === 0) break;
    read += got;
  }
  return read;
}

/** The first thing the record covers that is not as recorded, or undefined. */
function whatChanged(body: RecordBody, identity: RunIdentity, secret: Buffer): string | undefined {
  if (JSON.stringify(body.argv) !== JSON.stringify(identity.argv) || body.cwd !== identity.cwd) return "command line";
  if (body.node !== process.version) return "node version";
  if (body.tty[0] !== identity.tty[0] || body.tty[1] !== identity.tty[1] || body.tty[2] !== identity.tty[2]) return "terminal";
  if (body.bundle !== identity.bundle) return "migsafe build";
  if (body.envNames !== undefined && body.envNames !== envNamesHash(identity.env)) return "environment variables";
  for (const [name, value] of Object.entries(body.env)) if (envMac(secret, name, identity.env[name]) !== value) return `environment ${name}`;
  // Cheapest first, and the newest file first: what changes between two runs is most often the migration being
  // written, the last of its folder (the order of the checks changes no answer).
  for (let i = body.files.length - 1; i >= 0; i--) {
    const [file, size, mtimeMs, ctimeMs, ino, digest, racy] = body.files[i]!;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return file;
    }
    if (stat.size !== size) return file;
    const same = racy === 0 && stat.mtimeMs === mtimeMs && stat.ctimeMs === ctimeMs && stat.ino === ino;
    if (same) continue;
    if (digest === STAT_ONLY) return file;
    try {
      if (sha256(fs.readFileSync(file)) !== digest) return file;
    } catch {
      return file;
    }
  }
  for (const [dir, hash] of Object.entries(body.dirs)) {
    try {
      if (listingHash(fs.readdirSync(dir, { withFileTypes: true })) !== hash) return dir;
    } catch {
      return dir;
    }
  }
  // Name probes ask the same folders many times (each file's rollback partners): list each folder once.
  const listings = new Map<string, Map<string, string> | string>();
  const entryOf = (target: string): string => {
    const dir = path.dirname(target);
    let listing = listings.get(dir);
    if (listing === undefined) {
      try {
        listing = new Map(fs.readdirSync(dir, { withFileTypes: true }).map((entry) => [entry.name, entryKind(entry)]));
      } catch (error) {
        listing = statKind(undefined, error as NodeJS.ErrnoException);
      }
      listings.set(dir, listing);
    }
    return typeof listing === "string" ? listing : (listing.get(path.basename(target)) ?? "-");
  };
  for (const [key, value] of Object.entries(body.probes)) {
    const kind = key[0]!;
    const target = key.slice(key.indexOf("\0") + 1);
    if ((kind === "n" ? entryOf(target) : probe(kind, key.slice(1, key.indexOf("\0")), target)) !== value) return `${target}`;
  }
  return undefined;
}

/** What a probe of fs-recorder.ts gives now. */
function probe(kind: string, mode: string, target: string): string {
  try {
    switch (kind) {
      case "s":
        return statKind(fs.statSync(target));
      case "l":
        return statKind(fs.lstatSync(target));
      case "x":
        return fs.existsSync(target) ? "1" : "0";
      case "a":
        fs.accessSync(target, Number(mode) || undefined);
        return "1";
      case "r":
        return fs.realpathSync(target);
      case "d":
        fs.readdirSync(target);
        return "listed";
      default:
        return "unknown probe";
    }
  } catch (error) {
    return statKind(undefined, error as NodeJS.ErrnoException);
  }
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The record's shape (it is authenticated, so this only guards against migsafe's own mistakes). */
function isBody(body: unknown): body is RecordBody {
  if (!isObject(body) || !isObject(body.output) || !isObject(body.env) || !Array.isArray(body.files) || !isObject(body.probes) || !isObject(body.dirs)) return false;
  if (!body.files.every((row) => Array.isArray(row) && row.length === 7 && typeof row[0] === "string" && typeof row[5] === "string")) return false;
  const { stdoutBytes, stderrBytes, exitCode } = body.output;
  return Number.isSafeInteger(stdoutBytes) && Number.isSafeInteger(stderrBytes) && Number.isInteger(exitCode) && Array.isArray(body.argv) && Array.isArray(body.tty);
}
