import type { IncomingMessage } from "http";
import type { Duplex } from "stream";
import { WebSocketServer, type WebSocket } from "ws";
import { authenticate, refusalFor, type ApiSecrets, type Caller } from "./auth";
import type { AppSyncError } from "./appSyncErrors";
import { MAX_QUERY_CHARACTERS, type RegionalApi } from "./regionalApi";
import type { ActiveSubscription } from "./subscriptionRegistry";

/** Real-time protocol settings. */
export interface RealtimeOptions {
  /** Sent in `connection_ack`: how long a client waits for a `ka` before giving up. */
  readonly connectionTimeoutMs: number;
  /** How often `ka` is sent. */
  readonly keepAliveMs: number;
  /** Subscriptions allowed on one connection. */
  readonly maxSubscriptions: number;
  /** A connection that has sent neither `connection_init` nor `start` this long after the handshake is closed. */
  readonly connectionInitTimeoutMs: number;
  /** A connection whose unsent messages exceed this many bytes (a client that stops reading) is closed. */
  readonly maxBufferedBytes: number;
}

/**
 * AppSync's values (`connectionTimeoutMs`, `ka` every minute, 100 subscriptions a connection), and
 * ours where AppSync publishes none: 15 s for a first `connection_init` or `start` (as long as
 * Amplify JS waits for the `connection_ack`), and 8 MB of unsent messages (over 30 messages of the
 * largest size).
 */
export const APPSYNC_REALTIME: RealtimeOptions = {
  connectionTimeoutMs: 300_000,
  keepAliveMs: 60_000,
  maxSubscriptions: 100,
  connectionInitTimeoutMs: 15_000,
  maxBufferedBytes: 8 * 1024 * 1024,
};

/** Close codes: 4408 as in the GraphQL over WebSocket protocol for a connection that never began; 1008 (policy) for a slow consumer. */
const INIT_TIMEOUT_CLOSE = 4408;
const SLOW_CONSUMER_CLOSE = 1008;

const SUBPROTOCOL = "graphql-ws";
/**
 * The largest real-time message taken, in bytes (ours; AppSync documents none): a client sends only
 * `connection_init`, `start` (whose query is at most `MAX_QUERY_CHARACTERS`) and `stop`, and ours are
 * under 4 KB. A connection may hold one message this large while it arrives, however slowly.
 */
export const MAX_REALTIME_MESSAGE_BYTES = 2 * MAX_QUERY_CHARACTERS;
/**
 * The longest subscription id taken, in characters (ours; AppSync documents none): a connection keeps
 * each id and repeats it in every data message. Clients use UUIDs (Amplify JS) or counters.
 */
export const MAX_SUBSCRIPTION_ID_CHARACTERS = 128;

type ProtocolError = Pick<AppSyncError, "errorType" | "message"> | AppSyncError;

/** Decodes the auth headers a client sent with the handshake: `?header=<base64>` or a `header-<base64url>` subprotocol. */
function handshakeHeaders(request: IncomingMessage, url: URL): Record<string, string> | null {
  const fromProtocol = String(request.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith("header-"));
  const encoded = url.searchParams.get("header") ?? fromProtocol?.slice("header-".length);
  if (!encoded) return null;
  try {
    return stringHeaders(JSON.parse(Buffer.from(encoded, "base64").toString("utf8")));
  } catch {
    return null;
  }
}

