import { expect } from "chai";
import { MAX_DATA_BYTES, SUBSCRIPTION_PAYLOAD_BYTES } from "../../resolvers/lib/rules";
import { EVERY_CHANNEL_FIELD, fakeEventBridge, run, SETTINGS, type Selection } from "./harness";

const TRICKY = { q: 'say "hi"', b: "a\\b", n: "l1\nl2\ttab", u: "héllo 世界 🚀", nested: [1, 2.5, null, true] };

describe("Mutation.publish", () => {
  it("puts one message.published event and returns the message", async () => {
    const bus = fakeEventBridge();
    const outcome = await run("Mutation", "publish", { name: "cars", data: TRICKY }, bus);

    expect(outcome.errors).to.deep.equal([]);
    expect(bus.requests).to.have.length(1);
    const [request] = bus.requests;
    expect(request.operation).to.equal("PutEvents");
    expect(request.events).to.have.length(1);
    const [event] = request.events;
    expect(event.source).to.equal("globalws");
    expect(event.detailType).to.equal("message.published");
    expect(Object.keys(event.detail).sort()).to.deep.equal(["data", "id", "name", "origin", "publishedAt", "sender", "via"]);
    expect(event.detail.name).to.equal("cars");
    expect(event.detail.origin).to.equal("us-west-2");
    // The mesh forwards what entered it in this region.
    expect(event.detail.via).to.equal("us-west-2");
    expect(event.detail.sender).to.equal("iam:arn:aws:iam::000000000000:user/test");
    expect(JSON.parse(event.detail.data)).to.deep.equal(TRICKY);
    expect(event.detail.id).to.match(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(event.detail.publishedAt))).to.equal(false);

    const { via, ...message } = event.detail;
    expect(via).to.be.a("string");
    expect(outcome.result).to.deep.equal({ ...message, data: TRICKY });
  });

  it("gives every message its own id", async () => {
    const bus = fakeEventBridge();
    await run("Mutation", "publish", { name: "cars", data: 1 }, bus);
    await run("Mutation", "publish", { name: "cars", data: 1 }, bus);
    expect(bus.requests[0].events[0].detail.id).not.to.equal(bus.requests[1].events[0].detail.id);
  });

  it("accepts a prefix entry of the allowlist", async () => {
    const bus = fakeEventBridge();
    const outcome = await run("Mutation", "publish", { name: "room-42", data: "x" }, bus);
    expect(outcome.errors).to.deep.equal([]);
    expect(bus.requests).to.have.length(1);
  });

  it("refuses a channel outside the allowlist and puts nothing", async () => {
    const bus = fakeEventBridge();
    const outcome = await run("Mutation", "publish", { name: "robots", data: 1 }, bus);
    expect(outcome.result).to.equal(null);
    expect(outcome.errors).to.have.length(1);
    expect(outcome.errors[0].errorType).to.equal("ChannelNotAllowed");
    expect(outcome.errors[0].message).to.equal('Channel "robots" is not allowed. Allowed channels: cars, room-*.');
    expect(bus.requests).to.have.length(0);
  });

  for (const name of ["", "has space", "x".repeat(65), "semi;colon", "ünï"]) {
    it(`refuses the malformed channel name ${JSON.stringify(name.slice(0, 10))}`, async () => {
      const bus = fakeEventBridge();
      const outcome = await run("Mutation", "publish", { name, data: 1 }, bus);
      expect(outcome.errors.map((e) => e.errorType)).to.deep.equal(["InvalidChannelName"]);
      expect(outcome.errors[0].message).to.contain("is not valid: use 1 to 64 of the characters");
      expect(bus.requests).to.have.length(0);
    });
  }

  it("allows any well-formed name when the allowlist is empty", async () => {
    const bus = fakeEventBridge();
    const outcome = await run("Mutation", "publish", { name: "anything.at-all_9", data: 1 }, { ...bus, settings: { ...SETTINGS, region: "eu-west-1", channels: [], historyRetentionHours: 0 } });
    expect(outcome.errors).to.deep.equal([]);
    expect(bus.requests[0].events[0].detail.origin).to.equal("eu-west-1");
  });

  // Data travels as its JSON text written in a JSON string: a string takes 6 bytes for its quotes, 4
  // for each quote or backslash in it, 2 for each "é" and 1 for each "a". Each case makes a string of
  // exactly `bytes`.
  const filled = (unit: string, unitBytes: number) => (bytes: number) => {
    const units = Math.floor((bytes - 6) / unitBytes);
    return unit.repeat(units) + "a".repeat(bytes - 6 - units * unitBytes);
  };
  const limitCases: [string, (bytes: number) => string][] = [
    ["plain text", filled("a", 1)],
    ["quotes and backslashes", filled('"\\', 8)],
    ["non-ASCII", filled("é", 2)],
  ];
  for (const [kind, makeData] of limitCases) {
    it(`accepts data of exactly the limit and refuses one byte more, measured as it travels (${kind})`, async () => {
      const atLimit = makeData(MAX_DATA_BYTES);
      expect(Buffer.byteLength(JSON.stringify(JSON.stringify(atLimit)))).to.equal(MAX_DATA_BYTES);
      const bus = fakeEventBridge();
      const ok = await run("Mutation", "publish", { name: "cars", data: atLimit }, bus);
      expect(ok.errors).to.deep.equal([]);
      expect(JSON.parse(bus.requests[0].events[0].detail.data)).to.equal(atLimit);

      const refused = fakeEventBridge();
      const tooBig = await run("Mutation", "publish", { name: "cars", data: `${atLimit}a` }, refused);
      expect(tooBig.errors.map((e) => [e.errorType, e.message])).to.deep.equal([[
        "MessageTooLarge",
        `Message data takes ${MAX_DATA_BYTES + 1} bytes written as a JSON string; the limit is ${MAX_DATA_BYTES} bytes (AppSync's 240 KB subscription payload, less room for the other fields).`,
      ]]);
      expect(refused.requests).to.have.length(0);
    });
  }

  it("leaves room in AppSync's 240 KB subscription payload for every other field at its largest", () => {
    const data = filled('"\\', 8)(MAX_DATA_BYTES);
    const payload = JSON.stringify({
      data: {
        subscribe: {
          __typename: "Channel",
          name: "n".repeat(64),
          data: JSON.stringify(data),
          id: "i".repeat(128),
          origin: "o".repeat(32),
          publishedAt: "2026-12-31T23:59:59.999999999+14:00:00",
          sender: "s".repeat(2048),
        },
      },
    });
    expect(Buffer.byteLength(payload)).to.be.at.most(SUBSCRIPTION_PAYLOAD_BYTES);
  });

  it("turns a failed EventBridge entry into an error, not a success", async () => {
    const bus = fakeEventBridge({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try again" }],
    });
    const outcome = await run("Mutation", "publish", { name: "cars", data: 1 }, bus);
    expect(outcome.result).to.equal(null);
    expect(outcome.errors).to.deep.equal([
      { message: "EventBridge did not accept the event: InternalFailure: try again", errorType: "EventNotAccepted", data: null, errorInfo: null },
    ]);
  });

  it("passes a data source failure on as the error", async () => {
    const outcome = await run("Mutation", "publish", { name: "cars", data: 1 }, {
      dataSource: async () => {
        throw Object.assign(new Error("AccessDeniedException: not allowed to PutEvents"), { type: "AccessDeniedException" });
      },
    });
    expect(outcome.result).to.equal(null);
    expect(outcome.errors.map((e) => [e.errorType, e.message])).to.deep.equal([
      ["AccessDeniedException", "AccessDeniedException: not allowed to PutEvents"],
    ]);
  });

  describe("refuses a selection that would let the publisher hide or forge sender for this region's subscribers", () => {
    // What AppSync passes as ctx.info for each selection: an aliased field is listed by its alias only,
    // and selectionSetGraphQL keeps aliases, fragment spreads, inline fragments and directives.
    const every = "name\n  data\n  id\n  origin\n  publishedAt";
    const refused: [string, Selection][] = [
      ["sender left out", { selectionSetList: ["name", "data", "id", "origin", "publishedAt"], selectionSetGraphQL: `{\n  ${every}\n}` }],
      ["another field aliased as sender", { selectionSetList: ["name", "data", "id", "origin", "publishedAt", "sender"], selectionSetGraphQL: `{\n  ${every}\n  sender: name\n}` }],
      ["sender aliased to another name, with the real one too", { selectionSetList: ["name", "data", "id", "origin", "publishedAt", "sender", "who"], selectionSetGraphQL: `{\n  ${every}\n  sender\n  who: sender\n}` }],
      ["sender in a fragment", { selectionSetList: [...EVERY_CHANNEL_FIELD.selectionSetList], selectionSetGraphQL: `{\n  ${every}\n  ...Who\n}` }],
      ["sender in an inline fragment", { selectionSetList: [...EVERY_CHANNEL_FIELD.selectionSetList], selectionSetGraphQL: `{\n  ${every}\n  ... on Channel {\n    sender\n  }\n}` }],
      ["sender skipped with a directive", { selectionSetList: [...EVERY_CHANNEL_FIELD.selectionSetList], selectionSetGraphQL: `{\n  ${every}\n  sender @include(if: false)\n}` }],
      ["nothing", { selectionSetList: [], selectionSetGraphQL: "" }],
    ];
    for (const [what, selection] of refused) {
      it(`${what}: BadRequest, nothing put on the bus`, async () => {
        const bus = fakeEventBridge();
        const outcome = await run("Mutation", "publish", { name: "cars", data: 1 }, { dataSource: bus.dataSource, selection });
        expect(outcome.result).to.equal(null);
        expect(outcome.errors.map((e) => [e.errorType, e.message])).to.deep.equal([
          ["BadRequest", "publish must select every Channel field (name data id origin publishedAt sender) directly, without aliases, fragments or directives: subscribers in this region receive only what the publish selects."],
        ]);
        expect(bus.requests).to.deep.equal([]);
      });
    }

    it("accepts every field selected directly, in any order, with __typename", async () => {
      const selection = { selectionSetList: ["__typename", "sender", "publishedAt", "origin", "id", "data", "name"], selectionSetGraphQL: "{\n  __typename\n  sender\n  publishedAt\n  origin\n  id\n  data\n  name\n}" };
      const outcome = await run("Mutation", "publish", { name: "cars", data: 1 }, { selection });
      expect(outcome.errors).to.deep.equal([]);
    });
  });
});
