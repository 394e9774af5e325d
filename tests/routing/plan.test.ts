import { expect } from "chai";
import { parse, validate } from "graphql";
import { MAX_TARGETS_PER_RULE, planRouting, RouteRule } from "../../infra/routing";
import { buildAppSyncSchema } from "../../schema";

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
            expect(rule.eventPattern).to.deep.equal({
              source: ["globalws"],
              "detail-type": ["message.published", "channel.unsubscribed"],
              detail: { via: [region] },
            });
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
          expect(messages.eventPattern).to.deep.equal({
            source: ["globalws"], "detail-type": ["message.published"], detail: { via: [{ "anything-but": region }] },
          });
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
