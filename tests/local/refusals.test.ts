import { expect } from "chai";
import { startLocalStack, type LocalStack } from "../../local/index";
import { graphql, PUBLISH, RealtimeClient, SUBSCRIBE_ALL, type TestAuth } from "./realtimeClient";

describe("local runtime: refused messages and subscriptions", function () {
  let stack: LocalStack;
  let subscriber: RealtimeClient;
  const region = () => stack.outputs.regions["us-west-2"];
  const key = (): TestAuth => ({ apiKey: region().apiKey });

  before(async () => {
    stack = await startLocalStack({ regions: ["us-west-2", "ap-southeast-2"], channels: ["cars", "tech*"], basePort: 0, outputsFile: null, log: () => {} });
    subscriber = await RealtimeClient.connect(stack.outputs.regions["ap-southeast-2"], { apiKey: stack.outputs.regions["ap-southeast-2"].apiKey });
    expect((await subscriber.subscribe("watch", SUBSCRIBE_ALL, { name: "cars" })).type).to.equal("start_ack");
  });
  after(async () => {
    subscriber.close();
    await stack.stop();
  });

  it("refuses to publish on a channel outside the allowlist, naming the allowed ones", async () => {
    const { body } = await graphql(region(), key(), PUBLISH, { name: "boats", data: "{}" });
    expect(body.data).to.deep.equal({ publish: null });
    expect(body.errors?.[0]).to.include({ errorType: "ChannelNotAllowed" });
    expect(body.errors?.[0].message).to.contain("boats").and.contain("cars, tech*");
    expect(body.errors?.[0].path).to.deep.equal(["publish"]);
  });

  it("refuses to subscribe to a channel outside the allowlist", async () => {
    const client = await RealtimeClient.connect(region(), key());
    const answer = await client.subscribe("nope", SUBSCRIBE_ALL, { name: "boats" });
    expect(answer.type).to.equal("error");
    expect(answer.payload?.errors?.[0]).to.include({ errorType: "ChannelNotAllowed" });
    expect((await client.subscribe("prefix", SUBSCRIBE_ALL, { name: "tech-news" })).type).to.equal("start_ack");
    client.close();
  });

  it("refuses data that is not JSON, saying so", async () => {
    const { body } = await graphql(region(), key(), PUBLISH, { name: "cars", data: "{not json" });
    expect(body.data ?? null).to.equal(null);
    expect(body.errors?.[0].message).to.contain("Unable to parse").and.contain("valid JSON");
  });

  it("refuses data over 240 KB with the size and the limit", async () => {
    const { body } = await graphql(region(), key(), PUBLISH, { name: "cars", data: JSON.stringify("x".repeat(240 * 1024)) });
    expect(body.errors?.[0]).to.include({ errorType: "MessageTooLarge" });
    expect(body.errors?.[0].message).to.contain(`${240 * 1024 + 2} bytes`).and.contain("240 KB");
  });

  it("refuses a malformed channel name on subscribe", async () => {
    const client = await RealtimeClient.connect(region(), key());
    const answer = await client.subscribe("bad", SUBSCRIBE_ALL, { name: "no spaces allowed" });
    expect(answer.payload?.errors?.[0]).to.include({ errorType: "InvalidChannelName" });
    client.close();
  });

  it("delivers none of the refused messages", async () => {
    const { body } = await graphql(region(), key(), PUBLISH, { name: "cars", data: JSON.stringify({ sentinel: true }) });
    const sentinelId = (body.data?.publish as { id: string }).id;
    await subscriber.next((message) => (message.payload?.data?.subscribe as { id?: string } | undefined)?.id === sentinelId);
    expect(subscriber.dataFor("watch")).to.have.length(1);
  });
});
