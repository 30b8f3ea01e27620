import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { useTempProjects, type TempProject } from "../cli/fixtures/temp-project.js";
import { migsafe } from "./state-cli.js";

const project = useTempProjects();

/** `migrations/café.sql` as a Latin-1 system writes it: é is the single byte 0xE9, which is not UTF-8. */
const LATIN1_NAME = Buffer.concat([Buffer.from("migrations/caf"), Buffer.from([0xe9]), Buffer.from(".sql")]);
const SHOWN_AS = "migrations/caf\\xe9.sql";

function git(p: TempProject, ...args: string[]) {
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t.invalid", "-c", "init.defaultBranch=main", ...args], { cwd: p.dir, stdio: "pipe" });
}

/** A repository whose main branch has a clean migration, and a branch that adds a Latin-1-named one that drops a table. */
function repositoryWithLatin1Migration(): TempProject {
  const p = project({ "package.json": "{}", "migsafe.config.json": JSON.stringify({ rules: { "require-rollback": "off" } }), "migrations/001.sql": "SELECT 1;\n" });
  git(p, "init", "-q");
  git(p, "add", ".");
  git(p, "commit", "-qm", "base");
  git(p, "checkout", "-qb", "feature");
  fs.writeFileSync(Buffer.concat([Buffer.from(`${p.dir}/`), LATIN1_NAME]), "DROP TABLE users;\n");
  return p;
}

describe("file names that are not UTF-8 are linted, and shown escaped", () => {
  it("--changed-since lints an untracked one", () => {
    const p = repositoryWithLatin1Migration();
    const run = migsafe(["--changed-since", "main"], p.dir);
    expect(run.stdout).toContain(SHOWN_AS);
    expect(run.stdout).toContain("drop-table");
    expect(run.status).toBe(1);
  });

  it("--changed-since lints a committed one", () => {
    const p = repositoryWithLatin1Migration();
    git(p, "add", ".");
    git(p, "commit", "-qm", "add");
    const run = migsafe(["--changed-since", "main", "--format", "compact"], p.dir);
    expect(run.stdout).toMatch(/^migrations\/caf\\xe9\.sql:1:1: dangerous drop-table /m);
    expect(run.status).toBe(1);
  });

  it("--staged lints a staged one", () => {
    const p = repositoryWithLatin1Migration();
    git(p, "add", ".");
    const run = migsafe(["--staged"], p.dir);
    expect(run.stdout).toContain(SHOWN_AS);
    expect(run.stdout).toContain("drop-table");
    expect(run.status).toBe(1);
  });

  it("a folder scan lints it instead of reporting it as not found", () => {
    const p = repositoryWithLatin1Migration();
    const run = migsafe(["migrations"], p.dir);
    expect(run.stderr).not.toContain("file not found");
    expect(run.stdout).toContain(SHOWN_AS);
    expect(run.stdout).toContain("drop-table");
    expect(run.status).toBe(1);
  });

  it("--fix leaves it alone, with a reason and exit 2", () => {
    const p = repositoryWithLatin1Migration();
    const file = Buffer.concat([Buffer.from(`${p.dir}/`), LATIN1_NAME]);
    fs.writeFileSync(file, "CREATE INDEX i ON t (c);\n");
    const run = migsafe(["--fix", "migrations"], p.dir);
    expect(fs.readFileSync(file, "utf8")).toBe("CREATE INDEX i ON t (c);\n");
    expect(run.stderr).toContain(`${SHOWN_AS}: not fixed: its name is not valid UTF-8`);
    expect(run.status).toBe(2);
  });
});
