import { expect } from "chai";
import { mintLocalToken, startLocalStack, type LocalStack } from "../../local/index";
import { apiKeyOf, graphql, HISTORY, PUBLISH, RealtimeClient, SUBSCRIBE_ALL } from "./realtimeClient";

// Review of issue 10 (users, not keys), found by revB: fails until fixed.
describe("review revB: the README's users example on the local runtime", function () {
  let stack: LocalStack;
  before(async () => {
    // README "Users and rights": a private inbox each, and a read-only API key for the public feed.
    stack = await startLocalStack({
      regions: ["us-west-2"],
      channels: ["lobby", "chat-*", "inbox-*", "news"],
      basePort: 0,
      outputsFile: null,
      oidc: { clientId: "web", groupsClaim: "cognito:groups" },
      rights: [
        { group: "*", subscribe: ["lobby", "inbox-{sub}"], publish: ["inbox-*"] },
        { group: "members", publish: ["chat-*"], subscribe: ["chat-*", "news"] },
      ],
      apiKeyAccess: "subscribe",
      log: () => {},
    });
  });
  after(() => stack.stop());

  it("keeps alice's inbox private from the API key that every visitor of the page holds", async () => {
    const endpoints = stack.outputs.regions["us-west-2"];
    const bob = { token: await mintLocalToken(stack.outputs, { sub: "bob" }) };
    const sent = await graphql(endpoints, bob, PUBLISH, { name: "inbox-alice", data: JSON.stringify("psst, alice") });
    expect(sent.body.errors, JSON.stringify(sent.body.errors)).to.equal(undefined);

    const key = { apiKey: apiKeyOf(endpoints) };
    const read = await graphql(endpoints, key, HISTORY, { name: "inbox-alice" });
    const leaked = (read.body.data as { history?: { items: { data: string }[] } } | null)?.history?.items ?? [];
    expect(leaked.map((item) => item.data), "history of inbox-alice read with the API key").to.deep.equal([]);
    expect(read.body.errors?.[0], "history of inbox-alice with the API key").to.include({ errorType: "Unauthorized" });

    const eavesdropper = await RealtimeClient.connect(endpoints, key);
    try {
      const start = await eavesdropper.subscribe("peek", SUBSCRIBE_ALL, { name: "inbox-alice" });
      expect(start.type, "subscribe to inbox-alice with the API key").to.equal("error");
    } finally {
      eavesdropper.close();
    }
  });
});
