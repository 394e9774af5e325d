import { expect } from "chai";
import { BusEvent, matchesEventPattern } from "../../local/eventbridge/eventPattern";

const event: BusEvent = {
  id: "1",
  source: "globalws",
  "detail-type": "message.published",
  account: "000000000000",
  region: "us-west-2",
  time: "2026-11-25T10:00:00Z",
  resources: [],
  detail: { name: "cars", origin: "us-west-2", tags: ["a", "b"], nested: { level: 3 } },
};

describe("EventBridge pattern matcher", () => {
  const cases: [string, object, boolean][] = [
    ["exact value", { source: ["globalws"] }, true],
    ["$or: one alternative matches", { $or: [{ detail: { origin: ["eu-west-1"] } }, { source: ["globalws"] }] }, true],
    ["$or: none matches", { $or: [{ detail: { origin: ["eu-west-1"] } }, { source: ["other"] }] }, false],
    ["$or beside other keys, all must hold", { source: ["other"], $or: [{ detail: { origin: ["us-west-2"] } }] }, false],
    ["exact value, other", { source: ["other"] }, false],
    ["one of several values", { "detail-type": ["x", "message.published"] }, true],
    ["nested exact value", { detail: { origin: ["us-west-2"] } }, true],
    ["deeper nesting", { detail: { nested: { level: [3] } } }, true],
    ["number vs string", { detail: { nested: { level: ["3"] } } }, false],
    ["every key must match", { source: ["globalws"], detail: { origin: ["eu-west-1"] } }, false],
    ["missing field", { detail: { absent: ["x"] } }, false],
    ["array value: any element", { detail: { tags: ["b"] } }, true],
    ["prefix", { detail: { name: [{ prefix: "ca" }] } }, true],
    ["prefix, other", { detail: { name: [{ prefix: "ro" }] } }, false],
    ["anything-but value", { detail: { origin: [{ "anything-but": "us-west-2" }] } }, false],
    ["anything-but other value", { detail: { origin: [{ "anything-but": "eu-west-1" }] } }, true],
    ["anything-but list", { detail: { origin: [{ "anything-but": ["eu-west-1", "us-west-2"] }] } }, false],
    ["anything-but prefix", { detail: { origin: [{ "anything-but": { prefix: "us-" } }] } }, false],
    ["anything-but on a missing field", { detail: { absent: [{ "anything-but": "x" }] } }, false],
    ["exists true", { detail: { name: [{ exists: true }] } }, true],
    ["exists true, missing", { detail: { absent: [{ exists: true }] } }, false],
    ["exists false, missing", { detail: { absent: [{ exists: false }] } }, true],
    ["exists false, present", { detail: { name: [{ exists: false }] } }, false],
  ];
  for (const [name, pattern, expected] of cases) {
    it(`${name}: ${JSON.stringify(pattern)} → ${expected}`, () => {
      expect(matchesEventPattern(pattern as never, event)).to.equal(expected);
    });
  }

  it("refuses an operator it does not know rather than guessing", () => {
    expect(() => matchesEventPattern({ detail: { name: [{ suffix: "rs" }] } }, event)).to.throw(/unsupported event pattern operator "suffix"/);
  });
});
