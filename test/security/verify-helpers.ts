/** What the verify security tests share: migration folders in a temporary directory, and verify's JSON report. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { verifyCommand, type VerifyCommandResult } from "../../src/verify/command.js";

/** A folder of migrations: file name → SQL. */
export function migrations(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-verify-security-"));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

export interface Reported {
  file: string;
  line: number;
  /** null for a file's fatal error (a syntax error). */
  ruleId: string | null;
  /** The whole of what the finding says: its explanation when it has one (the message is its one-line form). */
  message: string;
}

/** Runs `migsafe verify --format json` and reads the findings (file name, line, rule, message). */
export async function verifyJson(args: string[], env: Record<string, string | undefined> = {}): Promise<VerifyCommandResult & { findings: Reported[] }> {
  const result = await verifyCommand(["--format", "json", ...args], { env, handleSignals: false });
  const report = result.output ? (JSON.parse(result.output) as { filePath: string; messages: { line: number; ruleId: string | null; message: string; explanation?: string }[] }[]) : [];
  const findings = report.flatMap((file) => file.messages.map((m) => ({ file: path.basename(file.filePath), line: m.line, ruleId: m.ruleId, message: m.explanation ?? m.message })));
  return { ...result, findings };
}

/** The verify findings (verify-*) of a run, without lint's. */
export function verifyFindings(findings: readonly Reported[]): Reported[] {
  return findings.filter((finding) => finding.ruleId?.startsWith("verify-"));
}
