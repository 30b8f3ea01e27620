import { describe, expect, it } from "vitest";
import { optionGiven, optionIsOn } from "../../src/facts/options.js";

const concurrently = (arg?: unknown) => [{ DefElem: { defname: "verbose" } }, { DefElem: { defname: "concurrently", ...(arg === undefined ? {} : { arg }) } }];

describe("optionIsOn and optionGiven", () => {
  it("read an option without a value as on", () => {
    expect(optionIsOn(concurrently(), "concurrently")).toBe(true);
    expect(optionGiven(concurrently(), "concurrently")).toBe(true);
  });

  it("read false, off, no and 0 as off, and tell an option turned off from one not written", () => {
    for (const arg of [{ String: { sval: "false" } }, { String: { sval: "OFF" } }, { Integer: {} }, { Boolean: {} }]) {
      expect(optionIsOn(concurrently(arg), "concurrently")).toBe(false);
      expect(optionGiven(concurrently(arg), "concurrently")).toBe(true);
    }
    expect(optionIsOn(concurrently({ Integer: { ival: 1 } }), "concurrently")).toBe(true);
    expect(optionIsOn(undefined, "concurrently")).toBe(false);
    expect(optionIsOn(undefined, "concurrently", true)).toBe(true);
    expect(optionGiven([{ DefElem: { defname: "verbose" } }], "concurrently")).toBe(false);
  });
});
