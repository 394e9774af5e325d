import { expect } from "chai";
import { RawConfig, validateConfig } from "../infra/config";
import { problemsOf } from "./support/configProblems";
import { usersConfigWarnings } from "../infra/usersConfig";

const ISSUER = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123";
const BASE = { regions: ["us-west-2"], channels: ["chat-*", "news", "inbox-*"], oidc: { issuer: ISSUER } };

describe("config: users (oidc, rights, apiKeyAccess)", () => {
  it("has no users and today's API key by default", () => {
    expect(validateConfig({ regions: ["us-west-2"] })).to.include({ oidc: null, apiKeyAccess: "publish-and-subscribe" });
    expect(validateConfig({ regions: ["us-west-2"] }).rights).to.deep.equal([]);
  });

  it("takes a Cognito user pool with no more than its issuer: groups come from cognito:groups", () => {
    expect(validateConfig(BASE).oidc).to.deep.equal({ issuer: ISSUER, groupsClaim: "cognito:groups" });
  });

  it("accepts every oidc key, rights with exact names, prefixes and {sub}, and each apiKeyAccess", () => {
    const oidc = { issuer: "https://example.auth0.com/", clientId: "web|mobile", groupsClaim: "https://globalws.example/groups", authTtlSeconds: 3600, iatTtlSeconds: 7200 };
    const rights = [
      { group: "members", publish: ["chat-*"], subscribe: ["chat-*", "news"] },
      { group: "*", subscribe: ["inbox-{sub}"], publish: ["inbox-*"] },
      { group: "admins", subscribe: ["*"] },
    ];
    for (const apiKeyAccess of ["publish-and-subscribe", "subscribe", "none"]) {
      const config = validateConfig({ ...BASE, oidc, rights, apiKeyAccess });
      expect(config.oidc).to.deep.equal(oidc);
      expect(config.rights).to.deep.equal(rights);
      expect(config.apiKeyAccess).to.equal(apiKeyAccess);
    }
  });

  it("allows apiKeyAccess none without users: an IAM-only API for back ends", () => {
    expect(validateConfig({ regions: ["us-west-2"], apiKeyAccess: "none" }).apiKeyAccess).to.equal("none");
  });

  const cases: [string, RawConfig, string][] = [
    ["an oidc that is no object", { ...BASE, oidc: "https://x" }, 'globalws:oidc is "https://x": it must be an object {issuer, clientId?, groupsClaim?, authTtlSeconds?, iatTtlSeconds?}'],
    ["an http issuer", { ...BASE, oidc: { issuer: "http://idp.example" } }, 'globalws:oidc.issuer is "http://idp.example": it must be an https URL, exactly the "iss" of the provider\'s tokens (e.g. https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123)'],
    ["a missing issuer", { ...BASE, oidc: { clientId: "x" } }, 'globalws:oidc.issuer is undefined: it must be an https URL, exactly the "iss" of the provider\'s tokens (e.g. https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123)'],
    ["an unknown oidc key", { ...BASE, oidc: { issuer: ISSUER, groupClaim: "groups" } }, 'globalws:oidc has the unknown key "groupClaim": the keys are issuer, clientId, groupsClaim, authTtlSeconds, iatTtlSeconds'],
    ["an issuer with spaces around it", { ...BASE, oidc: { issuer: ` ${ISSUER}` } }, `globalws:oidc.issuer is " ${ISSUER}": it has spaces around it, which no token's "iss" has: remove them`],
    ["an issuer with a query", { ...BASE, oidc: { issuer: `${ISSUER}?tenant=a` } }, `globalws:oidc.issuer is "${ISSUER}?tenant=a": an issuer has no query (?) or fragment (#) (OpenID Connect Discovery 1.0): give the tokens' "iss" exactly`],
    ["an issuer with an empty fragment", { ...BASE, oidc: { issuer: `${ISSUER}#` } }, `globalws:oidc.issuer is "${ISSUER}#": an issuer has no query (?) or fragment (#) (OpenID Connect Discovery 1.0): give the tokens' "iss" exactly`],
    ["an issuer with user info", { ...BASE, oidc: { issuer: "https://user:secret@idp.example/realms/a" } }, 'globalws:oidc.issuer is "https://user:secret@idp.example/realms/a": an issuer holds no user name or password (user@): give the tokens\' "iss" exactly'],
    ["an issuer with an empty user info", { ...BASE, oidc: { issuer: "https://@idp.example" } }, 'globalws:oidc.issuer is "https://@idp.example": an issuer holds no user name or password (user@): give the tokens\' "iss" exactly'],
    ["a clientId that is no regular expression", { ...BASE, oidc: { issuer: ISSUER, clientId: "web(" } }, 'globalws:oidc.clientId is "web(": it must be a non-empty client id (AppSync reads it as a regular expression; use the syntax Java and JavaScript read alike)'],
    ["an empty groupsClaim", { ...BASE, oidc: { issuer: ISSUER, groupsClaim: "" } }, 'globalws:oidc.groupsClaim is "": it must be the name of a token claim, e.g. "groups", not blank and with no spaces around it'],
    ["a blank groupsClaim", { ...BASE, oidc: { issuer: ISSUER, groupsClaim: " " } }, 'globalws:oidc.groupsClaim is " ": it must be the name of a token claim, e.g. "groups", not blank and with no spaces around it'],
    ["a groupsClaim with spaces around it", { ...BASE, oidc: { issuer: ISSUER, groupsClaim: "groups " } }, 'globalws:oidc.groupsClaim is "groups ": it must be the name of a token claim, e.g. "groups", not blank and with no spaces around it'],
    ["an authTtlSeconds of 0", { ...BASE, oidc: { issuer: ISSUER, authTtlSeconds: 0 } }, "globalws:oidc.authTtlSeconds is 0: it must be a whole number of seconds, at least 1 (leave it out for no limit)"],
    ["a fractional iatTtlSeconds", { ...BASE, oidc: { issuer: ISSUER, iatTtlSeconds: 1.5 } }, "globalws:oidc.iatTtlSeconds is 1.5: it must be a whole number of seconds, at least 1 (leave it out for no limit)"],
    ["rights that are no list", { ...BASE, rights: { group: "a" } }, 'globalws:rights is {"group":"a"}: it must be a list of {group, publish?, subscribe?}'],
    ["a rights entry that is no object", { ...BASE, rights: ["members"] }, 'globalws:rights[0] is "members": it must be an object {group, publish?, subscribe?}'],
    ["a rights entry without a group", { ...BASE, rights: [{ publish: ["news"] }] }, "globalws:rights[0].group is undefined: it must be a group name from the tokens' groups claim, or \"*\" for any signed-in user, not blank and with no spaces around it"],
    ["a blank group", { ...BASE, rights: [{ group: "  ", publish: ["news"] }] }, "globalws:rights[0] (group \"  \").group is \"  \": it must be a group name from the tokens' groups claim, or \"*\" for any signed-in user, not blank and with no spaces around it"],
    ["a group with spaces around it", { ...BASE, rights: [{ group: " members", publish: ["news"] }] }, "globalws:rights[0] (group \" members\").group is \" members\": it must be a group name from the tokens' groups claim, or \"*\" for any signed-in user, not blank and with no spaces around it"],
    ["an unknown rights key", { ...BASE, rights: [{ group: "a", subscibe: ["news"], publish: ["news"] }] }, 'globalws:rights[0] (group "a") has the unknown key "subscibe": the keys are group, publish, subscribe'],
    ["patterns that are no list", { ...BASE, rights: [{ group: "a", publish: "news" }] }, 'globalws:rights[0] (group "a").publish is "news": it must be a list of channel patterns'],
    ["an entry that grants nothing", { ...BASE, rights: [{ group: "a", publish: [] }] }, 'globalws:rights[0] (group "a") grants nothing: give it publish or subscribe patterns'],
    ["a * inside a pattern", { ...BASE, rights: [{ group: "a", subscribe: ["chat-*-x"] }] }, 'globalws:rights[0] (group "a").subscribe has "chat-*-x": a pattern is a channel name (1 to 64 of the characters A-Z a-z 0-9 _ . -), optionally with {sub} and a trailing * for a prefix'],
    ["another placeholder", { ...BASE, rights: [{ group: "a", subscribe: ["inbox-{email}"] }] }, 'globalws:rights[0] (group "a").subscribe has "inbox-{email}": a pattern is a channel name (1 to 64 of the characters A-Z a-z 0-9 _ . -), optionally with {sub} and a trailing * for a prefix'],
    ["a pattern too long for any channel", { ...BASE, channels: [], rights: [{ group: "a", publish: [`${"x".repeat(65)}*`] }] }, `globalws:rights[0] (group "a").publish has "${"x".repeat(65)}*": it can match no channel name of 1 to 64 of the characters A-Z a-z 0-9 _ . -`],
    ["an empty pattern", { ...BASE, rights: [{ group: "a", publish: [""] }] }, 'globalws:rights[0] (group "a").publish has "": it can match no channel name of 1 to 64 of the characters A-Z a-z 0-9 _ . -'],
    ["a channel the allowlist does not allow", { ...BASE, rights: [{ group: "b", subscribe: ["news", "secret"] }] }, 'globalws:rights[0] (group "b").subscribe has "secret": globalws:channels does not allow that channel, so the right could never be used'],
    ["a {sub} pattern no allowed channel can start like", { ...BASE, rights: [{ group: "*", subscribe: ["mail-{sub}"] }] }, 'globalws:rights[0] (group "*").subscribe has "mail-{sub}": globalws:channels allows no channel starting with "mail-", so the right could never be used'],
    ["a {sub} pattern whose fixed text is all of an allowed channel ({sub} is never empty)", { ...BASE, channels: ["a"], rights: [{ group: "*", subscribe: ["a{sub}"] }] }, 'globalws:rights[0] (group "*").subscribe has "a{sub}": globalws:channels allows no channel it can match, {sub} standing for at least one character, so the right could never be used'],
    ["a {sub} pattern whose start is all of an allowed channel", { ...BASE, channels: ["inbox-", "news"], rights: [{ group: "*", subscribe: ["inbox-{sub}"] }] }, 'globalws:rights[0] (group "*").subscribe has "inbox-{sub}": globalws:channels allows no channel it can match, {sub} standing for at least one character, so the right could never be used'],
    ["a {sub} pattern whose end no allowed channel has", { ...BASE, channels: ["team-ops"], rights: [{ group: "*", subscribe: ["team-{sub}-x"] }] }, 'globalws:rights[0] (group "*").subscribe has "team-{sub}-x": globalws:channels allows no channel it can match, {sub} standing for at least one character, so the right could never be used'],
    ["a prefix no allowed channel can start like", { ...BASE, rights: [{ group: "a", publish: ["room-*"] }] }, 'globalws:rights[0] (group "a").publish has "room-*": globalws:channels allows no channel starting with "room-", so the right could never be used'],
    ["rights without oidc", { regions: ["us-west-2"], rights: [{ group: "*", subscribe: ["news"] }] }, "globalws:rights is set but globalws:oidc is not: rights are for signed-in users, so set the issuer of their tokens"],
    ["an unknown apiKeyAccess", { ...BASE, apiKeyAccess: "read-only" }, 'globalws:apiKeyAccess is "read-only": it must be one of "publish-and-subscribe", "subscribe", "none"'],
  ];
  for (const [rule, raw, message] of cases) {
    it(`refuses ${rule}, naming the key (and the entry), the value and the rule`, () => {
      expect(problemsOf(raw)).to.deep.equal([message]);
    });
  }

  it("takes a {sub} or prefix pattern whose start some allowed channel has: through a prefix entry, either way, or an exact one", () => {
    const channels = ["inbox-*", "team-ops", "mail-alice"];
    const rights = [{ group: "*", subscribe: ["inbox-{sub}", "inbox-x-{sub}-*", "in*", "team-{sub}", "mail-{sub}", "{sub}-notes", "*"] }];
    expect(validateConfig({ ...BASE, channels, rights }).rights).to.deep.equal(rights);
    expect(validateConfig({ ...BASE, channels: [], rights: [{ group: "*", subscribe: ["anything-{sub}"] }] }).rights).to.have.length(1);
  });

  it("warns (pulumi up, npm start) when oidc has no clientId, as tokens of any app of the issuer then pass", () => {
    expect(usersConfigWarnings(validateConfig(BASE))).to.deep.equal([
      "globalws:oidc has no clientId, so AppSync accepts an ID token its issuer made for ANY of its apps, yours or not " +
        "(an issuer that serves many apps, such as Google's https://accounts.google.com, a Microsoft Entra tenant or a shared Auth0 tenant, " +
        "hands them all tokens with the same iss): set globalws:oidc.clientId to your app's client id",
    ]);
    expect(usersConfigWarnings(validateConfig({ ...BASE, oidc: { issuer: ISSUER, clientId: "web" } }))).to.deep.equal([]);
    expect(usersConfigWarnings(validateConfig({ regions: ["us-west-2"] }))).to.deep.equal([]);
  });

  it("names each bad entry of a longer list by its index and group", () => {
    const problems = problemsOf({ ...BASE, rights: [{ group: "ok", publish: ["news"] }, { group: "x", publish: ["bad name"] }, { group: "y" }] });
    expect(problems).to.deep.equal([
      'globalws:rights[1] (group "x").publish has "bad name": a pattern is a channel name (1 to 64 of the characters A-Z a-z 0-9 _ . -), optionally with {sub} and a trailing * for a prefix',
      'globalws:rights[2] (group "y") grants nothing: give it publish or subscribe patterns',
    ]);
  });
});
