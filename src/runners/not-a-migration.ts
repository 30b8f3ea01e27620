/**
 * Files that sit among migrations but that are never run as PostgreSQL migrations: dbmate's schema dump, Sqitch's
 * verify scripts and the scripts beside sqitch.plan, pop's and popx's files for another database, Drizzle's SQL files
 * its journal does not list, and the
 * migrations of another database kept beside the PostgreSQL ones (`migrations/mysql/` next to `migrations/postgres/`).
 * They are not linted (the engine skips them, and `--debug` says why).
 */
import path from "node:path";
import { DBMATE_DUMP, POP_NAME, popDatabase, sqitchScript, type ProjectFiles } from "./detect.js";
import { PROFILES, type RunnerName } from "./profiles.js";
import { journalTags } from "./migration-order.js";

/** Why the file at `file` (an absolute path) is not a PostgreSQL migration that `runner` runs; undefined when it is one. */
export function notAMigration(file: string, text: string, files: ProjectFiles, runner: RunnerName | undefined): string | undefined {
  return otherDatabaseFolder(file, files) ?? (runner ? notRunBy(runner, file, text, files) : undefined);
}

function notRunBy(runner: RunnerName, file: string, text: string, files: ProjectFiles): string | undefined {
  switch (runner) {
    case "dbmate":
      return DBMATE_DUMP.test(text)
        ? "it is dbmate's schema dump (it ends with a -- Dbmate schema migrations section): dbmate dump writes it and dbmate load loads it into an empty database, it is no migration"
        : undefined;
    case "sqitch": {
      const script = sqitchScript(file, files);
      if (script?.kind === "verify") return "it is a Sqitch verify script: it checks what its deploy script did, in a transaction it rolls back";
      if (!script && files.exists(path.join(path.dirname(file), "sqitch.plan"))) return "Sqitch runs only the scripts of the deploy/, revert/ and verify/ folders beside sqitch.plan";
      return undefined;
    }
    case "drizzle": {
      const tags = journalTags(path.dirname(file), files);
      return tags && !tags.has(path.basename(file).replace(/\.sql$/i, ""))
        ? "it is not in Drizzle's journal (meta/_journal.json): drizzle-kit migrate runs only the migrations the journal lists"
        : undefined;
    }
    case "pop":
    case "popx": {
      const dialect = POP_NAME.exec(path.basename(file))?.[2];
      const database = popDatabase(dialect);
      return database && database !== "PostgreSQL" ? `it is a ${database} migration (.${dialect}. in its name): ${PROFILES[runner].title} runs it only on ${database}` : undefined;
    }
    default:
      return undefined;
  }
}

/** Folders of other databases' migrations, by name. */
const OTHER_DATABASES: Readonly<Record<string, string>> = {
  sqlite: "SQLite",
  sqlite3: "SQLite",
  mysql: "MySQL",
  mariadb: "MariaDB",
  mssql: "SQL Server",
  sqlserver: "SQL Server",
  oracle: "Oracle",
};

/** The names of a folder of PostgreSQL migrations. */
const POSTGRES_FOLDERS = ["postgres", "postgresql", "pg"];

/**
 * A migration in a folder named after another database, beside a folder of PostgreSQL migrations: a project that
 * supports several databases keeps one set each, and runs only the PostgreSQL set on PostgreSQL.
 */
function otherDatabaseFolder(file: string, files: ProjectFiles): string | undefined {
  const dir = path.dirname(file);
  const folder = path.basename(dir);
  const database = Object.hasOwn(OTHER_DATABASES, folder.toLowerCase()) ? OTHER_DATABASES[folder.toLowerCase()] : undefined;
  if (!database) return undefined;
  const postgres = files.list?.(path.dirname(dir)).find((name) => POSTGRES_FOLDERS.includes(name.toLowerCase()));
  return postgres ? `it is a ${database} migration (in ${folder}/, beside ${postgres}/): the project runs the migrations of ${postgres}/ on PostgreSQL` : undefined;
}
