import { expect } from "chai";
import type { ResolverSettings } from "../../infra/resolverBundle";
import type { DataSource } from "../../local/appsync/resolverRuntime";
import { hasRight, isPrivateChannel, matchesChannelPattern, matchesSomeSub, type ApiKeyAccess, type Right, type RightsEntry } from "../../resolvers/lib/rules";
import { acceptingHistory, API_KEY_CALLER, fakeEventBridge, HISTORY_SETTINGS, IAM_IDENTITY, run, signedIn, type RunOptions } from "./harness";

const RIGHTS: RightsEntry[] = [
  { group: "members", publish: ["chat-*"], subscribe: ["chat-*", "news"] },
  { group: "editors", publish: ["news"] },
  { group: "*", publish: ["inbox-*"], subscribe: ["inbox-{sub}", "lobby"] },
  // Grants every channel, but the allowlist still applies on top.
  { group: "auditors", subscribe: ["*"] },
];
const CHANNELS = ["chat-*", "news", "lobby", "inbox-*"];

/** Settings with history on (so history runs its query), the rights above and the given API key access. */
const settings = (apiKeyAccess: ApiKeyAccess = "publish-and-subscribe", groupsClaim = "cognito:groups"): ResolverSettings =>
  ({ ...HISTORY_SETTINGS, channels: CHANNELS, rights: RIGHTS, groupsClaim, apiKeyAccess });

/** A history data source with nothing stored: a query finds nothing, a put is stored. */
const emptyHistory: DataSource = async (request, caller) => (caller === "storeMessage" ? acceptingHistory(request, caller) : { items: [], nextToken: null });

/** Whether `caller` may use `right` on `channel`, asked of the real bundles: publish, or both subscribe and history (which must agree). */
async function allowed(right: Right, channel: string, caller: Pick<RunOptions, "identity" | "authType">, options: Partial<RunOptions> = {}): Promise<boolean> {
  const common = { settings: settings(), history: emptyHistory, ...caller, ...options };
  const outcomes = right === "publish"
    ? [await run("Mutation", "publish", { name: channel, data: 1 }, common)]
    : [await run("Subscription", "subscribe", { name: channel }, common), await run("Query", "history", { name: channel }, common)];
  const verdicts = outcomes.map((outcome) => {
    if (outcome.errors.length === 0) return true;
    expect(outcome.errors.map((e) => e.errorType), JSON.stringify(outcome.errors)).to.deep.equal(["Unauthorized"]);
    return false;
  });
  expect(new Set(verdicts).size, `${right} on ${channel}: subscribe and history disagree`).to.equal(1);
  return verdicts[0];
}

