import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../infra/config";
import { named, programFor, ProgramRun, promiseOf, STANDARD_CONFIG, tryProgram } from "./harness";

describe("infra: program", () => {
  let run: ProgramRun;
  before(async () => {
    run = await programFor(STANDARD_CONFIG);
  });

  it("exports `regions`: for each configured region exactly the contract's fields", async () => {
    const { regions } = run.exports;
    expect(Object.keys(regions)).to.deep.equal(STANDARD_CONFIG.regions);
    for (const region of STANDARD_CONFIG.regions) {
      const api = named(run, `${region}-api`).state;
      const resolved = Object.fromEntries(await Promise.all(
        Object.entries(regions[region]).map(async ([key, value]) => [key, await promiseOf(value)]),
      ));
      expect(resolved).to.deep.equal({
        graphqlUrl: api.uris.GRAPHQL,
        realtimeUrl: api.uris.REALTIME,
        apiId: api.id,
        apiKey: named(run, `${region}-key-1`).state.key,
        eventBusArn: named(run, `${region}-bus`).state.arn,
        deadLetterQueueUrl: named(run, `${region}-dlq`).state.url,
      });
    }
  });

  it("exports `historyRetentionHours` beside `regions`, so clients know how far back history goes", async () => {
    const retention = (program: ProgramRun) => (program.exports as unknown as { historyRetentionHours: number }).historyRetentionHours;
    expect(retention(run)).to.equal(24);
    const { run: off } = await tryProgram({ ...STANDARD_CONFIG, historyRetentionHours: 0 });
    expect(retention(off)).to.equal(0);
  });

  it("marks the API key, and only the API key, as a secret", async () => {
    for (const outputs of Object.values(run.exports.regions)) {
      for (const [key, value] of Object.entries(outputs)) {
        expect(await pulumi.isSecret(value), key).to.equal(key === "apiKey");
      }
    }
  });

  it("parents every AWS resource to the globalws component whose name it carries", async () => {
    const components = run.resources.filter((r) => r.type.startsWith("globalws:infra:"));
    expect(components.map((c) => c.name)).to.have.members([...STANDARD_CONFIG.regions, "history", "replication", "monitoring"]);
    const resources = run.resources.filter((r) => !r.type.startsWith("globalws:infra:"));
    expect(resources.length).to.be.greaterThan(0);
    for (const resource of resources) {
      const parent = run.options.get(resource.name)?.parent;
      expect(parent, resource.name).to.be.instanceOf(pulumi.ComponentResource);
      const parentUrn = await promiseOf(parent!.urn);
      const component = components.find((c) => parentUrn.endsWith(`${c.type}::${c.name}`));
      expect(component, `parent of ${resource.name}: ${parentUrn}`).not.to.equal(undefined);
      expect(resource.name.startsWith(`${component!.name}-`), resource.name).to.equal(true);
    }
  });

  it("fails with a ConfigError before registering any resource when the config is invalid", async () => {
    const { run: failed, error } = await tryProgram({ regions: ["not a region"] });
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.contain("globalws:regions has \"not a region\"");
    expect(failed.resources).to.deep.equal([]);
  });
});
