import { expect } from "chai";
import * as net from "net";
import { BODY_BUDGET_BYTES } from "../../local/appsync/httpEndpoint";
import { DOCUMENT_BUDGET_CHARACTERS, MAX_QUERY_CHARACTERS, MAX_REQUEST_BYTES } from "../../local/appsync/regionalApi";
import { APPSYNC_REALTIME, MAX_REALTIME_MESSAGE_BYTES, MAX_SUBSCRIPTION_ID_CHARACTERS } from "../../local/appsync/realtimeEndpoint";
import { startLocalStack, type LocalStack } from "../../local/index";
import { MAX_DATA_BYTES } from "../../resolvers/lib/rules";
import { settledMemoryBytes } from "./memory";
import { apiKeyOf, EVERY_FIELD, graphql, PUBLISH, RealtimeClient, SUBSCRIBE_ALL, type ServerMessage, type TestAuth } from "./realtimeClient";

const MB = 1024 * 1024;
const REGIONS = ["us-west-2", "ap-southeast-2"];
/** Short timeouts so the test need not wait out the real ones. */
const TIMEOUT_MS = 300;

const subscribedId = (message: { payload?: { data?: Record<string, unknown> } }) => (message.payload?.data?.subscribe as { id?: string } | null | undefined)?.id;
const errorTypes = (message: ServerMessage | { errors?: { errorType: string | null }[] }) =>
  ("payload" in message ? message.payload?.errors : "errors" in message ? message.errors : undefined)?.map((error) => error.errorType);

/** `operation` wrapped around `selection` repeated under aliases, as long as the query limit allows when `fill` (else `count` times). */
function aliasedQuery(operation: (fields: string) => string, selection: string, { count = Infinity, fill = false } = {}): string {
  const fields: string[] = [];
  let length = operation("").length;
  for (let index = 0; index < count; index += 1) {
    const field = `a${index}: ${selection} `;
    if (fill && length + field.length > MAX_QUERY_CHARACTERS) break;
    fields.push(field);
    length += field.length;
  }
  return operation(fields.join(""));
}

/**
 * A bounded abuse run against one local stack: each attack is refused or cut off, the server's memory
 * stays bounded, and every region still serves a publish and a subscription afterwards.
 */
