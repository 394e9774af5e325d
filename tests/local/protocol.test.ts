import { expect } from "chai";
import * as net from "net";
import { MAX_REALTIME_MESSAGE_BYTES } from "../../local/appsync/realtimeEndpoint";
import { startLocalStack, type LocalStack } from "../../local/index";
import { apiKeyOf, graphql, PUBLISH, RealtimeClient, SUBSCRIBE_ALL } from "./realtimeClient";

describe("local runtime: real-time protocol", function () {
  let stack: LocalStack;
  const endpoints = () => stack.outputs.regions["us-west-2"];
  const key = () => ({ apiKey: apiKeyOf(endpoints()) });
  const errorOf = (client: RealtimeClient, from: number) => client.next((message) => message.type === "error" && client.received.indexOf(message) >= from);

  before(async () => {
    stack = await startLocalStack({ regions: ["us-west-2"], channels: [], basePort: 0, outputsFile: null, log: () => {} });
  });
  after(() => stack.stop());

  /** The connection still works: a new subscription gets a published message. */
  async function stillServes(client: RealtimeClient, id: string) {
    expect((await client.subscribe(id, SUBSCRIBE_ALL, { name: id })).type).to.equal("start_ack");
    await graphql(endpoints(), key(), PUBLISH, { name: id, data: "true" });
    await client.next((message) => message.id === id && message.type === "data");
  }

  it("acknowledges connection_init with AppSync's timeout and a first ka", async () => {
    const client = await RealtimeClient.connect(endpoints(), key());
    expect(client.received[0]).to.deep.equal({ type: "connection_ack", payload: { connectionTimeoutMs: 300000 } });
    await client.next((message) => message.type === "ka");
    client.close();
  });

  it("answers a malformed frame and an unknown message type with UnsupportedOperation, and lives on", async () => {
    const client = await RealtimeClient.connect(endpoints(), key());
    let from = client.received.length;
    client.send("{this is not json");
    expect((await errorOf(client, from)).payload?.errors?.[0]).to.deep.equal({ errorType: "UnsupportedOperation", message: "unknown not supported through the realtime channel" });
    from = client.received.length;
    client.send({ type: "subscribe_please", id: "x" });
    expect((await errorOf(client, from)).payload?.errors?.[0]).to.deep.equal({ errorType: "UnsupportedOperation", message: "subscribe_please not supported through the realtime channel" });
    await stillServes(client, "alive1");
    client.close();
  });

  it(`closes a connection that sends a message over ${MAX_REALTIME_MESSAGE_BYTES} bytes (1009), and keeps serving the others`, async () => {
    const other = await RealtimeClient.connect(endpoints(), key());
    const huge = await RealtimeClient.connect(endpoints(), key());
    huge.send("x".repeat(MAX_REALTIME_MESSAGE_BYTES + 1));
    expect(await new Promise((resolve) => huge.socket.once("close", resolve))).to.equal(1009);
    await stillServes(other, "after-huge-frame");
    other.close();
  });

  it("answers an upgrade whose request target is not a URL with an error status, and serves on", async () => {
    const { port } = new URL(endpoints().graphqlUrl);
    const socket = net.connect(Number(port), "127.0.0.1");
    socket.write("GET http://[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-ws\r\n\r\n");
    const answer = await new Promise<string>((resolve) => socket.once("data", (data) => resolve(data.toString())));
    expect(answer.split("\r\n")[0]).to.equal("HTTP/1.1 500 Internal Server Error");
    socket.destroy();
    const client = await RealtimeClient.connect(endpoints(), key());
    await stillServes(client, "after-bad-url");
    client.close();
  });

  it("refuses a duplicate subscription id with DuplicatedOperationError and keeps the first", async () => {
    const client = await RealtimeClient.connect(endpoints(), key());
    expect((await client.subscribe("same", SUBSCRIBE_ALL, { name: "dup" })).type).to.equal("start_ack");
    const from = client.received.length;
    client.send(await client.startMessage("same", SUBSCRIBE_ALL, { name: "dup" }));
    const error = await errorOf(client, from);
    expect(error).to.deep.equal({ type: "error", id: "same", payload: { errors: [{ errorType: "DuplicatedOperationError", message: "Duplicated operation with id same" }] } });
    await graphql(endpoints(), key(), PUBLISH, { name: "dup", data: "1" });
    await client.next((message) => message.id === "same" && message.type === "data");
    client.close();
  });

  it("keeps only the second subscription when a start is stopped and started again with its id before it was acknowledged", async () => {
    const client = await RealtimeClient.connect(endpoints(), key());
    const start = await client.startMessage("again", SUBSCRIBE_ALL, { name: "again" });
    client.send(start);
    client.send({ type: "stop", id: "again" });
    client.send(start);
    await client.next((message) => message.id === "again" && message.type === "start_ack");
    await graphql(endpoints(), key(), PUBLISH, { name: "again", data: "1" });
    // Frames arrive in order: once the stop's complete is here, every data message sent before it is too.
    const from = client.received.length;
    client.send({ type: "stop", id: "again" });
    await client.next((message) => message.id === "again" && message.type === "complete" && client.received.indexOf(message) >= from);
    expect(client.dataFor("again")).to.have.length(1);
    client.close();
  });

  it("serves a start sent without connection_init (AppSync makes it optional), and acknowledges a connection_init sent later", async () => {
    const client = await RealtimeClient.connect(endpoints(), key(), false);
    await stillServes(client, "early");
    client.send({ type: "connection_init" });
    expect((await client.next((message) => message.type === "connection_ack")).payload).to.deep.equal({ connectionTimeoutMs: 300000 });
    await stillServes(client, "late");
    client.close();
  });

  it("gives the 101st subscription on a connection MaxSubscriptionsReachedError", async () => {
    const client = await RealtimeClient.connect(endpoints(), key());
    const acks = await Promise.all(Array.from({ length: 100 }, async (_, index) => (await client.subscribe(`s${index}`, SUBSCRIBE_ALL, { name: "many" })).type));
    expect(new Set(acks)).to.deep.equal(new Set(["start_ack"]));
    const refused = await client.subscribe("s100", SUBSCRIBE_ALL, { name: "many" });
    expect(refused).to.deep.equal({ type: "error", id: "s100", payload: { errors: [{ errorType: "MaxSubscriptionsReachedError", message: "Max number of 100 subscriptions reached" }] } });
    client.send({ type: "stop", id: "s0" });
    await client.next((message) => message.id === "s0" && message.type === "complete");
    expect((await client.subscribe("s101", SUBSCRIBE_ALL, { name: "many" })).type).to.equal("start_ack");
    client.close();
  });

  it("refuses a query or an invalid document on the real-time channel with AppSync's errors", async () => {
    const client = await RealtimeClient.connect(endpoints(), key());
    const query = await client.subscribe("q", "query { channels }");
    expect(query.payload?.errors?.[0]).to.include({ errorType: "UnsupportedOperation", message: "query not supported through the realtime channel" });
    const invalid = await client.subscribe("v", "subscription { subscribe(name: \"x\") { nope } }");
    expect(invalid.payload?.errors?.[0].message).to.contain("nope");
    await stillServes(client, "after-errors");
    client.close();
  });
});