/** Headers a client sent as JSON, keeping only string values (a number or object is no header); `null` when not an object. */
function stringHeaders(value: unknown): Record<string, string> | null {
  if (typeof value !== "object" || value === null) return null;
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** The object a JSON text holds, or `null` when it is not JSON or not an object. */
function parseObject(text: unknown): Record<string, unknown> | null {
  if (typeof text !== "string") return null;
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * One client connection speaking AppSync's real-time protocol. `connection_init` is optional: "If
 * connection_init is sent, the client waits for" the `connection_ack`; a client may also start
 * subscribing at once (https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html).
 */
class RealtimeConnection {
  /** Whether the client has begun, with `connection_init` or a `start`: keep-alives flow from then on. */
  private begun = false;
  /** Subscription id → the live subscription, or the token of the `start` being processed for it. */
  private readonly subscriptions = new Map<string, ActiveSubscription | symbol>();
  private keepAlive?: NodeJS.Timeout;
  private readonly beginDeadline: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly api: RegionalApi,
    private readonly secrets: ApiSecrets,
    private readonly options: RealtimeOptions,
  ) {
    socket.on("message", (data, isBinary) => {
      this.receive(isBinary ? null : data.toString()).catch((error: Error) => this.error([{ errorType: "InternalFailure", message: error.message }]));
    });
    socket.on("close", () => this.end());
    this.beginDeadline = setTimeout(() => {
      this.end();
      socket.close(INIT_TIMEOUT_CLOSE, `Neither connection_init nor start received within ${options.connectionInitTimeoutMs / 1000} s`);
    }, options.connectionInitTimeoutMs);
  }

  private send(message: unknown): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A client that stops reading would make the server hold every message for it, without end.
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.end();
      this.socket.close(SLOW_CONSUMER_CLOSE, `Too slow: over ${this.options.maxBufferedBytes / (1024 * 1024)} MB of messages waited to be read`);
      return;
    }
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  private error(errors: ProtocolError[], id?: string): void {
    this.send(id === undefined ? { type: "error", payload: { errors } } : { type: "error", id, payload: { errors } });
  }

  private async receive(text: string | null): Promise<void> {
    const message: { type?: unknown; id?: unknown; payload?: unknown } = parseObject(text) ?? {};
    const type = typeof message.type === "string" ? message.type : "unknown";
    switch (type) {
      case "connection_init":
        return this.init();
      case "start":
        return this.start(message.id, message.payload);
      case "stop":
        return this.stop(message.id);
      default:
        this.error([{ errorType: "UnsupportedOperation", message: `${type} not supported through the realtime channel` }]);
    }
  }

  private init(): void {
    this.begin();
    this.send({ type: "connection_ack", payload: { connectionTimeoutMs: this.options.connectionTimeoutMs } });
    this.send({ type: "ka" });
  }

  /** The client has begun: no deadline any more, keep-alives from now on (not once the socket is closing: nothing would stop them). */
  private begin(): void {
    if (this.begun || this.socket.readyState !== this.socket.OPEN) return;
    this.begun = true;
    clearTimeout(this.beginDeadline);
    this.keepAlive = setInterval(() => this.send({ type: "ka" }), this.options.keepAliveMs);
  }

  private async start(rawId: unknown, rawPayload: unknown): Promise<void> {
    this.begin();
    if (typeof rawId !== "string" || rawId === "" || rawId.length > MAX_SUBSCRIPTION_ID_CHARACTERS) {
      return this.error([{ errorType: "UnsupportedOperation", message: `start needs a string id of 1 to ${MAX_SUBSCRIPTION_ID_CHARACTERS} characters` }]);
    }
    const id = rawId;
    if (this.subscriptions.has(id)) {
      return this.error([{ errorType: "DuplicatedOperationError", message: `Duplicated operation with id ${id}` }], id);
    }
    if (this.subscriptions.size >= this.options.maxSubscriptions) {
      return this.error([{ errorType: "MaxSubscriptionsReachedError", message: `Max number of ${this.options.maxSubscriptions} subscriptions reached` }], id);
    }
    const payload = (rawPayload ?? {}) as { data?: unknown; extensions?: { authorization?: unknown } };
    const request = parseObject(payload.data) as { query?: unknown; variables?: unknown; operationName?: unknown } | null;
    if (!request) {
      return this.error([{ errorType: "BadRequestException", message: "start payload.data must be a JSON string of {query, variables}" }], id);
    }
    // While this start awaits, a stop (and a new start with the same id) may take the id over.
    const pending = Symbol(id);
    this.subscriptions.set(id, pending);
    const release = () => this.subscriptions.get(id) === pending && this.subscriptions.delete(id);
    const authorization = stringHeaders(payload.extensions?.authorization);
    const caller = authorization && (await this.authorize(authorization, payload.data as string));
    if (!caller) {
      release();
      return this.error([refusalFor(authorization ?? {}, this.secrets)], id);
    }
    const variables = request.variables;
    const dataFrame = `{"id":${JSON.stringify(id)},"type":"data","payload":`;
    const outcome = await this.api.subscribe(
      {
        query: request.query as string,
        variables: typeof variables === "object" && variables !== null ? (variables as Record<string, unknown>) : {},
        operationName: typeof request.operationName === "string" ? request.operationName : null,
      },
      caller,
      {
        deliver: (payloadJson) => this.send(`${dataFrame}${payloadJson}}`),
        invalidate: () => {
          this.subscriptions.delete(id);
          this.send({ type: "complete", id });
        },
      },
    );
    if ("errors" in outcome) {
      release();
      return this.error(outcome.errors, id);
    }
    // The client may have stopped or left while the resolver ran.
    if (this.subscriptions.get(id) !== pending || this.socket.readyState !== this.socket.OPEN) {
      this.api.subscriptions.remove(outcome.subscription);
      return;
    }
    this.subscriptions.set(id, outcome.subscription);
    this.send({ type: "start_ack", id });
  }

  /**
   * A start carries its own authorization: API key, SigV4 headers over the start's `data`, or an
   * OIDC token, verified again here: a token that expired since the handshake is refused for this
   * start (subscriptions already started go on; the connection stays open).
   */
  private authorize(headers: Record<string, string>, data: string): Promise<Caller | null> {
    return authenticate({ method: "POST", path: "/graphql", headers, body: data }, this.secrets);
  }

  private stop(id: unknown): void {
    if (typeof id !== "string") return this.error([{ errorType: "UnsupportedOperation", message: "stop needs the id of a subscription" }]);
    const subscription = this.subscriptions.get(id);
    this.subscriptions.delete(id);
    if (typeof subscription === "object") this.api.subscriptions.remove(subscription);
    this.send({ type: "complete", id });
  }

  /** Drops every subscription and timer; called when the socket closes or is being closed. */
  end(): void {
    clearInterval(this.keepAlive);
    clearTimeout(this.beginDeadline);
    for (const subscription of this.subscriptions.values()) if (typeof subscription === "object") this.api.subscriptions.remove(subscription);
    this.subscriptions.clear();
  }
}

