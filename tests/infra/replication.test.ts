import { expect } from "chai";
import { getVariableValues, OperationDefinitionNode, parse, validate } from "graphql";
import { buildAppSyncSchema } from "../../schema";
import { ApiDelivery, routeEvent } from "./busSimulator";
import { emittedEvent } from "./emittedEvents";
import { named, ofType, programFor, ProgramRun, RecordedResource, STANDARD_CONFIG } from "./harness";

/** Twelve real regions; the region sets below are prefixes of it. */
const TWELVE = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2",
  "eu-central-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1", "ca-central-1",
];

/** Data that a string template would break: quotes, backslashes, newlines, non-ASCII. */
const TRICKY_DATA = { q: "say \"hi\"", b: "a\\b", n: "l1\nl2", u: "héllo 世界 🚀" };

/** How many deliveries each region's API received. */
function perRegion(deliveries: ApiDelivery[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const delivery of deliveries) counts[delivery.region] = (counts[delivery.region] ?? 0) + 1;
  return counts;
}

function onceToEveryRegionBut(regions: string[], origin: string): Record<string, number> {
  return Object.fromEntries(regions.filter((region) => region !== origin).map((region) => [region, 1]));
}

const targetsOf = (run: ProgramRun) => ofType(run, "aws:cloudwatch/eventTarget:EventTarget");
const isAppSyncTarget = (target: RecordedResource) => target.inputs.appsyncTarget !== undefined;

