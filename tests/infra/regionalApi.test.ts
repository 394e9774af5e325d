import { expect } from "chai";
import { bundleResolver, resolverFields, resolverSettings } from "../../infra/resolverBundle";
import { schemaTextFor } from "../../schema";
import { named, ofType, programFor, ProgramRun, STANDARD_CONFIG } from "./harness";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("infra: RegionalApi", () => {
  let run: ProgramRun;
  before(async () => {
    run = await programFor(STANDARD_CONFIG);
  });

  it("creates one component per region, named after it, plus the replication mesh and monitoring", () => {
    expect(ofType(run, "globalws:infra:RegionalApi").map((r) => r.name)).to.have.members(STANDARD_CONFIG.regions);
    expect(ofType(run, "globalws:infra:Replication")).to.have.length(1);
    expect(ofType(run, "globalws:infra:Monitoring")).to.have.length(1);
  });

  it("places every regional resource in a configured region, and each component's children in its own", () => {
    const regional = run.resources.filter((r) => r.inputs.region !== undefined);
    expect(regional.length).to.be.greaterThan(0);
    for (const resource of regional) expect(STANDARD_CONFIG.regions, resource.name).to.include(resource.inputs.region);
    for (const region of STANDARD_CONFIG.regions) {
      const children = regional.filter((r) => r.name.startsWith(`${region}-`));
      // API, log group, key, bus, queue, three data sources, the resolvers and publish's two pipeline functions.
      expect(children.length).to.equal(8 + resolverFields({ historyRetentionHours: 24 }).length + 2);
      for (const child of children) expect(child.inputs.region, child.name).to.equal(region);
    }
  });

  it("gives IAM, which is global, no region", () => {
    const iam = run.resources.filter((r) => r.type.startsWith("aws:iam/"));
    expect(iam.length).to.be.greaterThan(0);
    for (const resource of iam) expect(resource.inputs, resource.name).not.to.have.property("region");
  });

  for (const region of STANDARD_CONFIG.regions) {
    describe(region, () => {
      const api = () => named(run, `${region}-api`);

      it("has a GraphQL API with the schema, API key auth plus IAM, error-only logging and X-Ray as configured", () => {
        const { inputs } = api();
        expect(inputs.authenticationType).to.equal("API_KEY");
        expect(inputs.additionalAuthenticationProviders).to.deep.equal([{ authenticationType: "AWS_IAM" }]);
        expect(inputs.schema).to.equal(schemaTextFor({ oidc: false, apiKeyAccess: "publish-and-subscribe" }));
        expect(inputs.logConfig).to.deep.equal({
          cloudwatchLogsRoleArn: named(run, `${region}-logs-role`).state.arn,
          fieldLogLevel: "ERROR",
          excludeVerboseContent: true,
        });
        expect(inputs.xrayEnabled).to.equal(true);
      });

      it("has AppSync's query depth and resolver count limits as configured", () => {
        expect(api().inputs).to.include({ queryDepthLimit: 4, resolverCountLimit: 2 });
      });

      it("has the API's log group, with the configured retention", () => {
        const logGroup = named(run, `${region}-logs`).inputs;
        expect(logGroup.name).to.equal(`/aws/appsync/apis/${api().state.id}`);
        expect(logGroup.retentionInDays).to.equal(30);
      });

      it("has an API key of the first generation that lasts the configured 365 days", () => {
        const key = named(run, `${region}-key-1`).inputs;
        expect(key.apiId).to.equal(api().state.id);
        expect(key.description).to.contain("generation 1");
        const lifetime = Date.parse(key.expires) - Date.now();
        expect(lifetime).to.be.within(364 * DAY_MS, 365 * DAY_MS);
      });

      it("has an event bus and an encrypted dead-letter queue", () => {
        expect(named(run, `${region}-bus`).inputs.region).to.equal(region);
        expect(named(run, `${region}-dlq`).inputs.sqsManagedSseEnabled).to.equal(true);
      });

      it("has an EventBridge data source on its own bus, with its own role, and a NONE data source", () => {
        const eventBridge = named(run, `${region}-eventbridge-ds`).inputs;
        expect(eventBridge).to.include({ apiId: api().state.id, type: "AMAZON_EVENTBRIDGE", name: "eventBus" });
        expect(eventBridge.eventBridgeConfig).to.deep.equal({ eventBusArn: named(run, `${region}-bus`).state.arn });
        expect(eventBridge.serviceRoleArn).to.equal(named(run, `${region}-eventbridge-ds-role`).state.arn);
        expect(named(run, `${region}-none-ds`).inputs).to.include({ apiId: api().state.id, type: "NONE", name: "none" });
      });

      it("has one APPSYNC_JS resolver per field, bundled for this region, allowlist and retention, on the right data source or pipeline", () => {
        const settings = resolverSettings(region, { channels: STANDARD_CONFIG.channels, historyRetentionHours: 24, oidc: null, rights: [], apiKeyAccess: "publish-and-subscribe" });
        const dataSourceNames = { EVENTBRIDGE: "eventBus", HISTORY: "history", NONE: "none" };
        const resolvers = ofType(run, "aws:appsync/resolver:Resolver").filter((r) => r.inputs.region === region);
        expect(resolvers).to.have.length(resolverFields(settings).length);
        for (const field of resolverFields(settings)) {
          const { inputs } = named(run, `${region}-${field.typeName}-${field.fieldName}`);
          expect(inputs).to.include({ apiId: api().state.id, type: field.typeName, field: field.fieldName, kind: field.kind });
          expect(inputs.runtime).to.deep.equal({ name: "APPSYNC_JS", runtimeVersion: "1.0.0" });
          const bundled = bundleResolver(field, settings);
          expect(inputs.code).to.equal(bundled.code);
          if (field.kind === "UNIT") {
            expect(inputs.dataSource).to.equal(dataSourceNames[field.dataSource]);
            continue;
          }
          // A pipeline runs its functions in order, each on its data source, with the same bundles.
          const functions = bundled.functionCode.map((fn) => named(run, `${region}-${field.typeName}-${field.fieldName}-${fn.name}`));
          expect(inputs.pipelineConfig.functions).to.deep.equal(functions.map((fn) => fn.state.functionId));
          for (const [index, fn] of bundled.functionCode.entries()) {
            expect(functions[index].inputs).to.include({ apiId: api().state.id, name: fn.name, dataSource: dataSourceNames[fn.dataSource], code: fn.code });
          }
        }
      });
    });
  }

  it("uses the config defaults: no X-Ray, 14-day log retention, depth and resolver limits of 10", async () => {
    const defaults = await programFor({ regions: ["us-east-1"] });
    expect(named(defaults, "us-east-1-api").inputs.xrayEnabled).to.equal(false);
    expect(named(defaults, "us-east-1-api").inputs).to.include({ queryDepthLimit: 10, resolverCountLimit: 10 });
    expect(named(defaults, "us-east-1-logs").inputs.retentionInDays).to.equal(14);
  });
});
