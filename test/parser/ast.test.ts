import { describe, expect, it } from "vitest";
import { nameFromText } from "../../src/parser/ast.js";

describe("nameFromText: a relation's name written as text, as regclass reads it", () => {
  it.each([
    ["users_id_seq", { name: "users_id_seq" }],
    ["Public.Users_ID_seq", { schema: "public", name: "users_id_seq" }],
    ['"Webhook_id_seq"', { name: "Webhook_id_seq" }],
    ['"My ""App"""."Seq.1"', { schema: 'My "App"', name: "Seq.1" }],
    [" app . counter ", { schema: "app", name: "counter" }],
  ])("%s", (text, name) => expect(nameFromText(text)).toEqual(name));

  it.each(["", "a.b.c", "a..b", "a.", '"open', "a b"])("not a name: %j", (text) => expect(nameFromText(text)).toBeUndefined());
});
