// The commands the benchmark compares, and how to tell from a run's output that it really linted the input.
//
// Every tool gets the same files: migsafe the folder (or the file), squawk the glob `**/*.sql` from inside the
// folder, expanded by squawk itself. 31,000 absolute paths would not fit the OS argument limit (ARG_MAX, 2 MB here),
// and squawk takes no folder. Both write JSON, to a file: the same kind of report, written the same way.
import fs from "node:fs";
import path from "node:path";
import { SQL_GLOB } from "./workspace.mjs";

export function defineTools(root) {
  const cli = path.join(root, "dist/cli.js");
  const squawkNative = path.join(root, "node_modules/@squawk-cli/linux-x64/bin/squawk");
  const squawkWrapper = path.join(root, "node_modules/.bin/squawk");
  const parseFloor = path.join(root, "bench/parse-floor.mjs");
  for (const [file, hint] of [
    [cli, "run `npm run build` first"],
    [squawkNative, "run `npm install` (squawk-cli is a devDependency; its binary is in @squawk-cli/linux-x64)"],
    [squawkWrapper, "run `npm install`"],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
  }

  // squawk lints the paths or globs it is given, relative to its working folder, which is the case's folder.
  const squawkTargets = (input) => input.paths ?? (input.file ? [input.file] : [SQL_GLOB]);
  const migsafeTargets = (input) => input.paths ?? [input.file ?? input.folder];
  // migsafe's JSON report of the files `targets` names, with `options` before them; exit codes 0–2 are its own.
  const migsafeTool = (label, options, targets = migsafeTargets, check = checkMigsafeReport) => ({
    label,
    command: (input) => ({ command: process.execPath, args: [cli, ...options, "--format", "json", ...targets(input)] }),
    statusOk: (status) => status === 0 || status === 1 || status === 2,
    check,
  });

  return {
    migsafe: migsafeTool("migsafe", []),
    // The same run with --cache (issue 16): the case's checking round fills the cache, the timed rounds use it.
    migsafeCached: migsafeTool("migsafe --cache", ["--cache"]),
    // The pre-commit case's yardstick: migsafe on the first of the staged files alone.
    migsafeOneFile: migsafeTool(
      "migsafe, first file only",
      [],
      (input) => [input.paths[0]],
      (stdoutFile, stderrFile, input) => checkMigsafeReport(stdoutFile, stderrFile, { ...input, files: 1 }),
    ),
    squawk: {
      label: "squawk (native)",
      command: (input, { checking }) => ({
        command: squawkNative,
        args: [...(checking ? ["--verbose"] : []), "--reporter", "json", ...squawkTargets(input)],
      }),
      statusOk: (status) => status === 0 || status === 1,
      check: checkSquawkReport,
    },
    squawkWrapper: {
      label: "squawk (npm wrapper)",
      command: (input, { checking }) => ({
        command: process.execPath,
        args: [squawkWrapper, ...(checking ? ["--verbose"] : []), "--reporter", "json", ...squawkTargets(input)],
      }),
      statusOk: (status) => status === 0 || status === 1,
      check: checkSquawkReport,
    },
    // Not a linter: what parsing alone costs on Node with libpg-query (bench/parse-floor.mjs), the floor under migsafe.
    parseFloor: {
      label: "floor: Node + libpg-query parse only",
      command: (input) => ({ command: process.execPath, args: [parseFloor, input.file ?? input.folder] }),
      statusOk: (status) => status === 0,
      check: checkParseFloor,
    },
    bareNode: {
      label: "bare node -e 0",
      command: () => ({ command: process.execPath, args: ["-e", "0"] }),
      statusOk: (status) => status === 0,
      check: () => ({ summary: "" }),
    },
  };
}

/** migsafe's JSON report: one entry per file linted; read and parse errors are fatal messages. */
function checkMigsafeReport(stdoutFile, _stderrFile, input) {
  const report = readJson(stdoutFile);
  if (!Array.isArray(report)) throw new Error("migsafe's JSON report is not an array");
  if (report.length !== input.files) throw new Error(`migsafe reported ${report.length} files, expected ${input.files}`);
  const fatalFiles = report.filter((entry) => entry.fatalErrorCount > 0).length;
  const findings = report.reduce((sum, entry) => sum + entry.messages.filter((message) => !message.fatal).length, 0);
  return {
    filesLinted: report.length,
    filesNotParsed: fatalFiles,
    findings,
    summary: `${plural(report.length, "file")}, ${fatalFiles} with read or parse errors, ${findings} findings`,
  };
}

/**
 * squawk's JSON report lists findings only, so the files it looked at are counted from its --verbose log
 * ("checking file path: …"); a file it could not parse has `syntax-error` findings.
 */
function checkSquawkReport(stdoutFile, stderrFile, input) {
  const report = readJson(stdoutFile);
  if (!Array.isArray(report)) throw new Error("squawk's JSON report is not an array");
  const checked = fs.readFileSync(stderrFile, "utf8").match(/checking file path: /g)?.length ?? 0;
  if (checked !== input.files) throw new Error(`squawk checked ${checked} files, expected ${input.files}`);
  const syntaxErrorFiles = new Set(report.filter((finding) => finding.rule_name === "syntax-error").map((finding) => finding.file)).size;
  const findings = report.filter((finding) => finding.rule_name !== "syntax-error").length;
  return {
    filesLinted: checked,
    filesNotParsed: syntaxErrorFiles,
    findings,
    summary: `${plural(checked, "file")}, ${syntaxErrorFiles} with syntax errors, ${findings} findings`,
  };
}

function checkParseFloor(stdoutFile, _stderrFile, input) {
  const report = readJson(stdoutFile);
  if (report.files !== input.files) throw new Error(`the parse floor read ${report.files} files, expected ${input.files}`);
  return { filesLinted: report.files, summary: `${plural(report.files, "file")}, ${report.parsed} parsed whole, on ${plural(report.threads, "thread")}` };
}

const plural = (count, noun) => `${count} ${noun}${count === 1 ? "" : "s"}`;

function readJson(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read the report ${file}: ${error.message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the report is not valid JSON (${error.message}): ${text.slice(0, 200)}`, { cause: error });
  }
}
