/** What verify refuses to run (src/verify/refusals.ts): statements that act outside the scratch database or the session. */
import { beforeAll, describe, expect, it } from "vitest";
import { parseFile } from "../../src/parser/parse-file.js";
import { loadParser } from "../../src/parser/pg.js";
import { SourceText } from "../../src/source/source-text.js";
import { refusalInSql, refusalsOf } from "../../src/verify/refusals.js";

beforeAll(loadParser);

function refusals(sql: string): string[] {
  const parsed = parseFile(new SourceText(sql));
  expect(parsed.errors).toEqual([]);
  return parsed.statements.flatMap((statement) => refusalsOf(statement));
}

describe("refusalsOf", () => {
  it.each([
    ["COPY (SELECT 1) TO PROGRAM 'id > /tmp/x'", /PROGRAM runs a shell command/],
    ["COPY users TO '/tmp/users.csv'", /file on the server/],
    ["COPY users FROM '/etc/passwd'", /file on the server/],
    ["CREATE ROLE evil SUPERUSER", /CREATE ROLE/],
    ["CREATE USER evil", /CREATE ROLE/],
    ["ALTER USER postgres PASSWORD 'x'", /ALTER ROLE/],
    ["DROP GROUP g", /DROP ROLE/],
    ["GRANT pg_read_server_files TO app", /role membership/],
    ["ALTER SYSTEM SET archive_command = 'id'", /configuration/],
    ["DROP DATABASE IF EXISTS victim WITH (FORCE)", /DROP DATABASE/],
    ["CREATE DATABASE other", /CREATE DATABASE/],
    ["ALTER DATABASE victim RENAME TO gone", /a database/],
    ["ALTER DATABASE victim SET search_path = x", /ALTER DATABASE/],
    ["ALTER DATABASE victim OWNER TO me", /a database/],
    ["COMMENT ON DATABASE victim IS 'x'", /a database/],
    ["GRANT CONNECT ON DATABASE victim TO PUBLIC", /a database/],
    ["CREATE TABLESPACE t LOCATION '/tmp'", /TABLESPACE/],
    ["DROP TABLESPACE t", /TABLESPACE/],
    ["LOAD '/tmp/evil.so'", /shared library/],
    ["CREATE EXTENSION file_fdw", /extension file_fdw/],
    ["CREATE EXTENSION dblink", /extension dblink/],
    ["SELECT pg_read_file('/etc/passwd')", /pg_read_file/],
    ["SELECT pg_catalog.pg_read_binary_file('/etc/passwd')", /pg_read_binary_file/],
    ["SELECT * FROM pg_ls_dir('.')", /pg_ls_dir/],
    ["SELECT pg_stat_file('postgresql.conf')", /pg_stat_file/],
    ["SELECT lo_import('/etc/passwd')", /lo_import/],
    ["SELECT lo_export(1, '/tmp/x')", /lo_export/],
    ["SELECT dblink_exec('host=x', 'DROP TABLE t')", /dblink_exec/],
    ["SELECT pg_terminate_backend(pid) FROM pg_stat_activity", /pg_terminate_backend/],
    ["SELECT pg_cancel_backend(1)", /pg_cancel_backend/],
    ["SELECT pg_reload_conf()", /pg_reload_conf/],
    ["SELECT query_to_xml('DROP TABLE t', true, true, '')", /query_to_xml/],
    ["SELECT set_config('role', 'postgres', false)", /set_config\(\) changes role/],
    ["SELECT set_config(name, 'x', false) FROM settings", /named at run time/],
    ["SET ROLE postgres", /changes role/],
    ["RESET ROLE", /changes role/],
    ["SET SESSION AUTHORIZATION postgres", /session_authorization/],
    ["SET standard_conforming_strings = off", /standard_conforming_strings/],
    ["SET client_encoding = 'SJIS'", /client_encoding/],
    ["DISCARD ALL", /DISCARD ALL/],
    ["CREATE OPERATOR ### (FUNCTION = pg_read_file, LEFTARG = text, RIGHTARG = bigint)", /pg_read_file/],
    ["CREATE TABLE t (c text DEFAULT pg_read_file('/etc/passwd'))", /pg_read_file/],
    ["CREATE FUNCTION f() RETURNS void LANGUAGE c AS 'evil', 'f'", /language c/],
    ["CREATE FUNCTION f() RETURNS text LANGUAGE plperlu AS 'qx(id)'", /language plperlu/],
    ["CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT pg_read_file('/etc/passwd') $$", /pg_read_file/],
    ["CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT pg_read_file('/etc/passwd'); END", /pg_read_file/],
    ["CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP DATABASE victim; END $$", /DROP DATABASE/],
    ["CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_reload_conf(); RETURN NEW; END $$", /pg_reload_conf/],
    ["CREATE FUNCTION f() RETURNS void SET role = postgres LANGUAGE sql AS 'SELECT 1'", /changes role/],
    ["DO $$ BEGIN EXECUTE 'CREATE ROLE evil SUPERUSER'; END $$", /CREATE ROLE/],
    ["DO $$ DECLARE v text := pg_read_file('/etc/passwd'); BEGIN END $$", /pg_read_file/],
    ["DO $$ BEGIN IF lo_import('/etc/passwd') > 0 THEN NULL; END IF; END $$", /lo_import/],
    ["DO $$ DECLARE s text; BEGIN s := 'DROP ' || 'DATABASE victim'; EXECUTE s; END $$", /DROP DATABASE/],
    ["DO $$ DECLARE s text; BEGIN SELECT q INTO s FROM t; EXECUTE s; END $$", /cannot see through/],
    ["DO $$ BEGIN EXECUTE format('DROP %s victim', 'DATABASE'); END $$", /cannot see through/],
    ["DO $$ BEGIN EXECUTE 'SELECT ' || quote_ident(current_user) || '()'; END $$", /known only at run time/],
    ["DO $$ BEGIN EXECUTE format('CREATE EXTENSION %I', 'x'); END $$", /extension migsafe_runtime_value/],
    ["DO $$ BEGIN EXECUTE format('CREATE ROLE %I', 'x'); END $$", /CREATE ROLE/],
    ["DO $$ DECLARE t text := 'users'; BEGIN EXECUTE format('ANALYZE %s', t); END $$", /dynamic SQL .* verify cannot see through/],
    ["DO $$ DECLARE t text := 'users'; BEGIN EXECUTE format('ANALYZE %2$s (%1$I)', t::regclass, t); END $$", /dynamic SQL .* verify cannot see through/],
    ["CREATE FUNCTION f(_tbl regclass, cmd text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('%s %s', cmd, _tbl); END $$", /dynamic SQL .* verify cannot see through/],
    ["CREATE FUNCTION f(input citext) RETURNS citext[] LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_read_file('/etc/passwd'); RETURN ARRAY[input]; END $$", /pg_read_file/],
  ])("%s", (sql, reason) => {
    expect(refusals(sql).join("\n")).toMatch(reason);
  });

  it.each([
    "CREATE TABLE users (id bigint PRIMARY KEY, email text)",
    "COPY users FROM STDIN",
    "COPY users TO STDOUT",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"',
    "SET search_path TO app, public",
    "SET statement_timeout = 0",
    "SET standard_conforming_strings = on",
    "SET client_encoding = 'UTF8'",
    "RESET client_encoding",
    "SELECT set_config('search_path', 'app', false)",
    "SELECT pg_sleep(1)",
    "SELECT 'pg_read_file'",
    "GRANT SELECT ON users TO PUBLIC",
    "ALTER TABLE users OWNER TO CURRENT_USER",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    // libpg-query knows no extension type: the result it cannot read is no reason to refuse the body.
    "CREATE FUNCTION public.barcode_slices(input citext) RETURNS citext[] LANGUAGE plpgsql AS $$ DECLARE slices citext[]; BEGIN slices := ARRAY[input]; RETURN slices; END $$",
    "CREATE FUNCTION f(n int) RETURNS SETOF citext LANGUAGE plpgsql AS $$ BEGIN RETURN NEXT 'x'::citext; END $$",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('a'); END IF; END $$",
    "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables LOOP EXECUTE format('ALTER TABLE %I ADD COLUMN x int', t); END LOOP; END $$",
    "DO $$ DECLARE t text := 'users'; BEGIN EXECUTE 'ANALYZE ' || quote_ident(t); END $$",
    // PL/pgSQL bodies read with the function's own parameters and result (lemmy's hot_rank was refused as "returning void").
    "-- the rank\nCREATE OR REPLACE FUNCTION hot_rank (score numeric, published timestamp without time zone) RETURNS integer AS $$ BEGIN RETURN floor(score)::integer; END; $$ LANGUAGE plpgsql",
    "CREATE FUNCTION split(x int, OUT lo int, OUT hi int) LANGUAGE plpgsql AS $$ BEGIN lo := x - 1; hi := x + 1; RETURN; END $$",
    "CREATE FUNCTION evens(n int) RETURNS SETOF int LANGUAGE plpgsql AS $$ BEGIN FOR i IN 1..n LOOP RETURN NEXT i * 2; END LOOP; END $$",
    "CREATE FUNCTION pairs() RETURNS TABLE (a int, b int) LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY SELECT 1, 2; END $$",
    "CREATE PROCEDURE tidy(keep int) LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users WHERE id > keep; END $$",
    // Diesel's setup function: %s of a regclass is a name PostgreSQL quoted.
    "CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$ BEGIN EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at()', _tbl); END; $$ LANGUAGE plpgsql",
    "DO $$ DECLARE t text := 'users'; BEGIN EXECUTE format('ANALYZE %2$s (%1$I)', 'id', t::regclass); END $$",
  ])("lets %s run", (sql) => {
    expect(refusals(sql)).toEqual([]);
  });
});