describe("infra: Replication", () => {
  for (const size of [1, 2, 3, 7, 12]) {
    const regions = TWELVE.slice(0, size);
    const config = { regions, channels: ["cars"] };

    describe(`${size} region${size === 1 ? "" : "s"}`, () => {
      let run: ProgramRun;
      before(async () => {
        run = await programFor(config);
      });

      it("delivers a message published in any region to every other region's API exactly once, never to its origin", async () => {
        for (const origin of regions) {
          const event = await emittedEvent(run, origin, "publish", { name: "cars", data: TRICKY_DATA });
          const deliveries = routeEvent(run, origin, event);
          expect(perRegion(deliveries), `published in ${origin}`).to.deep.equal(onceToEveryRegionBut(regions, origin));
          for (const delivery of deliveries) {
            expect(delivery.operation).to.match(/^mutation PublishFromBus\b/);
            expect(delivery.variables).to.deep.equal(event.detail);
          }
        }
      });

      it("delivers a publish retried in another region (origin A, put via B) to every region but B exactly once", async () => {
        if (regions.length < 2) return;
        const [origin, via] = regions;
        const event = await emittedEvent(run, via, "publish", { name: "cars", data: 1 });
        const retried = { ...event, detail: { ...event.detail, origin } };
        expect(perRegion(routeEvent(run, via, retried))).to.deep.equal(onceToEveryRegionBut(regions, via));
      });

      it("still delivers an event from a resolver that predates `via` (origin only) to every other region exactly once", async () => {
        for (const origin of regions) {
          const event = await emittedEvent(run, origin, "publish", { name: "cars", data: 1 });
          const { via, ...detail } = event.detail;
          expect(via).to.equal(origin);
          expect(perRegion(routeEvent(run, origin, { ...event, detail })), `published in ${origin}`).to.deep.equal(onceToEveryRegionBut(regions, origin));
        }
      });

      it("carries a forced unsubscribe to every other region's API exactly once, never to its origin", async () => {
        for (const origin of regions) {
          const event = await emittedEvent(run, origin, "unsubscribe", { name: "cars" });
          const deliveries = routeEvent(run, origin, event);
          expect(perRegion(deliveries), `unsubscribed in ${origin}`).to.deep.equal(onceToEveryRegionBut(regions, origin));
          for (const delivery of deliveries) {
            expect(delivery.operation).to.match(/^mutation UnsubscribeFromBus\b/);
            expect(delivery.variables).to.deep.equal({ name: "cars", origin, via: origin });
          }
        }
      });

      it("puts rules on their region's bus and at most 5 targets on a rule", () => {
        for (const rule of ofType(run, "aws:cloudwatch/eventRule:EventRule")) {
          expect(rule.inputs.eventBusName).to.equal(named(run, `${rule.inputs.region}-bus`).state.name);
          const targets = targetsOf(run).filter((t) => t.inputs.rule === rule.state.name);
          expect(targets.length, rule.name).to.be.within(1, 5);
          for (const target of targets) {
            expect(target.inputs).to.include({ region: rule.inputs.region, eventBusName: rule.inputs.eventBusName });
          }
        }
      });

      it("gives every target the configured retry policy and the dead-letter queue of its rule's region", () => {
        expect(targetsOf(run)).to.have.length(size * size + size);
        for (const { name, inputs } of targetsOf(run)) {
          expect(inputs.retryPolicy, name).to.deep.equal({ maximumRetryAttempts: 10, maximumEventAgeInSeconds: 300 });
          expect(inputs.deadLetterConfig, name).to.deep.equal({ arn: named(run, `${inputs.region}-dlq`).state.arn });
        }
      });
    });
  }

  it("keeps every role and rule name within AWS's 64 characters, random suffix included, for the longest region names", async () => {
    const run = await programFor({ regions: ["ap-southeast-7", "ap-northeast-3", "ap-southeast-2"] });
    const named64 = [...ofType(run, "aws:iam/role:Role"), ...ofType(run, "aws:cloudwatch/eventRule:EventRule")];
    expect(named64).to.have.length(3 * 3 + 3 * 2 + 2 * 3 + 3 * 3);
    for (const { state } of named64) expect(state.name.length, state.name).to.be.at.most(64);
  });

  describe("AppSync targets", () => {
    const schema = buildAppSyncSchema();
    let run: ProgramRun;
    before(async () => {
      run = await programFor(STANDARD_CONFIG);
    });

    it("call the API's GraphQL endpoint ARN (its URL's host label, not its id) with the event's detail as the variables, without templating", () => {
      const targets = targetsOf(run).filter(isAppSyncTarget);
      expect(targets).to.have.length(2 * STANDARD_CONFIG.regions.length);
      for (const { inputs } of targets) {
        const api = named(run, `${inputs.region}-api`).state;
        const hostLabel = new URL(api.uris.GRAPHQL).hostname.split(".")[0];
        expect(hostLabel).not.to.equal(api.id);
        expect(inputs.arn).to.equal(`arn:aws:appsync:${inputs.region}:123456789012:endpoints/graphql-api/${hostLabel}`);
        expect(inputs.inputPath).to.equal("$.detail");
        expect(inputs).not.to.have.any.keys("input", "inputTransformer");
      }
    });

    it("use the configured retry policy", () => {
      for (const { inputs } of targetsOf(run)) {
        expect(inputs.retryPolicy).to.deep.equal({ maximumRetryAttempts: 7, maximumEventAgeInSeconds: 900 });
      }
    });

    it("send operations that parse and validate against the schema", () => {
      for (const { name, inputs } of targetsOf(run).filter(isAppSyncTarget)) {
        expect(validate(schema, parse(inputs.appsyncTarget.graphqlOperation)), name).to.deep.equal([]);
      }
    });

    async function deliveredVariables(field: "publish" | "unsubscribe", args: Record<string, unknown>) {
      const results: { origin: string; coerced: Record<string, unknown> }[] = [];
      for (const origin of STANDARD_CONFIG.regions) {
        for (const delivery of routeEvent(run, origin, await emittedEvent(run, origin, field, args))) {
          const operation = parse(delivery.operation).definitions[0] as OperationDefinitionNode;
          const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], delivery.variables);
          expect(errors, delivery.operation).to.equal(undefined);
          results.push({ origin, coerced: coerced as Record<string, unknown> });
        }
      }
      return results;
    }

    it("accept the variables a published message provides, and its data arrives unchanged", async () => {
      const delivered = await deliveredVariables("publish", { name: "cars", data: TRICKY_DATA });
      expect(delivered).to.have.length(6);
      for (const { origin, coerced } of delivered) {
        expect(coerced).to.include({ name: "cars", origin });
        expect(coerced.data).to.deep.equal(TRICKY_DATA);
      }
    });

    it("accept the variables a forced unsubscribe provides", async () => {
      const delivered = await deliveredVariables("unsubscribe", { name: "room-42" });
      expect(delivered).to.have.length(6);
      for (const { origin, coerced } of delivered) expect(coerced).to.deep.equal({ name: "room-42", origin });
    });
  });
});
