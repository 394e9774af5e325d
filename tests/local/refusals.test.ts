import { expect } from "chai";
import { startLocalStack, type LocalStack } from "../../local/index";
import { MAX_DATA_BYTES, SUBSCRIPTION_PAYLOAD_BYTES } from "../../resolvers/lib/rules";
import { apiKeyOf, graphql, PUBLISH, RealtimeClient, SUBSCRIBE_ALL, type TestAuth } from "./realtimeClient";

describe("local runtime: refused messages and subscriptions", function () {
  let stack: LocalStack;
  let subscriber: RealtimeClient;
  const region = () => stack.outputs.regions["us-west-2"];
  const key = (): TestAuth => ({ apiKey: apiKeyOf(region()) });

  before(async () => {
    stack = await startLocalStack({ regions: ["us-west-2", "ap-southeast-2"], channels: ["cars", "tech*"], basePort: 0, outputsFile: null, log: () => {} });
    subscriber = await RealtimeClient.connect(stack.outputs.regions["ap-southeast-2"], { apiKey: apiKeyOf(stack.outputs.regions["ap-southeast-2"]) });
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

  it("refuses data over the limit with the size and the limit", async () => {
    const { body } = await graphql(region(), key(), PUBLISH, { name: "cars", data: JSON.stringify("x".repeat(MAX_DATA_BYTES)) });
    expect(body.errors?.[0]).to.include({ errorType: "MessageTooLarge" });
    expect(body.errors?.[0].message).to.contain(`${MAX_DATA_BYTES + 6} bytes`).and.contain(`limit is ${MAX_DATA_BYTES} bytes`).and.contain("240 KB");
  });

  it("carries quote-heavy data at the limit on the longest channel name across regions, each payload within 240 KB", async () => {
    // 6 bytes for the string's quotes, 4 for each quote or backslash, 1 for each "a" (see the publish tests).
    const quotes = Math.floor((MAX_DATA_BYTES - 6) / 8);
    const data = '"\\'.repeat(quotes) + "a".repeat(MAX_DATA_BYTES - 6 - quotes * 8);
    const name = `tech${"x".repeat(60)}`;
    const local = await RealtimeClient.connect(region(), key());
    expect((await local.subscribe("near", SUBSCRIBE_ALL, { name })).type).to.equal("start_ack");
    expect((await subscriber.subscribe("far", SUBSCRIBE_ALL, { name })).type).to.equal("start_ack");
    const { body } = await graphql(region(), key(), PUBLISH, { name, data: JSON.stringify(data) });
    expect(body.errors).to.equal(undefined);
    for (const [client, id] of [[local, "near"], [subscriber, "far"]] as const) {
      const frame = await client.nextFrame((message) => message.id === id && message.type === "data");
      const payload = frame.slice(frame.indexOf('"payload":') + '"payload":'.length, -1);
      expect(JSON.parse(JSON.parse(payload).data.subscribe.data)).to.equal(data);
      expect(Buffer.byteLength(payload)).to.be.at.most(SUBSCRIPTION_PAYLOAD_BYTES);
    }
    local.close();
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
