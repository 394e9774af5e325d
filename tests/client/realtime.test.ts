import { expect } from "chai";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { requestSigner } from "../../client/lib/auth";
import { nodeTransport } from "../../client/lib/nodeTransport";
import { RealtimeConnection } from "../../client/lib/realtime";

interface ClientMessage {
  type: string;
  id?: string;
  payload?: { data: string; extensions: { authorization: Record<string, string> } };
}

/** How the scripted server answers. */
interface Script {
  connectionTimeoutMs: number;
  /** Refuse every `start` with these errors. */
  startErrors?: { errorType: string; message: string }[];
}

/** A scripted AppSync real-time server: records what the client sends, answers as told. */
class ScriptedServer {
  readonly received: ClientMessage[] = [];
  handshake?: { protocol: string; header: unknown };
  private socket?: WebSocket;
  private tcp?: Socket;
  private readonly server: WebSocketServer;

  private constructor(private readonly script: Script) {
    this.server = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: (protocols) => [...protocols][0] });
    this.server.on("connection", (socket, request) => {
      const header = new URL(request.url ?? "", "ws://x").searchParams.get("header") ?? "";
      this.handshake = { protocol: socket.protocol, header: JSON.parse(Buffer.from(header, "base64").toString()) };
      this.socket = socket;
      this.tcp = request.socket;
      socket.on("message", (raw) => {
        const message = JSON.parse(raw.toString()) as ClientMessage;
        this.received.push(message);
        if (message.type === "connection_init") {
          this.send({ type: "connection_ack", payload: { connectionTimeoutMs: this.script.connectionTimeoutMs } });
        }
        if (message.type === "start") {
          const { startErrors } = this.script;
          this.send(startErrors ? { type: "error", id: message.id, payload: { errors: startErrors } } : { type: "start_ack", id: message.id });
        }
      });
    });
  }

  static async start(script: Script): Promise<ScriptedServer> {
    const scripted = new ScriptedServer(script);
    await new Promise((resolve) => scripted.server.once("listening", resolve));
    return scripted;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql/realtime`;
  }

  send(message: unknown): void {
    this.sendRaw(JSON.stringify(message));
  }

  sendRaw(text: string): void {
    this.socket?.send(text);
  }

  /** Stops reading from the client, as a server behind a dead network would: its close frame goes unanswered. */
  stopReading(): void {
    this.tcp?.pause();
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Collects what a subscription reports; `ended` settles on `error` or `complete`. */
function recorder() {
  const values: unknown[] = [];
  const deliveryErrors: string[] = [];
  let settle: (outcome: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (settle = resolve));
  return {
    values,
    deliveryErrors,
    ended,
    handlers: {
      next: (value: unknown) => values.push(value),
      deliveryError: (error: Error) => deliveryErrors.push(error.message),
      error: (error: Error) => settle(`error: ${error.message}`),
      complete: () => settle("complete"),
    },
  };
}

describe("real-time client (AppSync protocol)", () => {
  let server: ScriptedServer;
  afterEach(() => server.close());

  async function connect(script: Script = { connectionTimeoutMs: 60_000 }): Promise<RealtimeConnection> {
    server = await ScriptedServer.start(script);
    return RealtimeConnection.connect({
      realtimeUrl: server.url,
      graphqlUrl: "https://api.example.test/graphql",
      signer: requestSigner("us-west-2", "da2-key", { mode: "apiKey" }),
      webSocket: nodeTransport().webSocket,
    });
  }

  it("authorizes with the header parameter and each start, and delivers data until the server completes", async () => {
    const connection = await connect();
    const subscription = recorder();
    await connection.subscribe("subscription S($name: String!) { subscribe(name: $name) { id } }", { name: "c" }, subscription.handlers);

    expect(server.handshake).to.deep.equal({
      protocol: "graphql-ws",
      header: { host: "api.example.test", "x-api-key": "da2-key" },
    });
    const start = server.received.find((message) => message.type === "start")!;
    expect(start.payload?.extensions.authorization).to.deep.equal({ host: "api.example.test", "x-api-key": "da2-key" });
    expect(JSON.parse(start.payload!.data)).to.deep.equal({
      query: "subscription S($name: String!) { subscribe(name: $name) { id } }",
      variables: { name: "c" },
    });

    server.send({ type: "data", id: start.id, payload: { data: { subscribe: { id: "m1" } } } });
    server.send({ type: "complete", id: start.id });
    expect(await subscription.ended).to.equal("complete");
    expect(subscription.values).to.deep.equal([{ id: "m1" }]);
    connection.close();
  });

  it("reports a data message with errors or without a message, and goes on delivering", async () => {
    const connection = await connect();
    const subscription = recorder();
    await connection.subscribe("subscription { subscribe { id } }", {}, subscription.handlers);
    const id = server.received.find((message) => message.type === "start")!.id;
    const nonNull = { message: "Cannot return null for non-nullable type: 'ID' within parent 'Channel' (/subscribe/id)", path: ["subscribe", "id"] };
    for (const payload of [{ data: { subscribe: null }, errors: [nonNull] }, { data: { subscribe: null } }, { data: null }, null, {}]) {
      server.send({ type: "data", id, payload });
    }
    server.send({ type: "data", id, payload: { data: { subscribe: { id: "m1" } } } });
    server.send({ type: "complete", id });

    expect(await subscription.ended).to.equal("complete");
    expect(subscription.values).to.deep.equal([{ id: "m1" }]);
    expect(subscription.deliveryErrors).to.deep.equal([
      nonNull.message,
      "The server sent a data message whose value is null.",
      ...Array(3).fill("The server sent a data message without data."),
    ]);
    connection.close();
  });

  it("rejects a start the server refuses, with the server's error", async () => {
    const connection = await connect({
      connectionTimeoutMs: 60_000,
      startErrors: [{ errorType: "ChannelNotAllowed", message: "no" }],
    });
    const subscribing = connection.subscribe("subscription { x }", {}, recorder().handlers);
    let refused: Error | undefined;
    await subscribing.catch((error: Error) => (refused = error));
    expect(refused?.message).to.equal("ChannelNotAllowed: no");
    connection.close();
  });

  it("fails its subscriptions when the keep-alives stop", async () => {
    const connection = await connect({ connectionTimeoutMs: 50 });
    const subscription = recorder();
    await connection.subscribe("subscription { x }", {}, subscription.handlers);
    expect(await subscription.ended).to.equal("error: No keep-alive from the server for 50 ms.");
  });

  it("fails its subscriptions when the server drops the connection", async () => {
    const connection = await connect();
    const subscription = recorder();
    await connection.subscribe("subscription { x }", {}, subscription.handlers);
    await server.close();
    expect(await subscription.ended).to.equal("error: The real-time connection closed.");
  });

  it("fails its subscriptions on a frame that is not a JSON object", async () => {
    const connection = await connect();
    const subscription = recorder();
    await connection.subscribe("subscription { x }", {}, subscription.handlers);
    server.sendRaw("<html>gateway timeout</html>");
    expect(await subscription.ended).to.match(/^error: ws:\/\/127\.0\.0\.1:\d+ sent a frame that is not a JSON object\.$/);
  });

  it("closes promptly when the server no longer answers", async () => {
    const connection = await connect();
    server.stopReading();
    const started = Date.now();
    await connection.close();
    expect(Date.now() - started).to.be.below(5_000);
  });
});