/**
 * `/graphql/realtime`: AppSync's real-time WebSocket protocol (subprotocol `graphql-ws`). The
 * handshake is authenticated from its `header` (`{host, x-api-key}`, SigV4 headers, or
 * `{host, Authorization: <token>}`); a client that fails gets `connection_error`.
 */
export class RealtimeEndpoint {
  private readonly server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_REALTIME_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  constructor(
    private readonly api: RegionalApi,
    private readonly secrets: ApiSecrets,
    private readonly options: RealtimeOptions = APPSYNC_REALTIME,
  ) {}

  /** Handles an HTTP upgrade; anything but `/graphql/realtime` with `graphql-ws` is refused. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://local");
    const protocols = String(request.headers["sec-websocket-protocol"] ?? "").split(",").map((protocol) => protocol.trim());
    if (url.pathname !== "/graphql/realtime" || !protocols.includes(SUBPROTOCOL)) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nUse /graphql/realtime with the graphql-ws subprotocol\r\n");
      return;
    }
    const headers = handshakeHeaders(request, url);
    this.server.handleUpgrade(request, socket, head, (webSocket) => {
      void this.accept(webSocket, headers, request.socket.remoteAddress);
    });
  }

  private async accept(socket: WebSocket, headers: Record<string, string> | null, sourceIp?: string): Promise<void> {
    // A frame over maxPayload or not valid WebSocket makes ws close the connection and emit
    // `error`: without a listener that would throw and stop the server.
    socket.on("error", () => {});
    // Hold the client's first frames (connection_init, start) until the handshake is authenticated.
    socket.pause();
    const caller = headers && (await authenticate({ method: "POST", path: "/graphql/connect", headers, body: "{}" }, this.secrets, sourceIp));
    if (!caller) {
      socket.resume();
      socket.send(JSON.stringify({ type: "connection_error", payload: { errors: [{ ...refusalFor(headers ?? {}, this.secrets), errorCode: 401 }] } }));
      socket.close(1000);
      return;
    }
    new RealtimeConnection(socket, this.api, this.secrets, this.options);
    socket.resume();
  }

  /** Closes every connection. */
  close(): void {
    for (const client of this.server.clients) client.terminate();
    this.server.close();
  }
}
