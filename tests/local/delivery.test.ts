import { expect } from "chai";
import { startLocalStack, type LocalStack } from "../../local/index";
import { apiKeyOf, graphql, PUBLISH, RealtimeClient, SUBSCRIBE_ALL, type TestAuth } from "./realtimeClient";

const TRICKY = { text: "quote \" backslash \\ newline \n tab \t", unicode: "héllo ✓ 日本語 🚀", nested: [1, null, { deep: "'single'" }] };

describe("local runtime: delivery across regions", function () {
  let stack: LocalStack;
  const clients: RealtimeClient[] = [];
  const region = (name: string) => stack.outputs.regions[name];
  const key = (name: string): TestAuth => ({ apiKey: apiKeyOf(region(name)) });
  const connect = async (name: string) => {
    const client = await RealtimeClient.connect(region(name), key(name));
    clients.push(client);
    return client;
  };
  const publish = async (name: string, channel: string, data: unknown) => {
    const { body } = await graphql(region(name), key(name), PUBLISH, { name: channel, data: JSON.stringify(data) });
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    return body.data?.publish as { id: string };
  };
  /** Publishes a sentinel after the message under test and waits for it: whatever came before it has arrived. */
  const settle = async (client: RealtimeClient, id: string, from: string, channel: string) => {
    const sentinel = await publish(from, channel, { sentinel: true });
    await client.next((message) => message.id === id && (message.payload?.data?.subscribe as { id?: string } | undefined)?.id === sentinel.id);
  };

  before(async () => {
    stack = await startLocalStack({ regions: ["us-west-2", "ap-southeast-2", "eu-west-1"], channels: ["cars", "robots"], basePort: 0, outputsFile: null, log: () => {} });
  });
  after(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });

  it("delivers a message published in A to a subscriber in B exactly once, with origin A and the data unchanged", async () => {
    const subscriber = await connect("ap-southeast-2");
    expect((await subscriber.subscribe("b1", SUBSCRIBE_ALL, { name: "cars" })).type).to.equal("start_ack");
    const published = await publish("us-west-2", "cars", TRICKY);
    await settle(subscriber, "b1", "us-west-2", "cars");
    const messages = subscriber.dataFor("b1").filter((message) => (message.payload?.data?.subscribe as { id: string }).id === published.id);
    expect(messages).to.have.length(1);
    const channel = messages[0].payload?.data?.subscribe as Record<string, string>;
    expect(channel.origin).to.equal("us-west-2");
    expect(channel.name).to.equal("cars");
    expect(JSON.parse(channel.data)).to.deep.equal(TRICKY);
  });

  it("delivers to every region exactly once, the origin's own subscribers included", async () => {
    const names = ["us-west-2", "ap-southeast-2", "eu-west-1"];
    const subscribers = await Promise.all(names.map(connect));
    for (const [index, client] of subscribers.entries()) {
      expect((await client.subscribe(`all${index}`, SUBSCRIBE_ALL, { name: "robots" })).type).to.equal("start_ack");
    }
    const published = await publish("eu-west-1", "robots", { n: 1 });
    for (const [index, client] of subscribers.entries()) {
      await settle(client, `all${index}`, "eu-west-1", "robots");
      const copies = client.dataFor(`all${index}`).filter((message) => (message.payload?.data?.subscribe as { id: string }).id === published.id);
      expect(copies, names[index]).to.have.length(1);
      expect((copies[0].payload?.data?.subscribe as { origin: string }).origin).to.equal("eu-west-1");
    }
  });

  it("sends each subscriber only the fields its selection set asks for, aliases included", async () => {
    const subscriber = await connect("us-west-2");
    const query = "subscription Few($name: String!) { subscribe(name: $name) { from: origin data } }";
    expect((await subscriber.subscribe("few", query, { name: "cars" })).type).to.equal("start_ack");
    await publish("ap-southeast-2", "cars", "just text");
    const message = await subscriber.next((candidate) => candidate.id === "few" && candidate.type === "data");
    expect(message.payload?.data).to.deep.equal({ subscribe: { from: "ap-southeast-2", data: "\"just text\"" } });
  });

  it("delivers only the subscribed channel's messages", async () => {
    const subscriber = await connect("eu-west-1");
    await subscriber.subscribe("carsOnly", SUBSCRIBE_ALL, { name: "cars" });
    await publish("us-west-2", "robots", { other: true });
    await settle(subscriber, "carsOnly", "us-west-2", "cars");
    const names = subscriber.dataFor("carsOnly").map((message) => (message.payload?.data?.subscribe as { name: string }).name);
    expect(names).to.deep.equal(["cars"]);
  });

  it("stops delivering after stop, answering complete", async () => {
    const subscriber = await connect("us-west-2");
    await subscriber.subscribe("brief", SUBSCRIBE_ALL, { name: "cars" });
    subscriber.send({ type: "stop", id: "brief" });
    await subscriber.next((message) => message.id === "brief" && message.type === "complete");
    await subscriber.subscribe("watch", SUBSCRIBE_ALL, { name: "cars" });
    await publish("us-west-2", "cars", { after: "stop" });
    await settle(subscriber, "watch", "us-west-2", "cars");
    expect(subscriber.dataFor("brief")).to.have.length(0);
  });
});
