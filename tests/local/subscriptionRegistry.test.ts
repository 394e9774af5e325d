import { expect } from "chai";
import { SubscriptionRegistry, type ActiveSubscription } from "../../local/appsync/subscriptionRegistry";

/** A subscription on `subscribe`, invalidated by channel `invalidatedBy`, that records what it is sent and how often it is released. */
function subscription(shapeKey: string, payload: string | null, invalidatedBy = "gone") {
  const seen = { delivered: [] as string[], released: 0, invalidated: 0 };
  const active: ActiveSubscription = {
    fieldName: "subscribe",
    args: {},
    invalidationFilter: { filterGroup: [{ filters: [{ fieldName: "name", operator: "eq", value: invalidatedBy }] }] },
    shapeKey,
    render: () => payload,
    deliver: (json) => seen.delivered.push(json),
    invalidate: () => (seen.invalidated += 1),
    release: () => (seen.released += 1),
  };
  return { active, seen };
}

describe("local runtime: the subscription registry", () => {
  it("delivers no payload over the limit, counts each such mutation result once as AppSync's InboundMessageError does, and delivers the others", () => {
    const registry = new SubscriptionRegistry(new Map([["subscribe", ["publish"]]]));
    const wide = [subscription("wide", null), subscription("wide", null)];
    const narrow = subscription("narrow", '{"data":{}}');
    for (const { active } of [...wide, narrow]) registry.add(active);
    expect(registry.publish("publish", { name: "a" })).to.equal(1);
    expect(registry.publish("publish", { name: "b" })).to.equal(1);
    expect(wide.map(({ seen }) => seen.delivered)).to.deep.equal([[], []]);
    expect(narrow.seen.delivered).to.deep.equal(['{"data":{}}', '{"data":{}}']);
    expect(registry.inboundMessageErrors).to.equal(2);
  });

  it("releases what a subscription holds when it is removed or invalidated, and only those", () => {
    const registry = new SubscriptionRegistry(new Map([["subscribe", ["publish"]]]));
    const [removed, invalidated, kept] = [subscription("a", "{}"), subscription("b", "{}"), subscription("c", "{}", "other")];
    for (const { active } of [removed, invalidated, kept]) registry.add(active);
    registry.remove(removed.active);
    expect(registry.invalidate("subscribe", { name: "gone" })).to.equal(1);
    expect([removed.seen.released, invalidated.seen.released, invalidated.seen.invalidated, kept.seen.released]).to.deep.equal([1, 1, 1, 0]);
  });
});
