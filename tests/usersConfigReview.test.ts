import { expect } from "chai";
import { validateConfig } from "../infra/config";
import { usersConfigWarnings } from "../infra/usersConfig";
import { problemsOf } from "./support/configProblems";

// Review of issue 10 (users, not keys): config holes found by revB. Each test fails until fixed.
const ISSUER = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123";
const OIDC = { issuer: ISSUER, clientId: "web" };

describe("review revB: users config", () => {
  it("warns when {sub} rights make private channels while an API key that may subscribe can read every one of them", () => {
    // The README's own example: "inbox-{sub}" (a private inbox each) beside apiKeyAccess "subscribe".
    // The key sits in the page source, and requireRight lets it read any allowed channel, inboxes included.
    const rights = [{ group: "*", subscribe: ["lobby", "inbox-{sub}"], publish: ["inbox-*"] }];
    for (const apiKeyAccess of ["subscribe", "publish-and-subscribe"]) {
      const config = validateConfig({ regions: ["us-west-2"], channels: ["lobby", "inbox-*"], oidc: OIDC, rights, apiKeyAccess });
      const warnings = usersConfigWarnings(config);
      expect(warnings.some((warning) => warning.includes("apiKeyAccess") && warning.includes("inbox-{sub}")), `${apiKeyAccess}: ${JSON.stringify(warnings)}`).to.equal(true);
    }
    const keyless = validateConfig({ regions: ["us-west-2"], channels: ["lobby", "inbox-*"], oidc: OIDC, rights, apiKeyAccess: "none" });
    expect(usersConfigWarnings(keyless)).to.deep.equal([]);
  });

  it("refuses a {sub} pattern that no allowed channel can match: {sub} is never empty, so it needs a longer name than its fixed start", () => {
    // allowlistReaches("a", ["a"]) is true, yet "a{sub}" matches only "a" + at least one character.
    expect(problemsOf({ regions: ["us-west-2"], channels: ["a"], oidc: OIDC, rights: [{ group: "*", subscribe: ["a{sub}"] }] })).to.have.length(1);
    expect(problemsOf({ regions: ["us-west-2"], channels: ["inbox-"], oidc: OIDC, rights: [{ group: "*", subscribe: ["inbox-{sub}"] }] })).to.have.length(1);
  });

  it("refuses a groupsClaim or a group that is blank or has spaces around it (no token claim or group is named so by accident)", () => {
    expect(problemsOf({ regions: ["us-west-2"], oidc: { ...OIDC, groupsClaim: " " } })).to.have.length(1);
    expect(problemsOf({ regions: ["us-west-2"], oidc: OIDC, rights: [{ group: " members", publish: ["news"] }] })).to.have.length(1);
  });
});
