import { expect } from "chai";
import { stringifyWithin } from "../../local/appsync/boundedJson";

const SAMPLES: [string, unknown][] = [
  ["null", null],
  ["booleans and numbers", [true, false, 0, -1.5e-7, 1e21, Number.NaN, Number.POSITIVE_INFINITY]],
  ["escapes and non-ASCII text", "quote \" backslash \\ newline \n control \u0001 é 😀"],
  ["empty containers", { list: [], object: {} }],
  ["members JSON leaves out or writes as null", { kept: 1, left: undefined, fn: () => 1, list: [undefined, () => 1, "x"] }],
  ["nesting and odd keys", { 'k"é': { b: [null, { c: "d" }] } }],
  ["an object without a prototype, as GraphQL results are", Object.assign(Object.create(null), { subscribe: { id: "1" } })],
];

describe("local runtime: JSON within a size", () => {
  for (const [name, value] of SAMPLES) {
    it(`writes ${name} as JSON.stringify does, within exactly its UTF-8 length and not one byte less`, () => {
      const text = JSON.stringify(value);
      const bytes = Buffer.byteLength(text);
      expect(stringifyWithin(value, bytes)).to.equal(text);
      expect(stringifyWithin(value, bytes - 1)).to.equal(null);
    });
  }

  it("answers null for a value whose JSON would be past the longest string V8 can make", () => {
    // 4,000 references to one 236 KB string: 944 MB of JSON, which JSON.stringify cannot build (RangeError).
    const value = { data: Array(4000).fill("x".repeat(236 * 1024)) };
    expect(stringifyWithin(value, 240 * 1024)).to.equal(null);
  });
});
