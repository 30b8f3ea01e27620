import { beforeAll, describe, expect, it } from "vitest";
import { isUtcTimeZone, settingChangesOf } from "../../src/facts/session.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { loadParser } from "../../src/parser/pg.js";
import { factsOf } from "./facts-of.js";

beforeAll(() => loadParser());

const changes = (sql: string) => parseFile(sql).statements.flatMap(settingChangesOf);

describe("session: the settings the file sets, in effect at each statement", () => {
  it("reads SET, SET LOCAL, SET TIME ZONE, RESET, SET … TO DEFAULT and set_config, values as PostgreSQL stores them", () => {
    expect(changes("SET TIME ZONE 'UTC'; SET timezone TO utc; SET LOCAL TimeZone = 'Etc/UTC'; SET TIME ZONE 0; SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE;")).toEqual([
      { name: "timezone", value: "UTC" },
      { name: "timezone", value: "utc" },
      { name: "timezone", value: "Etc/UTC" },
      { name: "timezone", value: "0" },
      { name: "timezone", value: "+00:00" },
    ]);
    expect(changes('SET search_path TO "MyApp", public, "$user"; SET search_path = \'\';')).toEqual([
      { name: "search_path", value: '"MyApp", public, "$user"' },
      { name: "search_path", value: '""' },
    ]);
    expect(changes("RESET timezone; SET timezone TO DEFAULT; SET TIME ZONE LOCAL; RESET ALL;")).toEqual([
      { name: "timezone", value: undefined },
      { name: "timezone", value: undefined },
      { name: "timezone", value: undefined },
      { name: "*", value: undefined },
    ]);
    expect(changes("SELECT pg_catalog.set_config('TimeZone', 'UTC', false); SELECT set_config('search_path', current_setting('x'), false); SELECT other.set_config('timezone', 'UTC', true);")).toEqual([
      { name: "timezone", value: "UTC" },
    ]);
  });

  it("settingAt: the last value set before the statement, none before the first SET or after a RESET", () => {
    const { facts, at } = factsOf("ALTER TABLE a ADD x int;\nSET timezone = 'UTC';\nALTER TABLE b ADD x int;\nRESET ALL;\nALTER TABLE c ADD x int;");
    expect(facts.session.settingAt(at("ALTER TABLE a"), "TimeZone")).toBeUndefined();
    expect(facts.session.settingAt(at("ALTER TABLE b"), "TimeZone")).toBe("UTC");
    expect(facts.session.settingAt(at("ALTER TABLE c"), "TimeZone")).toBeUndefined();
  });

  it("isUtcTimeZone: zone names of UTC in any case, and an offset of zero", () => {
    for (const zone of ["UTC", "utc", "Etc/UTC", "GMT", "Zulu", "0", "+00:00", " UTC "]) expect(isUtcTimeZone(zone), zone).toBe(true);
    for (const zone of [undefined, "Europe/London", "America/New_York", "+01:00", "CET", "local"]) expect(isUtcTimeZone(zone), String(zone)).toBe(false);
  });
});
