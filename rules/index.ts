import type { Rule } from "../src/engine/rule.js";
import changeColumnType from "./change-column-type.js";
import deleteWithoutWhere from "./delete-without-where.js";
import dropColumn from "./drop-column.js";
import dropDatabase from "./drop-database.js";
import dropSchema from "./drop-schema.js";
import dropTable from "./drop-table.js";
import dynamicSqlInDoBlock from "./dynamic-sql-in-do-block.js";
import hardDelete from "./hard-delete.js";
import ignoreDirective from "./ignore-directive.js";
import missingIfNotExists from "./missing-if-not-exists.js";
import notNullWithoutBackfill from "./not-null-without-backfill.js";
import requireRollback from "./require-rollback.js";
import truncate from "./truncate.js";
import updateWithoutWhere from "./update-without-where.js";

/** Every rule migsafe ships, in the order they run. A test checks this list against the files in rules/. */
export const allRules: readonly Rule[] = [
  dropTable,
  dropColumn,
  dropSchema,
  dropDatabase,
  truncate,
  deleteWithoutWhere,
  hardDelete,
  updateWithoutWhere,
  notNullWithoutBackfill,
  changeColumnType,
  missingIfNotExists,
  requireRollback,
  dynamicSqlInDoBlock,
  ignoreDirective,
];
