import { expect } from "chai";
import { parse, validate } from "graphql";
import { MAX_TARGETS_PER_RULE, planRouting, RouteRule } from "../../infra/routing";
import { matchesEventPattern, type BusEvent } from "../../local/eventbridge/eventPattern";
import { buildAppSyncSchema } from "../../schema";

/** An event of `detailType` with this detail, as the bus would hold it. */
const event = (detailType: string, detail: Record<string, unknown>): BusEvent => ({
  id: "1", source: "globalws", "detail-type": detailType, account: "000000000000", region: "xx-test-1", time: "2026-01-01T00:00:00Z", resources: [],
  detail: { name: "cars", ...detail },
});

const regionList = (n: number) => Array.from({ length: n }, (_, i) => `xx-test-${i + 1}`);

describe("routing plan", () => {
  for (const n of [1, 2, 3, 7, 12]) {
    describe(`${n} regions`, () => {
      const regions = regionList(n);
      const plan = planRouting(regions);
      const rulesOf = (region: string, prefix: string): RouteRule[] =>
        plan.filter((rule) => rule.region === region && rule.name.startsWith(prefix));

      it("forwards each region's own events to every other bus exactly once", () => {
        for (const region of regions) {
          const destinations = rulesOf(region, "forward-").flatMap((rule) => rule.targets.map((t) => t.region));
          expect(destinations.sort()).to.deep.equal(regions.filter((r) => r !== region).sort());
          for (const rule of rulesOf(region, "forward-")) {
            const other = regions.find((r) => r !== region) ?? "nowhere-1";
            // What entered the mesh here: via this region, or (a resolver from before via) origin this region.
            expect(matchesEventPattern(rule.eventPattern, event("message.published", { origin: region, via: region }))).to.equal(true);
            expect(matchesEventPattern(rule.eventPattern, event("channel.unsubscribed", { origin: region, via: region }))).to.equal(true);
            expect(matchesEventPattern(rule.eventPattern, event("message.published", { origin: other, via: region }))).to.equal(true);
            expect(matchesEventPattern(rule.eventPattern, event("message.published", { origin: region }))).to.equal(true);
            expect(matchesEventPattern(rule.eventPattern, event("message.published", { origin: region, via: other }))).to.equal(false);
            expect(matchesEventPattern(rule.eventPattern, event("message.published", { origin: other }))).to.equal(false);
            expect(JSON.stringify(rule.eventPattern).length).to.be.at.most(2048);
          }
        }
      });

      it(`puts at most ${MAX_TARGETS_PER_RULE} targets on a rule, and names rules uniquely per region`, () => {
        for (const rule of plan) expect(rule.targets.length).to.be.within(1, MAX_TARGETS_PER_RULE);
        for (const region of regions) {
          const names = plan.filter((rule) => rule.region === region).map((rule) => rule.name);
          expect(new Set(names).size).to.equal(names.length);
        }
      });

      it("delivers events from elsewhere to the region's own API", () => {
        for (const region of regions) {
          const [messages] = rulesOf(region, "deliver-messages");
          const other = regions.find((r) => r !== region) ?? "nowhere-1";
          expect(matchesEventPattern(messages.eventPattern, event("message.published", { origin: other, via: other }))).to.equal(true);
          expect(matchesEventPattern(messages.eventPattern, event("message.published", { origin: region, via: other }))).to.equal(true);
          expect(matchesEventPattern(messages.eventPattern, event("message.published", { origin: other }))).to.equal(true);
          expect(matchesEventPattern(messages.eventPattern, event("message.published", { origin: other, via: region }))).to.equal(false);
          expect(matchesEventPattern(messages.eventPattern, event("message.published", { origin: region }))).to.equal(false);
          expect(matchesEventPattern(messages.eventPattern, event("channel.unsubscribed", { origin: other, via: other }))).to.equal(false);
          expect(messages.targets).to.have.length(1);
          expect(messages.targets[0]).to.include({ kind: "appsync", region, field: "publishFromBus", inputPath: "$.detail" });
          const [unsubscribes] = rulesOf(region, "deliver-unsubscribes");
          expect(unsubscribes.targets[0]).to.include({ kind: "appsync", region, field: "unsubscribeFromBus", inputPath: "$.detail" });
        }
      });
    });
  }

  it("sends operations that are valid against the schema", () => {
    const schema = buildAppSyncSchema();
    for (const rule of planRouting(["us-west-2", "eu-west-1"])) {
      for (const target of rule.targets) {
        if (target.kind === "appsync") expect(validate(schema, parse(target.operation)).map(String)).to.deep.equal([]);
      }
    }
  });
});