describe("refusalsOf on an isolated instance (PGlite: verify's own, in its WebAssembly sandbox)", () => {
  const isolated = (sql: string) => parseFile(new SourceText(sql)).statements.flatMap((statement) => refusalsOf(statement, "isolated"));
  const onServer = (sql: string) => parseFile(new SourceText(sql)).statements.flatMap((statement) => refusalsOf(statement, "server"));

  it.each([
    "CREATE ROLE evil SUPERUSER",
    "CREATE USER app_user WITH PASSWORD 'x'",
    "ALTER ROLE app_user SET search_path = app",
    "DROP ROLE IF EXISTS app_user",
    "GRANT reader TO app_user",
    "GRANT CONNECT ON DATABASE postgres TO reader",
    "REVOKE ALL ON DATABASE postgres FROM PUBLIC",
    "COMMENT ON ROLE reader IS 'reads'",
    "ALTER DATABASE postgres OWNER TO reader",
    "REASSIGN OWNED BY reader TO postgres",
    "DROP OWNED BY reader",
    "SET ROLE reader",
    "RESET ROLE",
    "SET SESSION AUTHORIZATION reader",
    "SELECT set_config('role', 'reader', false)",
    "DISCARD ALL",
    "DO $$ BEGIN EXECUTE 'CREATE ROLE evil2'; END $$",
    "DO $$ DECLARE s text; BEGIN SELECT q INTO s FROM t; EXECUTE s; END $$",
    "DO $$ BEGIN EXECUTE 'SELECT ' || quote_ident(current_user) || '()'; END $$",
    "CREATE FUNCTION create_partition(targetTableName text, partitionDate date) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', targetTableName || '_' || to_char(partitionDate, 'YYYYMMDD'), targetTableName, partitionDate, partitionDate + 1); RETURN 1; END $$",
  ])("runs %s there, and refuses it on a server", (sql) => {
    expect(isolated(sql)).toEqual([]);
    expect(onServer(sql)).not.toEqual([]);
  });

  it.each([
    ["COPY (SELECT 1) TO PROGRAM 'id > /tmp/x'", /PROGRAM runs a shell command/],
    ["COPY users FROM '/etc/passwd'", /file on the server/],
    ["ALTER SYSTEM SET work_mem = '1GB'", /configuration/],
    ["CREATE DATABASE other", /CREATE DATABASE/],
    ["DROP DATABASE IF EXISTS victim WITH (FORCE)", /DROP DATABASE/],
    ["ALTER DATABASE victim SET search_path = x", /ALTER DATABASE/],
    ["CREATE TABLESPACE t LOCATION '/tmp'", /TABLESPACE/],
    ["LOAD '/tmp/evil.so'", /shared library/],
    ["CREATE EXTENSION dblink", /extension dblink/],
    ["SELECT pg_read_file('/etc/passwd')", /pg_read_file/],
    ["SET standard_conforming_strings = off", /standard_conforming_strings/],
    ["SELECT set_config(name, 'x', false) FROM settings", /named at run time/],
    ["CREATE FUNCTION f() RETURNS text LANGUAGE plperlu AS 'qx(id)'", /language plperlu/],
    ["DO $$ BEGIN EXECUTE format('CREATE DATABASE %I', 'x'); END $$", /CREATE DATABASE/],
    ["CREATE SERVER other FOREIGN DATA WRAPPER postgres_fdw", /CREATE SERVER/],
  ])("still refuses %s there", (sql, reason) => {
    expect(isolated(sql).join("\n")).toMatch(reason);
  });
});

describe("refusalInSql (a seed)", () => {
  it("gives the first refused statement and where it starts", () => {
    const sql = "CREATE TABLE é (id int);\nCREATE ROLE evil;\n";
    expect(refusalInSql(sql)).toEqual({ reason: expect.stringMatching(/CREATE ROLE/), location: sql.indexOf("\nCREATE ROLE") + 1 });
    expect(refusalInSql("CREATE TABLE t (id int);")).toBeUndefined();
  });
});
