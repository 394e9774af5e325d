import { expect } from "chai";
import { startLocalStack, type LocalStack } from "../../local/index";
import { apiKeyOf, graphql, PUBLISH, RealtimeClient, SUBSCRIBE_ALL, type TestAuth } from "./realtimeClient";

const UNSUBSCRIBE = "mutation Unsub($name: String!) { unsubscribe(name: $name) { name origin } }";

describe("local runtime: forced unsubscribe", function () {
  let stack: LocalStack;
  const regions = ["us-west-2", "ap-southeast-2", "eu-central-1"];
  const clients: RealtimeClient[] = [];
  const endpoints = (name: string) => stack.outputs.regions[name];
  const iam = (name: string): TestAuth => ({ iam: stack.outputs.credentials, region: name });

  before(async () => {
    stack = await startLocalStack({ regions, channels: [], basePort: 0, outputsFile: null, log: () => {} });
  });
  after(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });

  it("with IAM in one region ends that channel's subscriptions in every region and tells the clients", async () => {
    for (const name of regions) {
      const client = await RealtimeClient.connect(endpoints(name), { apiKey: apiKeyOf(endpoints(name)) });
      clients.push(client);
      expect((await client.subscribe("doomed", SUBSCRIBE_ALL, { name: "closing" })).type).to.equal("start_ack");
      expect((await client.subscribe("kept", SUBSCRIBE_ALL, { name: "staying" })).type).to.equal("start_ack");
    }
    const { status, body } = await graphql(endpoints("ap-southeast-2"), iam("ap-southeast-2"), UNSUBSCRIBE, { name: "closing" });
    expect(status).to.equal(200);
    expect(body).to.deep.equal({ data: { unsubscribe: { name: "closing", origin: "ap-southeast-2" } } });
    for (const client of clients) await client.next((message) => message.id === "doomed" && message.type === "complete");

    // The ended subscriptions get nothing more; the other channel still flows.
    const published = await graphql(endpoints("us-west-2"), { apiKey: apiKeyOf(endpoints("us-west-2")) }, PUBLISH, { name: "closing", data: "1" });
    const sentinel = await graphql(endpoints("us-west-2"), { apiKey: apiKeyOf(endpoints("us-west-2")) }, PUBLISH, { name: "staying", data: "2" });
    expect(published.body.errors).to.equal(undefined);
    const sentinelId = (sentinel.body.data?.publish as { id: string }).id;
    for (const client of clients) {
      await client.next((message) => message.id === "kept" && (message.payload?.data?.subscribe as { id?: string } | undefined)?.id === sentinelId);
      expect(client.dataFor("doomed")).to.have.length(0);
    }
  });

  it("with an API key is refused as AppSync refuses an IAM-only field", async () => {
    const { status, body } = await graphql(endpoints("us-west-2"), { apiKey: apiKeyOf(endpoints("us-west-2")) }, UNSUBSCRIBE, { name: "any" });
    expect(status).to.equal(200);
    expect(body.data).to.deep.equal({ unsubscribe: null });
    expect(body.errors?.[0]).to.include({ errorType: "Unauthorized", message: "Not Authorized to access unsubscribe on type Mutation" });
  });

  it("refuses publishFromBus to API key callers", async () => {
    const query = "mutation { publishFromBus(name: \"a\", data: \"1\", id: \"x\", origin: \"eu-central-1\", publishedAt: \"2024-01-01T00:00:00Z\") { id } }";
    const { body } = await graphql(endpoints("us-west-2"), { apiKey: apiKeyOf(endpoints("us-west-2")) }, query);
    expect(body.errors?.[0]).to.include({ errorType: "Unauthorized", message: "Not Authorized to access publishFromBus on type Mutation" });
  });
});
