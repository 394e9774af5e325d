import { expect } from "chai";
import { MAX_DATA_BYTES } from "../../resolvers/lib/rules";
import { fakeEventBridge, run, SETTINGS } from "./harness";

describe("Mutation.publishFromBus", () => {
  it("returns the message exactly as EventBridge hands it over", async () => {
    const message = { name: "cars", data: { q: 'a "b"', u: "世界" }, id: "m-1", origin: "ap-southeast-2", publishedAt: "2026-11-25T10:00:00.000Z" };
    const outcome = await run("Mutation", "publishFromBus", message);
    expect(outcome.errors).to.deep.equal([]);
    expect(outcome.result).to.deep.equal(message);
    expect(outcome.invalidations).to.deep.equal([]);
  });

  const message = { name: "cars", data: 1, id: "m-1", origin: "ap-southeast-2", publishedAt: "2026-11-25T10:00:00.000Z" };
  const refusals: [string, Record<string, unknown>, string][] = [
    ["a malformed channel name", { name: "no spaces" }, "InvalidChannelName"],
    ["data over the limit", { data: "a".repeat(MAX_DATA_BYTES) }, "MessageTooLarge"],
    ["a malformed id", { id: "x".repeat(129) }, "InvalidMessageId"],
    ["an id with other characters", { id: "m 1" }, "InvalidMessageId"],
    ["an origin that is no region name", { origin: "Mars/1" }, "InvalidOrigin"],
  ];
  for (const [what, change, errorType] of refusals) {
    it(`refuses ${what}, as publish does, and delivers nothing`, async () => {
      const outcome = await run("Mutation", "publishFromBus", { ...message, ...change });
      expect(outcome.errors.map((e) => e.errorType)).to.deep.equal([errorType]);
      expect(outcome.result).to.equal(null);
    });
  }

  it("delivers a channel that left this region's allowlist: the origin region checked it", async () => {
    const outcome = await run("Mutation", "publishFromBus", { ...message, name: "robots" });
    expect(outcome.errors).to.deep.equal([]);
    expect(outcome.result).to.deep.equal({ ...message, name: "robots" });
  });
});

describe("Subscription.subscribe", () => {
  it("filters on the channel name and lets unsubscribe invalidate it", async () => {
    const outcome = await run("Subscription", "subscribe", { name: "room-7" });
    const byName = { filterGroup: [{ filters: [{ fieldName: "name", operator: "eq", value: "room-7" }] }] };
    expect(outcome.errors).to.deep.equal([]);
    expect(outcome.result).to.equal(null);
    expect(outcome.subscriptionFilter).to.deep.equal(byName);
    expect(outcome.invalidationFilter).to.deep.equal(byName);
  });

  it("refuses a channel outside the allowlist with a clear error", async () => {
    const outcome = await run("Subscription", "subscribe", { name: "robots" });
    expect(outcome.errors.map((e) => [e.errorType, e.message])).to.deep.equal([
      ["ChannelNotAllowed", 'Channel "robots" is not allowed. Allowed channels: cars, room-*.'],
    ]);
    expect(outcome.subscriptionFilter).to.equal(undefined);
  });

  it("refuses a malformed channel name", async () => {
    const outcome = await run("Subscription", "subscribe", { name: "a/b" });
    expect(outcome.errors.map((e) => e.errorType)).to.deep.equal(["InvalidChannelName"]);
  });
});

describe("Mutation.unsubscribe", () => {
  it("puts one channel.unsubscribed event, then invalidates the channel here", async () => {
    const bus = fakeEventBridge();
    const outcome = await run("Mutation", "unsubscribe", { name: "cars" }, bus);
    expect(outcome.errors).to.deep.equal([]);
    expect(bus.requests).to.deep.equal([
      { operation: "PutEvents", events: [{ source: "globalws", detailType: "channel.unsubscribed", detail: { name: "cars", origin: "us-west-2", via: "us-west-2" } }] },
    ]);
    expect(outcome.invalidations).to.deep.equal([{ subscriptionField: "subscribe", payload: { name: "cars" } }]);
    expect(outcome.result).to.deep.equal({ name: "cars", origin: "us-west-2" });
  });

  it("still closes a channel that is no longer on the allowlist", async () => {
    const bus = fakeEventBridge();
    const outcome = await run("Mutation", "unsubscribe", { name: "retired" }, bus);
    expect(outcome.errors).to.deep.equal([]);
    expect(outcome.invalidations).to.have.length(1);
  });

  it("refuses a malformed name and puts nothing", async () => {
    const bus = fakeEventBridge();
    const outcome = await run("Mutation", "unsubscribe", { name: "" }, bus);
    expect(outcome.errors.map((e) => e.errorType)).to.deep.equal(["InvalidChannelName"]);
    expect(outcome.invalidations).to.deep.equal([]);
    expect(bus.requests).to.deep.equal([]);
  });

  it("does not invalidate when EventBridge refuses the event", async () => {
    const bus = fakeEventBridge({ FailedEntryCount: 1, Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }] });
    const outcome = await run("Mutation", "unsubscribe", { name: "cars" }, bus);
    expect(outcome.errors.map((e) => e.errorType)).to.deep.equal(["EventNotAccepted"]);
    expect(outcome.invalidations).to.deep.equal([]);
  });
});

describe("Mutation.unsubscribeFromBus", () => {
  it("invalidates the channel here and returns the request", async () => {
    const outcome = await run("Mutation", "unsubscribeFromBus", { name: "cars", origin: "eu-west-1" });
    expect(outcome.errors).to.deep.equal([]);
    expect(outcome.invalidations).to.deep.equal([{ subscriptionField: "subscribe", payload: { name: "cars" } }]);
    expect(outcome.result).to.deep.equal({ name: "cars", origin: "eu-west-1" });
  });

  it("still closes a channel that is no longer on the allowlist", async () => {
    const outcome = await run("Mutation", "unsubscribeFromBus", { name: "retired", origin: "eu-west-1" });
    expect(outcome.errors).to.deep.equal([]);
    expect(outcome.invalidations).to.have.length(1);
  });

  for (const [what, args, errorType] of [
    ["a malformed channel name", { name: "", origin: "eu-west-1" }, "InvalidChannelName"],
    ["an origin that is no region name", { name: "cars", origin: "x".repeat(33) }, "InvalidOrigin"],
  ] as const) {
    it(`refuses ${what} and invalidates nothing`, async () => {
      const outcome = await run("Mutation", "unsubscribeFromBus", args);
      expect(outcome.errors.map((e) => e.errorType)).to.deep.equal([errorType]);
      expect(outcome.invalidations).to.deep.equal([]);
    });
  }
});

describe("Query.channels", () => {
  it("returns the allowlist baked into the bundle", async () => {
    expect((await run("Query", "channels", {})).result).to.deep.equal(["cars", "room-*"]);
    expect((await run("Query", "channels", {}, { settings: { ...SETTINGS, region: "us-east-1", channels: [], historyRetentionHours: 0 } })).result).to.deep.equal([]);
  });
});