describe("rights", () => {
  describe("the pattern matcher (resolvers/lib/rules.ts)", () => {
    it("matches an exact name, a prefix, and {sub} replaced by the token's sub", () => {
      expect(matchesChannelPattern("news", "news", "a")).to.equal(true);
      expect(matchesChannelPattern("news", "news2", "a")).to.equal(false);
      expect(matchesChannelPattern("chat-*", "chat-1", "a")).to.equal(true);
      expect(matchesChannelPattern("chat-*", "chat", "a")).to.equal(false);
      expect(matchesChannelPattern("*", "anything", "a")).to.equal(true);
      expect(matchesChannelPattern("inbox-{sub}", "inbox-alice", "alice")).to.equal(true);
      expect(matchesChannelPattern("inbox-{sub}", "inbox-alice", "bob")).to.equal(false);
    });

    it("lets {sub} followed by more text reach another user's channels when subs may hold the separator (README: safe only for fixed-length subs)", () => {
      // team-{sub}-* meant "sub a-b's team channels", but sub "a" matches them too: not for free-form subs.
      expect(matchesChannelPattern("team-{sub}-*", "team-a-b-secret", "a-b")).to.equal(true);
      expect(matchesChannelPattern("team-{sub}-*", "team-a-b-secret", "a")).to.equal(true);
      // An exact {sub} at the end has no such overlap.
      expect(matchesChannelPattern("inbox-{sub}", "inbox-a-b", "a")).to.equal(false);
    });

    it("reads the trailing * before the sub goes in: a sub ending in * is no prefix", () => {
      expect(matchesChannelPattern("inbox-{sub}", "inbox-alice", "a*")).to.equal(false);
      expect(matchesChannelPattern("inbox-{sub}", "inbox-a*", "a*")).to.equal(true); // no valid channel name holds a *
    });

    it("matches nothing for an empty sub, and a sub a channel name cannot hold matches no valid name", () => {
      expect(matchesChannelPattern("inbox-{sub}", "inbox-", "")).to.equal(false);
      expect(matchesChannelPattern("inbox-{sub}*", "inbox-x", "")).to.equal(false);
      expect(matchesChannelPattern("inbox-{sub}", "inbox-auth0_1", "auth0|1")).to.equal(false);
    });

    it("finds the channels some non-empty sub makes a {sub} pattern match: a user's private channels", () => {
      expect(matchesSomeSub("inbox-{sub}", "inbox-alice")).to.equal(true);
      expect(matchesSomeSub("inbox-{sub}", "inbox-")).to.equal(false);
      expect(matchesSomeSub("inbox-{sub}", "mail-alice")).to.equal(false);
      expect(matchesSomeSub("{sub}-notes", "alice-notes")).to.equal(true);
      expect(matchesSomeSub("{sub}-notes", "-notes")).to.equal(false);
      expect(matchesSomeSub("dm-{sub}-{sub}", "dm-ab-ab")).to.equal(true);
      expect(matchesSomeSub("dm-{sub}-{sub}", "dm-ab-cd")).to.equal(false);
      expect(matchesSomeSub("team-{sub}-*", "team-a-b")).to.equal(true);
      expect(matchesSomeSub("inbox-*", "inbox-alice")).to.equal(false);
      expect(isPrivateChannel(RIGHTS, "inbox-alice")).to.equal(true);
      for (const channel of ["lobby", "news", "chat-1", "inbox-"]) expect(isPrivateChannel(RIGHTS, channel), channel).to.equal(false);
      // A {sub} pattern in a publish list makes a private channel too.
      expect(isPrivateChannel([{ group: "writers", publish: ["drafts-{sub}"] }], "drafts-bob")).to.equal(true);
    });

    it("is a union over the user's groups and `*`, whatever the order of the entries", () => {
      const reversed = [...RIGHTS].reverse();
      for (const rights of [RIGHTS, reversed]) {
        expect(hasRight(rights, ["members", "editors"], "u", "publish", "news")).to.equal(true);
        expect(hasRight(rights, ["members", "editors"], "u", "publish", "chat-1")).to.equal(true);
        expect(hasRight(rights, ["members"], "u", "publish", "news")).to.equal(false);
        expect(hasRight(rights, [], "u", "subscribe", "lobby")).to.equal(true);
        expect(hasRight(rights, [], "u", "subscribe", "news")).to.equal(false);
      }
    });
  });

  describe("in the resolvers: publish, subscribe and history", () => {
    const alice = signedIn("alice", ["members"]);
    const eddie = signedIn("eddie", ["editors"]);
    const both = signedIn("carol", ["editors", "members"]);
    const nobody = signedIn("dave");

    const matrix: [string, Pick<RunOptions, "identity" | "authType">, Right, string, boolean][] = [
      ["a member", alice, "publish", "chat-1", true],
      ["a member", alice, "subscribe", "chat-1", true],
      ["a member", alice, "subscribe", "news", true],
      ["a member", alice, "publish", "news", false],
      ["an editor", eddie, "publish", "news", true],
      ["an editor", eddie, "subscribe", "news", false],
      ["an editor", eddie, "publish", "chat-1", false],
      ["a member and editor (union)", both, "publish", "news", true],
      ["a member and editor (union)", both, "publish", "chat-1", true],
      ["a member and editor (union)", both, "subscribe", "news", true],
      ["a user in no group (*)", nobody, "subscribe", "lobby", true],
      ["a user in no group (*)", nobody, "publish", "lobby", false],
      ["a user in no group (*)", nobody, "subscribe", "chat-1", false],
      ["anyone (*, prefix)", nobody, "publish", "inbox-alice", true],
      ["the inbox's owner ({sub})", alice, "subscribe", "inbox-alice", true],
      ["another user ({sub})", eddie, "subscribe", "inbox-alice", false],
    ];
    for (const [who, caller, right, channel, expected] of matrix) {
      it(`${expected ? "lets" : "refuses"} ${who} ${right} ${channel}`, async () => {
        expect(await allowed(right, channel, caller)).to.equal(expected);
      });
    }

    it("reads groups from the configured claim", async () => {
      const custom = { settings: settings("publish-and-subscribe", "groups") };
      expect(await allowed("publish", "news", signedIn("e", ["editors"], "groups"), custom)).to.equal(true);
      expect(await allowed("publish", "news", signedIn("e", ["editors"], "cognito:groups"), custom)).to.equal(false);
    });

    it("reads a groups claim that is one string as that one group, and one of another type as no group", async () => {
      const withClaim = (value: unknown) => {
        const caller = signedIn("e");
        const identity = caller.identity as { claims: Record<string, unknown> };
        return { ...caller, identity: { ...identity, claims: { ...identity.claims, "cognito:groups": value } } };
      };
      expect(await allowed("publish", "news", withClaim("editors"))).to.equal(true);
      expect(await allowed("publish", "news", withClaim("members"))).to.equal(false);
      for (const value of [{ editors: true }, 7, null, [7, null]]) {
        expect(await allowed("publish", "news", withClaim(value)), JSON.stringify(value)).to.equal(false);
      }
    });

    it("refuses every right to an auth mode it does not know (fails closed)", async () => {
      for (const authType of ["Amazon Cognito User Pools Authorization", "Lambda Authorization", ""]) {
        const caller = { ...signedIn("alice", ["members"]), authType };
        expect(await allowed("publish", "chat-1", caller), authType).to.equal(false);
        expect(await allowed("subscribe", "lobby", caller), authType).to.equal(false);
      }
    });

    it("keeps the allowlist on top of the rights: a right to every channel does not open one off the list", async () => {
      const auditor = signedIn("audrey", ["auditors"]);
      expect(await allowed("subscribe", "chat-9", auditor)).to.equal(true);
      const outcome = await run("Subscription", "subscribe", { name: "secret" }, { settings: settings(), ...auditor });
      expect(outcome.errors.map((e) => e.errorType)).to.deep.equal(["ChannelNotAllowed"]);
    });

    it("refuses with errorType Unauthorized and a message naming the channel and the right, and puts nothing on the bus", async () => {
      const bus = fakeEventBridge();
      const published = await run("Mutation", "publish", { name: "news", data: 1 }, { settings: settings(), dataSource: bus.dataSource, ...alice });
      expect(published.result).to.equal(null);
      expect(published.errors).to.have.length(1);
      expect(published.errors[0].errorType).to.equal("Unauthorized");
      expect(published.errors[0].message).to.contain('publish to channel "news"');
      expect(bus.requests).to.deep.equal([]);
      const subscribed = await run("Subscription", "subscribe", { name: "inbox-alice" }, { settings: settings(), ...eddie });
      expect(subscribed.errors[0].message).to.contain('subscribe to channel "inbox-alice"');
      const read = await run("Query", "history", { name: "inbox-alice" }, { settings: settings(), history: emptyHistory, ...eddie });
      expect(read.errors[0].message).to.contain('subscribe to channel "inbox-alice"');
    });

    it("lets IAM do everything, whatever the rights say", async () => {
      const iam = { identity: IAM_IDENTITY };
      for (const channel of ["news", "inbox-alice", "chat-1"]) {
        expect(await allowed("publish", channel, iam), channel).to.equal(true);
        expect(await allowed("subscribe", channel, iam), channel).to.equal(true);
      }
    });

    const keyModes: [ApiKeyAccess, boolean, boolean][] = [
      ["publish-and-subscribe", true, true],
      ["subscribe", false, true],
      ["none", false, false],
    ];
    for (const [access, mayPublish, maySubscribe] of keyModes) {
      it(`gives the API key, with apiKeyAccess ${access}, ${mayPublish ? "publish" : "no publish"} and ${maySubscribe ? "subscribe and history" : "no subscribe or history"}, on any allowed channel no {sub} pattern names`, async () => {
        const options = { settings: settings(access) };
        expect(await allowed("publish", "news", API_KEY_CALLER, options)).to.equal(mayPublish);
        expect(await allowed("publish", "inbox-alice", API_KEY_CALLER, options)).to.equal(mayPublish);
        expect(await allowed("subscribe", "lobby", API_KEY_CALLER, options)).to.equal(maySubscribe);
        expect(await allowed("subscribe", "inbox-", API_KEY_CALLER, options)).to.equal(maySubscribe);
      });
    }

    it("never lets the API key subscribe to or read the history of a channel a {sub} pattern names (publish or subscribe list), whatever apiKeyAccess", async () => {
      const rights: RightsEntry[] = [...RIGHTS, { group: "writers", publish: ["news-{sub}"] }];
      const channels = [...CHANNELS, "news-*"];
      for (const access of ["publish-and-subscribe", "subscribe"] as const) {
        const options = { settings: { ...settings(access), rights, channels } };
        for (const channel of ["inbox-alice", "news-bob"]) {
          expect(await allowed("subscribe", channel, API_KEY_CALLER, options), `${access} ${channel}`).to.equal(false);
          const read = await run("Query", "history", { name: channel }, { ...options, history: emptyHistory, ...API_KEY_CALLER });
          expect(read.errors[0].message).to.equal(`Not allowed to subscribe to channel "${channel}" with the API key: a {sub} pattern of globalws:rights makes it a user's private channel.`);
        }
        expect(await allowed("subscribe", "lobby", API_KEY_CALLER, options), access).to.equal(true);
      }
      // The owner keeps her rights, and IAM every right.
      expect(await allowed("subscribe", "inbox-alice", signedIn("alice"), { settings: { ...settings("subscribe"), rights, channels } })).to.equal(true);
      expect(await allowed("subscribe", "news-bob", { identity: IAM_IDENTITY }, { settings: { ...settings("subscribe"), rights, channels } })).to.equal(true);
    });
  });

  describe("sender", () => {
    const publish = (options: Partial<RunOptions>, args: Record<string, unknown> = {}) => {
      const bus = fakeEventBridge();
      return run("Mutation", "publish", { name: "chat-1", data: 1, ...args }, { settings: settings(), dataSource: bus.dataSource, history: emptyHistory, ...options }).then((outcome) => ({ outcome, event: bus.requests[0]?.events[0] }));
    };

    it("is the token's sub for a signed-in user, on the message returned and on the bus", async () => {
      const { outcome, event } = await publish(signedIn("alice", ["members"]));
      expect(outcome.errors).to.deep.equal([]);
      expect(outcome.result).to.include({ sender: "alice" });
      expect(event.detail.sender).to.equal("alice");
    });

    it("is iam: and the caller's ARN for IAM, and null for the API key (no sender on the bus)", async () => {
      expect((await publish({ identity: IAM_IDENTITY })).outcome.result).to.include({ sender: `iam:${IAM_IDENTITY.userArn}` });
      const { outcome, event } = await publish(API_KEY_CALLER);
      expect(outcome.result).to.include({ sender: null });
      expect(event.detail).not.to.have.property("sender");
    });

    it("refuses to publish with a token whose sub is missing, empty or starts with iam: (subscribers could not tell it from IAM), and puts nothing", async () => {
      const anyone = { ...settings(), rights: [{ group: "*", publish: ["chat-*"], subscribe: ["chat-*"] }] };
      for (const sub of [undefined, null, "", "iam:arn:aws:iam::000000000000:user/admin"]) {
        const caller = signedIn("placeholder");
        const { claims } = caller.identity as { claims: Record<string, unknown> };
        const identity = { issuer: "https://issuer.example", claims: { ...claims, sub }, ...(sub === undefined ? {} : { sub }) };
        const { outcome, event } = await publish({ ...caller, identity, settings: anyone });
        expect(outcome.errors.map((e) => e.errorType), String(sub)).to.deep.equal(["Unauthorized"]);
        expect(outcome.errors[0].message).to.contain('its sub must be present and must not start with "iam:"');
        expect(event, String(sub)).to.equal(undefined);
      }
      // Reading is not affected: the sender is what subscribers must be able to trust.
      const reader = { ...signedIn("placeholder"), identity: { issuer: "https://issuer.example", claims: {}, sub: "iam:x" } };
      expect((await run("Subscription", "subscribe", { name: "chat-1" }, { ...reader, settings: anyone })).errors).to.deep.equal([]);
    });

    it("never comes from the arguments", async () => {
      for (const caller of [signedIn("alice", ["members"]), API_KEY_CALLER, { identity: IAM_IDENTITY }]) {
        const { outcome, event } = await publish(caller, { sender: "mallory" });
        expect(outcome.result).not.to.include({ sender: "mallory" });
        expect(event.detail.sender).not.to.equal("mallory");
      }
    });

    it("travels with the message: publishFromBus delivers the sender the bus carried, or null", async () => {
      const message = { name: "cars", data: 1, id: "m-1", origin: "ap-southeast-2", publishedAt: "2026-11-25T10:00:00.000Z" };
      expect((await run("Mutation", "publishFromBus", { ...message, sender: "alice" })).result).to.include({ sender: "alice" });
      expect((await run("Mutation", "publishFromBus", { ...message, sender: null })).result).to.include({ sender: null });
    });
  });
});
