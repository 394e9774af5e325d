import { expect } from "chai";
import { ConfigError } from "../../infra/config";
import { bundleResolvers, resolverSettings } from "../../infra/resolverBundle";
import { schemaTextFor } from "../../schema";
import { named, ofType, programFor, promiseOf, STANDARD_CONFIG, tryProgram } from "./harness";

const OIDC = { issuer: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123", clientId: "3n4b5urk1ft4fl3mg5e62d9ado", authTtlSeconds: 3600, iatTtlSeconds: 7200 };
const RIGHTS = [{ group: "members", publish: ["room-*"], subscribe: ["room-*", "cars"] }, { group: "*", subscribe: ["cars"] }];
/** AppSync takes the TTLs in milliseconds. */
const APPSYNC_OIDC = { issuer: OIDC.issuer, clientId: OIDC.clientId, authTtl: 3_600_000, iatTtl: 7_200_000 };
const CONTRACT_KEYS = ["graphqlUrl", "realtimeUrl", "apiId", "apiKey", "eventBusArn", "deadLetterQueueUrl"];

describe("infra: users", () => {
  describe("with OIDC and the default API key access", () => {
    const config = { ...STANDARD_CONFIG, oidc: OIDC, rights: RIGHTS };

    it("adds the OIDC provider, with AppSync's millisecond TTLs, to every API, keeping the API key default and IAM", async () => {
      const run = await programFor(config);
      for (const region of STANDARD_CONFIG.regions) {
        const { inputs } = named(run, `${region}-api`);
        expect(inputs.authenticationType, region).to.equal("API_KEY");
        expect(inputs.additionalAuthenticationProviders, region).to.deep.equal([
          { authenticationType: "AWS_IAM" },
          { authenticationType: "OPENID_CONNECT", openidConnectConfig: APPSYNC_OIDC },
        ]);
        expect(inputs.schema).to.equal(schemaTextFor({ oidc: true, apiKeyAccess: "publish-and-subscribe" }));
      }
      expect(ofType(run, "aws:appsync/apiKey:ApiKey")).to.have.length(STANDARD_CONFIG.regions.length);
    });

    it("bakes the rights and groups claim into every region's resolvers", async () => {
      const run = await programFor(config);
      for (const region of STANDARD_CONFIG.regions) {
        const settings = resolverSettings(region, { ...config, historyRetentionHours: 24, oidc: { ...OIDC, groupsClaim: "cognito:groups" }, apiKeyAccess: "publish-and-subscribe" });
        for (const bundle of bundleResolvers(settings)) {
          expect(named(run, `${region}-${bundle.typeName}-${bundle.fieldName}`).inputs.code, `${region} ${bundle.fieldName}`).to.equal(bundle.code);
        }
      }
    });
  });

  describe('with apiKeyAccess "subscribe"', () => {
    it("keeps the key but takes it off publish in the schema", async () => {
      const run = await programFor({ ...STANDARD_CONFIG, oidc: OIDC, apiKeyAccess: "subscribe" });
      const { inputs } = named(run, "us-west-2-api");
      expect(inputs.authenticationType).to.equal("API_KEY");
      expect(inputs.schema).to.equal(schemaTextFor({ oidc: true, apiKeyAccess: "subscribe" }));
      expect(inputs.schema).to.match(/publish\(name: String!, data: AWSJSON!, id: ID\): Channel @aws_oidc @aws_iam\n/);
      expect(Object.keys(run.exports.regions["us-west-2"])).to.deep.equal(CONTRACT_KEYS);
    });
  });

  describe('with apiKeyAccess "none"', () => {
    it("creates no API key, makes OIDC the default mode, and leaves apiKey out of the outputs", async () => {
      const run = await programFor({ ...STANDARD_CONFIG, oidc: OIDC, apiKeyAccess: "none" });
      expect(ofType(run, "aws:appsync/apiKey:ApiKey")).to.deep.equal([]);
      for (const region of STANDARD_CONFIG.regions) {
        const { inputs } = named(run, `${region}-api`);
        expect(inputs.authenticationType).to.equal("OPENID_CONNECT");
        expect(inputs.openidConnectConfig).to.deep.equal(APPSYNC_OIDC);
        expect(inputs.additionalAuthenticationProviders).to.deep.equal([{ authenticationType: "AWS_IAM" }]);
        expect(inputs.schema).to.equal(schemaTextFor({ oidc: true, apiKeyAccess: "none" }));
        expect(inputs.schema).not.to.contain("@aws_api_key");
        const outputs = run.exports.regions[region];
        expect(Object.keys(outputs)).to.deep.equal(CONTRACT_KEYS.filter((key) => key !== "apiKey"));
        expect(await promiseOf(outputs.graphqlUrl)).to.equal(named(run, `${region}-api`).state.uris.GRAPHQL);
      }
    });

    it("makes IAM the only mode when there are no users either", async () => {
      const run = await programFor({ ...STANDARD_CONFIG, apiKeyAccess: "none" });
      const { inputs } = named(run, "eu-west-1-api");
      expect(inputs.authenticationType).to.equal("AWS_IAM");
      expect(inputs.additionalAuthenticationProviders).to.deep.equal([]);
      expect(inputs).not.to.have.property("openidConnectConfig");
      expect(inputs.schema).to.equal(schemaTextFor({ oidc: false, apiKeyAccess: "none" }));
      expect(ofType(run, "aws:appsync/apiKey:ApiKey")).to.deep.equal([]);
    });
  });

  it("gives a stack without users no OIDC provider and no @aws_oidc", async () => {
    const run = await programFor(STANDARD_CONFIG);
    const { inputs } = named(run, "us-west-2-api");
    expect(inputs.additionalAuthenticationProviders).to.deep.equal([{ authenticationType: "AWS_IAM" }]);
    expect(inputs.schema).not.to.contain("@aws_oidc");
  });

  it("fails with a ConfigError naming the rights entry before registering any resource", async () => {
    const { run, error } = await tryProgram({ ...STANDARD_CONFIG, oidc: OIDC, rights: [{ group: "members", publish: ["bad name"] }] });
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.contain('globalws:rights[0] (group "members").publish has "bad name"');
    expect(run.resources).to.deep.equal([]);
  });
});