describe("local runtime: abuse", function () {
  let stack: LocalStack;
  let baseline: number;
  const region = (name = REGIONS[0]) => stack.outputs.regions[name];
  const key = (name = REGIONS[0]): TestAuth => ({ apiKey: apiKeyOf(region(name)) });
  const port = () => Number(new URL(region().graphqlUrl).port);
  const publish = async (channel: string, data: unknown) => {
    const { body } = await graphql(region(), key(), PUBLISH, { name: channel, data: JSON.stringify(data) });
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    return body.data?.publish as { id: string };
  };

  before(async () => {
    // The stack config's own limits (the defaults, 10 and 10); only the timeouts are shortened.
    stack = await startLocalStack({
      regions: REGIONS,
      channels: [],
      basePort: 0,
      outputsFile: null,
      log: () => {},
      firstByteTimeoutMs: TIMEOUT_MS,
      realtime: { connectionInitTimeoutMs: TIMEOUT_MS, keepAliveMs: TIMEOUT_MS },
    });
    baseline = settledMemoryBytes();
  });
  after(() => stack.stop());

  it("closes a TCP connection that sends nothing", async () => {
    const socket = net.connect(port(), "127.0.0.1");
    let received = "";
    socket.on("data", (data) => (received += data.toString()));
    await new Promise((resolve) => socket.on("close", resolve));
    expect(received).to.equal("");
  });

  it("closes a WebSocket that sends neither connection_init nor start, saying why, and keeps one that sent either, with keep-alives", async () => {
    const silent = await RealtimeClient.connect(region(), key(), false);
    const initialized = await RealtimeClient.connect(region(), key());
    // connection_init is optional on AppSync: a client may start subscribing at once.
    const started = await RealtimeClient.connect(region(), key(), false);
    expect((await started.subscribe("early", SUBSCRIBE_ALL, { name: "kept" })).type).to.equal("start_ack");
    const [code, reason] = await new Promise<[number, string]>((resolve) => silent.socket.once("close", (closeCode, closeReason) => resolve([closeCode, closeReason.toString()])));
    expect([code, reason]).to.deep.equal([4408, `Neither connection_init nor start received within ${TIMEOUT_MS / 1000} s`]);
    await started.next((message) => message.type === "ka");
    await new Promise((resolve) => setTimeout(resolve, 2 * TIMEOUT_MS));
    for (const client of [initialized, started]) {
      expect((await client.subscribe("kept", SUBSCRIBE_ALL, { name: "kept" })).type).to.equal("start_ack");
      client.close();
    }
  });

  it("refuses bodies far over the limit from callers without credentials, reading none of them", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        new Promise<string>((resolve) => {
          const socket = net.connect(port(), "127.0.0.1");
          let text = "";
          socket.on("data", (data) => (text += data.toString()));
          socket.on("close", () => resolve(text.split("\r\n")[0]));
          socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: ${100 * MAX_REQUEST_BYTES}\r\n\r\n`);
          socket.write("x".repeat(64 * 1024));
        }),
      ),
    );
    expect(new Set(answers)).to.deep.equal(new Set(["HTTP/1.1 401 Unauthorized"]));
  });

  it("takes in request bodies within one budget, answering 503 unread past it, and serves again once they end", async () => {
    const before = settledMemoryBytes();
    const held = BODY_BUDGET_BYTES / MAX_REQUEST_BYTES;
    const stalled = Buffer.alloc(MAX_REQUEST_BYTES - 1, 0x20);
    // Authenticated requests that send all of a body but its last byte, and never that.
    const sockets = Array.from({ length: held + 16 }, () => {
      const socket = net.connect(port(), "127.0.0.1");
      socket.on("error", () => {}).resume();
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nx-api-key: ${region().apiKey}\r\nContent-Length: ${MAX_REQUEST_BYTES}\r\n\r\n`);
      socket.write(stalled);
      return socket;
    });
    // The server closes the 16 it refused (their unread bodies may make that a reset, losing the answer).
    let closed = 0;
    await new Promise<void>((resolve) => sockets.forEach((socket) => socket.on("close", () => (closed += 1) === 16 && resolve())));
    // Unbounded, the 80 bodies held 80 MB.
    expect(settledMemoryBytes() - before).to.be.below(BODY_BUDGET_BYTES + 16 * MB);
    const { status, body } = await graphql(region(), key(), PUBLISH, { name: "bodies", data: "1" });
    expect(status).to.equal(503);
    expect(errorTypes(body)).to.deep.equal(["BodyBudgetExceeded"]);
    for (const socket of sockets) socket.destroy();
    // Served again as soon as the server has seen the held requests go.
    let served = await graphql(region(), key(), PUBLISH, { name: "bodies", data: "2" });
    while (served.status === 503) served = await graphql(region(), key(), PUBLISH, { name: "bodies", data: "2" });
    expect(served.body.errors).to.equal(undefined);
  });

  it("runs 10 of 350 aliased publishes in one request, and delivers those 10 only", async () => {
    const subscriber = await RealtimeClient.connect(region(), key());
    expect((await subscriber.subscribe("fan", SUBSCRIBE_ALL, { name: "fan" })).type).to.equal("start_ack");
    const fields = Array.from({ length: 350 }, (_, index) => `p${index}: publish(name: "fan", data: "${index}") { ${EVERY_FIELD} }`);
    const { body } = await graphql(region(), key(), `mutation { ${fields.join(" ")} }`);
    expect(Object.values(body.data ?? {}).filter((value) => value !== null)).to.have.length(10);
    expect(new Set(body.errors?.map((error) => error.errorType))).to.deep.equal(new Set(["ResolverExecutionLimitReached"]));
    expect(body.errors).to.have.length(340);
    const sentinel = await publish("fan", "sentinel");
    await subscriber.next((message) => subscribedId(message) === sentinel.id);
    expect(subscriber.dataFor("fan")).to.have.length(11);
    subscriber.close();
  });

  it("refuses introspection nested past the depth limit, and a query nested past the parser's stack, with error types", async () => {
    const deepOfType = `{ __schema { types { fields { type ${"{ ofType ".repeat(12)}{ name }${" }".repeat(12)} } } } }`;
    const { body: tooDeep } = await graphql(region(), key(), deepOfType);
    expect(tooDeep.errors?.map((error) => error.errorType)).to.deep.equal(["QueryDepthLimitReached"]);
    const nested = `{ ${"a{".repeat(10_000)}b${"}".repeat(10_000)} }`;
    expect(nested.length).to.be.at.most(MAX_QUERY_CHARACTERS);
    const { status, body: unparsable } = await graphql(region(), key(), nested);
    expect(status).to.equal(200);
    expect(unparsable.errors?.[0].errorType).to.be.a("string");
  });

  it("refuses queries over the query limit before parsing them, 20 at once over HTTP and 5 on one WebSocket", async () => {
    const before = settledMemoryBytes();
    // Each about 0.9 MB (within the 1 MB body limit), about 70 MB once parsed.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, query) => graphql(region(), key(), aliasedQuery((fields) => `query Large${query} { ${fields}}`, "__typename", { count: 52_000 }))),
    );
    expect(answers.map(({ status, body }) => [status, errorTypes(body)])).to.deep.equal(Array(20).fill([200, ["QueryTooLarge"]]));
    const client = await RealtimeClient.connect(region(), key());
    for (let query = 0; query < 5; query += 1) {
      // Over the query limit, within the message limit.
      const large = aliasedQuery((fields) => `subscription Large${query}($name: String!) { subscribe(name: $name) { ${fields}} }`, "name", { count: 3500 });
      expect(errorTypes(await client.subscribe(`large${query}`, large, { name: "large" }))).to.deep.equal(["QueryTooLarge"]);
    }
    client.close();
    expect(settledMemoryBytes() - before).to.be.below(32 * MB);
  });

  it("holds parsed queries within one budget, across live subscriptions and requests, sharing identical ones", async () => {
    const held = (query: number) => aliasedQuery((fields) => `subscription Held${query}($name: String!) { subscribe(name: $name) { ${fields}} }`, "name", { fill: true });
    const before = settledMemoryBytes();
    const holder = await RealtimeClient.connect(region(), key());
    const answers: ServerMessage[] = [];
    for (let query = 0; query < 100; query += 1) answers.push(await holder.subscribe(`held${query}`, held(query), { name: "held" }));
    const acknowledged = answers.filter((answer) => answer.type === "start_ack").map((answer) => answer.id as string);
    expect(acknowledged.length).to.be.within(1, DOCUMENT_BUDGET_CHARACTERS / held(0).length);
    const refused = answers.filter((answer) => answer.type === "error");
    expect(refused.map(errorTypes)).to.deep.equal(Array(100 - acknowledged.length).fill(["QueryBudgetExceeded"]));
    expect(refused[0].payload?.errors?.[0].message).to.contain(`its limit is ${DOCUMENT_BUDGET_CHARACTERS}`);
    // Unbounded, 100 such subscriptions held about 250 MB.
    expect(settledMemoryBytes() - before).to.be.below(120 * DOCUMENT_BUDGET_CHARACTERS);

    const otherLarge = aliasedQuery((fields) => `query OtherLarge { ${fields}}`, "__typename", { fill: true });
    expect(errorTypes((await graphql(region(), key(), otherLarge)).body)).to.deep.equal(["QueryBudgetExceeded"]);
    const sharing = await RealtimeClient.connect(region(), key());
    expect((await sharing.subscribe("shared", held(0), { name: "held" })).type).to.equal("start_ack");
    expect((await graphql(region(REGIONS[1]), key(REGIONS[1]), otherLarge)).body.errors).to.equal(undefined);

    // Each stop is answered once its subscription is gone, and its document with it.
    for (const id of acknowledged) holder.send({ type: "stop", id });
    await Promise.all(acknowledged.map((id) => holder.next((message) => message.id === id && message.type === "complete")));
    expect((await graphql(region(), key(), otherLarge)).body.errors).to.equal(undefined);
    holder.close();
    sharing.close();
  });

  it("keeps of a subscription only what it needs: a long id is refused, undeclared variables and the query text are not kept", async () => {
    const before = settledMemoryBytes();
    const client = await RealtimeClient.connect(region(), key());
    client.send(await client.startMessage("i".repeat(MAX_SUBSCRIPTION_ID_CHARACTERS + 1), SUBSCRIBE_ALL, { name: "lean" }));
    expect((await client.next((message) => message.type === "error")).payload?.errors).to.deep.equal([
      { errorType: "UnsupportedOperation", message: `start needs a string id of 1 to ${MAX_SUBSCRIPTION_ID_CHARACTERS} characters` },
    ]);
    expect((await client.subscribe("i".repeat(MAX_SUBSCRIPTION_ID_CHARACTERS), SUBSCRIBE_ALL, { name: "lean" })).type).to.equal("start_ack");
    // The longest query, cheap to parse (spaces); and a 28 KB variable it does not declare.
    const shared = SUBSCRIBE_ALL + " ".repeat(MAX_QUERY_CHARACTERS - SUBSCRIBE_ALL.length);
    const unused = "u".repeat(28 * 1024);
    for (let index = 0; index < 99; index += 1) {
      expect((await client.subscribe(`lean${index}`, shared, { name: "lean", unused: `${unused}${index}` })).type).to.equal("start_ack");
    }
    // Kept whole, the 99 requests would be 6 MB.
    expect(settledMemoryBytes() - before).to.be.below(2 * MB);
    client.close();
  });

  it("holds no more than the message limit for each WebSocket whose message arrives slowly, and closes one past it", async () => {
    /** Sends all but the last byte of a masked text message of `length` bytes, and never the rest. */
    const stall = (client: RealtimeClient, length: number) => {
      const header = Buffer.alloc(14);
      header.writeUInt16BE(0x81ff, 0);
      header.writeBigUInt64BE(BigInt(length), 2);
      (client.socket as unknown as { _socket: net.Socket })._socket.write(Buffer.concat([header, Buffer.alloc(length - 1, 0x20)]));
    };
    const connectMany = () => Promise.all(Array.from({ length: 100 }, () => RealtimeClient.connect(region(), key())));
    const before = settledMemoryBytes();
    const atLimit = await connectMany();
    for (const client of atLimit) stall(client, MAX_REALTIME_MESSAGE_BYTES);
    const pastLimit = await connectMany();
    for (const client of pastLimit) stall(client, 1024 * 1024);
    const closes = await Promise.all(pastLimit.map((client) => new Promise<number>((resolve) => client.socket.once("close", resolve))));
    expect(new Set(closes)).to.deep.equal(new Set([1009]));
    // With 1 MB messages taken, as before, the second hundred alone held 100 MB.
    expect(settledMemoryBytes() - before).to.be.below(100 * MAX_REALTIME_MESSAGE_BYTES + 16 * MB);
    for (const client of atLimit) client.socket.terminate();
  });

  it("delivers no payload over AppSync's 240 KB, however a subscription repeats a field, and delivers the next that fits", async () => {
    const wide = await RealtimeClient.connect(region(), key());
    const repeated = aliasedQuery((fields) => `subscription Wide($name: String!) { subscribe(name: $name) { id ${fields}} }`, "data", { count: 2000 });
    expect((await wide.subscribe("wide", repeated, { name: "wide" })).type).to.equal("start_ack");
    const whole = await RealtimeClient.connect(region(), key());
    expect((await whole.subscribe("whole", SUBSCRIBE_ALL, { name: "wide" })).type).to.equal("start_ack");
    // 2,000 copies of 200 KB would be a 400 MB payload.
    const large = await publish("wide", "x".repeat(200 * 1024));
    const small = await publish("wide", "s");
    await wide.next((message) => subscribedId(message) === small.id);
    await whole.next((message) => subscribedId(message) === small.id);
    expect(wide.dataFor("wide").map(subscribedId)).to.deep.equal([small.id]);
    expect(whole.dataFor("whole").map(subscribedId)).to.deep.equal([large.id, small.id]);
    wide.close();
    whole.close();
  });

  it("closes a client that stops reading while messages flow, with a reason, and keeps delivering to the others", async () => {
    const slow = await RealtimeClient.connect(region(), key());
    for (let index = 0; index < 20; index += 1) expect((await slow.subscribe(`s${index}`, SUBSCRIBE_ALL, { name: "flood" })).type).to.equal("start_ack");
    const reader = await RealtimeClient.connect(region(), key());
    expect((await reader.subscribe("r", SUBSCRIBE_ALL, { name: "flood" })).type).to.equal("start_ack");
    const closed = new Promise<[number, string]>((resolve) => slow.socket.once("close", (code, reason) => resolve([code, reason.toString()])));
    (slow.socket as unknown as { _socket: net.Socket })._socket.pause();

    const before = settledMemoryBytes();
    const data = "x".repeat(MAX_DATA_BYTES - 100);
    const ids: string[] = [];
    // 30 messages of ~236 KB to 20 subscriptions: 140 MB would wait for the slow client if nothing stopped it.
    for (let index = 0; index < 30; index += 1) ids.push((await publish("flood", data)).id);
    await reader.next((message) => subscribedId(message) === ids[ids.length - 1]);
    expect(reader.dataFor("r").map(subscribedId)).to.deep.equal(ids);
    expect(settledMemoryBytes() - before).to.be.below(APPSYNC_REALTIME.maxBufferedBytes + 32 * MB);

    (slow.socket as unknown as { _socket: net.Socket })._socket.resume();
    expect(await closed).to.deep.equal([1008, "Too slow: over 8 MB of messages waited to be read"]);
    expect(slow.received.filter((message) => message.type === "data").length).to.be.below(20 * ids.length);
    reader.close();
  });

  it("still serves a publish and a subscription in every region, with memory back near where it started", async () => {
    for (const name of REGIONS) {
      const subscriber = await RealtimeClient.connect(region(name), key(name));
      expect((await subscriber.subscribe("after", SUBSCRIBE_ALL, { name: "after" })).type).to.equal("start_ack");
      const { body } = await graphql(region(name), key(name), PUBLISH, { name: "after", data: JSON.stringify(name) });
      const id = (body.data?.publish as { id: string }).id;
      await subscriber.next((message) => subscribedId(message) === id);
      subscriber.close();
    }
    expect(settledMemoryBytes() - baseline).to.be.below(64 * MB);
  });
});
