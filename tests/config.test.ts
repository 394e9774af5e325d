import { expect } from "chai";
import { ConfigError, RawConfig, validateConfig } from "../infra/config";
import { problemsOf } from "./support/configProblems";

describe("config", () => {
  it("fills the defaults", () => {
    expect(validateConfig({ regions: ["us-west-2", "ap-southeast-2"] })).to.deep.equal({
      regions: ["us-west-2", "ap-southeast-2"],
      channels: [],
      apiKeyExpiresInDays: 365,
      apiKeyGeneration: 1,
      xrayEnabled: false,
      deliveryRetryAttempts: 10,
      deliveryMaxEventAgeSeconds: 300,
      logRetentionDays: 14,
      historyRetentionHours: 24,
      queryDepthLimit: 10,
      resolverCountLimit: 10,
      oidc: null,
      rights: [],
      apiKeyAccess: "publish-and-subscribe",
    });
  });

  it("accepts every key at its bounds", () => {
    const config = validateConfig({
      regions: ["us-east-1", "mx-central-1", "eu-central-2", "ap-southeast-7"],
      channels: ["cars", "room-*", "*", "a.b_c-D9"],
      apiKeyExpiresInDays: 1,
      apiKeyGeneration: 7,
      xrayEnabled: true,
      deliveryRetryAttempts: 185,
      deliveryMaxEventAgeSeconds: 60,
      logRetentionDays: 3653,
      historyRetentionHours: 8760,
      queryDepthLimit: 75,
      resolverCountLimit: 10000,
    });
    expect(config.channels).to.deep.equal(["cars", "room-*", "*", "a.b_c-D9"]);
    expect(config.deliveryRetryAttempts).to.equal(185);
    expect([config.queryDepthLimit, config.resolverCountLimit]).to.deep.equal([75, 10000]);
    const lowest = validateConfig({ regions: ["us-west-2"], queryDepthLimit: 1, resolverCountLimit: 1 });
    expect([lowest.queryDepthLimit, lowest.resolverCountLimit]).to.deep.equal([1, 1]);
  });

  const cases: [string, RawConfig, string][] = [
    ["regions missing", {}, "globalws:regions is undefined: it must be a list of strings"],
    ["regions empty", { regions: [] }, 'globalws:regions is []: list at least one AWS region, e.g. ["us-west-2"]'],
    ["regions not a list", { regions: "us-west-2" }, 'globalws:regions is "us-west-2": it must be a list of strings'],
    ["region duplicated", { regions: ["us-west-2", "us-west-2"] }, 'globalws:regions lists "us-west-2" twice: each entry must be unique'],
    ["region misshapen", { regions: ["US-West-2"] }, 'globalws:regions has "US-West-2": it is not shaped like an AWS region name (e.g. us-west-2)'],
    ["region misshapen", { regions: ["uswest2"] }, 'globalws:regions has "uswest2": it is not shaped like an AWS region name (e.g. us-west-2)'],
    ...[["us-gov-west-1", "AWS GovCloud (US)"], ["cn-north-1", "AWS China"], ["us-isob-east-1", "AWS ISO"], ["eusc-de-east-1", "AWS European Sovereign Cloud"]].map(
      ([region, partition]): [string, RawConfig, string] => [
        `region in ${partition}`,
        { regions: ["us-west-2", region] },
        `globalws:regions has "${region}": it is in the ${partition} partition; every region must be in the commercial partition (aws), because EventBridge does not route events between regions of the other partitions and one AWS provider cannot mix partitions`,
      ],
    ),
    ["channel with a space", { regions: ["us-west-2"], channels: ["my cars"] }, 'globalws:channels has "my cars": a channel name is 1 to 64 of the characters A-Z a-z 0-9 _ . -, optionally ending in * for a prefix'],
    ["channel too long", { regions: ["us-west-2"], channels: ["x".repeat(65)] }, `globalws:channels has "${"x".repeat(65)}": a channel name is 1 to 64 of the characters A-Z a-z 0-9 _ . -, optionally ending in * for a prefix`],
    ["star in the middle", { regions: ["us-west-2"], channels: ["ro*om"] }, 'globalws:channels has "ro*om": a channel name is 1 to 64 of the characters A-Z a-z 0-9 _ . -, optionally ending in * for a prefix'],
    ["channel duplicated", { regions: ["us-west-2"], channels: ["cars", "cars"] }, 'globalws:channels lists "cars" twice: each entry must be unique'],
    ["channels not strings", { regions: ["us-west-2"], channels: [1] }, "globalws:channels is [1]: it must be a list of strings"],
    ["key lifetime 0", { regions: ["us-west-2"], apiKeyExpiresInDays: 0 }, "globalws:apiKeyExpiresInDays is 0: it must be a whole number from 1 to 365"],
    ["key lifetime 366", { regions: ["us-west-2"], apiKeyExpiresInDays: 366 }, "globalws:apiKeyExpiresInDays is 366: it must be a whole number from 1 to 365"],
    ["key lifetime fractional", { regions: ["us-west-2"], apiKeyExpiresInDays: 1.5 }, "globalws:apiKeyExpiresInDays is 1.5: it must be a whole number from 1 to 365"],
    ["key lifetime text", { regions: ["us-west-2"], apiKeyExpiresInDays: "ten" }, 'globalws:apiKeyExpiresInDays is "ten": it must be a whole number from 1 to 365'],
    ["key generation 0", { regions: ["us-west-2"], apiKeyGeneration: 0 }, "globalws:apiKeyGeneration is 0: it must be a whole number from 1 to 9007199254740991"],
    ["history retention negative", { regions: ["us-west-2"], historyRetentionHours: -1 }, "globalws:historyRetentionHours is -1: it must be a whole number from 0 to 8760"],
    ["history retention over a year", { regions: ["us-west-2"], historyRetentionHours: 8761 }, "globalws:historyRetentionHours is 8761: it must be a whole number from 0 to 8760"],
    ["history retention fractional", { regions: ["us-west-2"], historyRetentionHours: 0.5 }, "globalws:historyRetentionHours is 0.5: it must be a whole number from 0 to 8760"],
    ["retries 186", { regions: ["us-west-2"], deliveryRetryAttempts: 186 }, "globalws:deliveryRetryAttempts is 186: it must be a whole number from 0 to 185"],
    ["event age 59", { regions: ["us-west-2"], deliveryMaxEventAgeSeconds: 59 }, "globalws:deliveryMaxEventAgeSeconds is 59: it must be a whole number from 60 to 86400"],
    ["event age 86401", { regions: ["us-west-2"], deliveryMaxEventAgeSeconds: 86401 }, "globalws:deliveryMaxEventAgeSeconds is 86401: it must be a whole number from 60 to 86400"],
    ["retention 2", { regions: ["us-west-2"], logRetentionDays: 2 }, "globalws:logRetentionDays is 2: it must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"],
    ["query depth 0 (AppSync's \"no limit\")", { regions: ["us-west-2"], queryDepthLimit: 0 }, "globalws:queryDepthLimit is 0: it must be a whole number from 1 to 75"],
    ["query depth 76", { regions: ["us-west-2"], queryDepthLimit: 76 }, "globalws:queryDepthLimit is 76: it must be a whole number from 1 to 75"],
    ["query depth text", { regions: ["us-west-2"], queryDepthLimit: "deep" }, 'globalws:queryDepthLimit is "deep": it must be a whole number from 1 to 75'],
    ["resolver count 0", { regions: ["us-west-2"], resolverCountLimit: 0 }, "globalws:resolverCountLimit is 0: it must be a whole number from 1 to 10000"],
    ["resolver count 10001", { regions: ["us-west-2"], resolverCountLimit: 10001 }, "globalws:resolverCountLimit is 10001: it must be a whole number from 1 to 10000"],
    ["resolver count fractional", { regions: ["us-west-2"], resolverCountLimit: 2.5 }, "globalws:resolverCountLimit is 2.5: it must be a whole number from 1 to 10000"],
    ["xray yes", { regions: ["us-west-2"], xrayEnabled: "yes" }, 'globalws:xrayEnabled is "yes": it must be true or false'],
  ];
  for (const [rule, raw, message] of cases) {
    it(`refuses ${rule}, naming the key, the value and the rule`, () => {
      expect(problemsOf(raw)).to.deep.equal([message]);
    });
  }

  it("reports every problem at once, one a line", () => {
    const raw = { regions: ["nowhere"], channels: ["a b"], apiKeyExpiresInDays: 400 };
    const problems = problemsOf(raw);
    expect(problems).to.have.length(3);
    expect(() => validateConfig(raw)).to.throw(ConfigError, /^Invalid globalws configuration:\n {2}- globalws:regions has "nowhere"/);
  });
});
