import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError } from "../../infra/config";
import { APPSYNC_CODE_MAX_CHARACTERS, bundleResolvers, resolverSettings } from "../../infra/resolverBundle";
import { usersConfigWarnings } from "../../infra/usersConfig";
import { HISTORY_SETTINGS } from "../resolvers/harness";
import { schemaTextFor } from "../../schema";
import { named, ofType, programFor, promiseOf, runProgram, STANDARD_CONFIG, tryProgram } from "./harness";

const OIDC = { issuer: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123", clientId: "3n4b5urk1ft4fl3mg5e62d9ado", authTtlSeconds: 3600, iatTtlSeconds: 7200 };
const RIGHTS = [{ group: "members", publish: ["room-*"], subscribe: ["room-*", "cars"] }, { group: "*", subscribe: ["cars"] }];
/** AppSync takes the TTLs in milliseconds, and the client id anchored: it must match the whole `aud`. */
const APPSYNC_OIDC = { issuer: OIDC.issuer, clientId: `^(?:${OIDC.clientId})$`, authTtl: 3_600_000, iatTtl: 7_200_000 };
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

  it("anchors a clientId that is a regular expression as a whole: ^(?:web|mobile)$, not ^web|mobile$", async () => {
    const run = await programFor({ ...STANDARD_CONFIG, oidc: { issuer: OIDC.issuer, clientId: "web|mobile" } });
    const provider = named(run, "us-west-2-api").inputs.additionalAuthenticationProviders[1];
    expect(provider.openidConnectConfig).to.deep.equal({ issuer: OIDC.issuer, clientId: "^(?:web|mobile)$" });
  });

  it("warns at pulumi up when oidc has no clientId, and not when it has one", async () => {
    const warnings: string[] = [];
    const log = pulumi.log as { warn: (message: string) => Promise<void> };
    const warn = log.warn;
    log.warn = async (message) => void warnings.push(message);
    try {
      await runProgram({ ...STANDARD_CONFIG, oidc: { issuer: OIDC.issuer } });
      expect(warnings).to.deep.equal(usersConfigWarnings({ oidc: {} }));
      warnings.length = 0;
      await runProgram({ ...STANDARD_CONFIG, oidc: OIDC });
      expect(warnings).to.deep.equal([]);
    } finally {
      log.warn = warn;
    }
  });

  describe("resolver code within AppSync's 32,768 characters", () => {
    /** `count` rights entries of one group each, every one on the allowlist's `chat-*`. */
    const manyRights = (count: number) => Array.from({ length: count }, (_, index) => ({ group: `team-number-${index}`, publish: [`chat-room-${index}-*`], subscribe: [`chat-room-${index}-*`, "cars"] }));
    const sizes = (rights: ReturnType<typeof manyRights>) =>
      bundleResolvers({ ...HISTORY_SETTINGS, channels: ["chat-*", "cars"], rights }).map((bundle) => ({ field: bundle.fieldName, code: bundle.code }));

    it("keeps the inline source map while it fits, and drops it when that is enough (150 rights entries)", () => {
      for (const { field, code } of sizes(manyRights(3))) expect(code, field).to.contain("//# sourceMappingURL=data:");
      const large = sizes(manyRights(150));
      const history = large.find((bundle) => bundle.field === "history")?.code as string;
      expect(history).not.to.contain("sourceMappingURL");
      for (const { field, code } of large) expect(code.length, field).to.be.at.most(APPSYNC_CODE_MAX_CHARACTERS);
    });

    it("refuses rights too large even without it with a ConfigError naming the keys, before registering any resource", async () => {
      const { run, error } = await tryProgram({ ...STANDARD_CONFIG, channels: ["chat-*", "cars"], oidc: OIDC, rights: manyRights(300) });
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).problems).to.have.length(1);
      expect((error as ConfigError).problems[0]).to.match(
        /^globalws:rights and globalws:channels make the us-west-2 resolver code Query\.history\.ts \d+ characters long, past AppSync's limit of 32768 for a resolver or function/,
      );
      expect(run.resources).to.deep.equal([]);
    });
  });

  it("fails with a ConfigError naming the rights entry before registering any resource", async () => {
    const { run, error } = await tryProgram({ ...STANDARD_CONFIG, oidc: OIDC, rights: [{ group: "members", publish: ["bad name"] }] });
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.contain('globalws:rights[0] (group "members").publish has "bad name"');
    expect(run.resources).to.deep.equal([]);
  });
});
