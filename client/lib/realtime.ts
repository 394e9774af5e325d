import type { RequestSigner } from "./auth";
import { systemClock, type Clock, type TimerHandle } from "./clock";
import { ClientError, GraphqlError, NetworkError, type GraphqlErrorEntry } from "./errors";
import type { WebSocketFactory, WebSocketLike } from "./transport";

/** Where and how to open an AppSync real-time connection. */
export interface RealtimeEndpoint {
  /** The region's `realtimeUrl` (wss://…/graphql/realtime). */
  realtimeUrl: string;
  /** The region's `graphqlUrl`: its host is the one AppSync authorizes against. */
  graphqlUrl: string;
  signer: RequestSigner;
  webSocket: WebSocketFactory;
  clock?: Clock;
  /** How long to wait for `connection_ack` and each `start_ack` (default 10 s). */
  timeoutMs?: number;
  /** Caps the server's `connectionTimeoutMs`: a connection silent this long is dropped (default: the server's). */
  keepAliveTimeoutMs?: number;
  /** Called on every frame the server sends: the connection is alive. */
  onActivity?: () => void;
}

/** What a subscription reports. `complete` means the server ended it (e.g. a forced unsubscribe). */
export interface SubscriptionHandlers<T> {
  next(value: T): void;
  /**
   * A delivery that carries errors, or no value, instead of a message (on AppSync, e.g. when the
   * publisher selected fewer fields than the subscription needs); the subscription goes on.
   */
  deliveryError(error: Error): void;
  /** The subscription ended with an error (the connection dropped, or the server refused it); nothing more comes. */
  error(error: Error): void;
  complete(): void;
}

/** A running subscription. */
export interface ActiveSubscription {
  /** Asks the server to stop it (`stop` → `complete`). */
  stop(): void;
}

interface PendingStart {
  resolve(): void;
  reject(error: Error): void;
}

interface ServerMessage {
  type: string;
  id?: string;
  payload?: { data?: Record<string, unknown> | null; errors?: GraphqlErrorEntry[]; connectionTimeoutMs?: number } | null;
}

/** How long to wait for `connection_ack` and `start_ack` unless told (ably-js waits 10 s for a connection). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** AppSync's keep-alive deadline when `connection_ack` does not say (its documented 5 minutes). */
const DEFAULT_CONNECTION_TIMEOUT_MS = 300_000;

/** `WebSocket.OPEN`, which a `WebSocketLike` need not expose as a constant. */
const OPEN = 1;

/**
 * One WebSocket to a region's real-time endpoint, speaking AppSync's protocol (subprotocol
 * `graphql-ws`, `connection_init` → `connection_ack`, `ka` keep-alives, `start`/`stop`), that
 * carries any number of subscriptions. The WebSocket comes from the injected factory, so the same
 * code runs in browsers and in Node.
 */
export class RealtimeConnection {
  private readonly handlers = new Map<string, SubscriptionHandlers<unknown>>();
  private readonly pendingStarts = new Map<string, PendingStart>();
  private readonly clock: Clock;
  private keepAliveTimer?: TimerHandle;
  private keepAliveTimeoutMs = DEFAULT_CONNECTION_TIMEOUT_MS;
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly socket: WebSocketLike,
    private readonly endpoint: RealtimeEndpoint,
  ) {
    this.clock = endpoint.clock ?? systemClock;
  }

  /** Opens the socket and completes the `connection_init` handshake. */
  static async connect(endpoint: RealtimeEndpoint): Promise<RealtimeConnection> {
    const authorization = await endpoint.signer.headers(`${endpoint.graphqlUrl}/connect`, "{}");
    const url = new URL(endpoint.realtimeUrl);
    url.searchParams.set("header", base64Json(authorization));
    url.searchParams.set("payload", base64Json({}));
    const connection = new RealtimeConnection(endpoint.webSocket(url.toString(), ["graphql-ws"]), endpoint);
    await connection.handshake(url.origin);
    return connection;
  }

  /** Starts a subscription; resolves once the server acknowledged it (`start_ack`): from then on it is live. */
  async subscribe<T>(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<T>): Promise<ActiveSubscription> {
    if (this.closed) throw new NetworkError("The real-time connection is closed.", "closed");
    const id = `s${this.nextId++}`;
    const data = JSON.stringify({ query, variables });
    const authorization = await this.endpoint.signer.headers(this.endpoint.graphqlUrl, data);
    if (this.closed) throw new NetworkError("The real-time connection closed.", "closed");
    const acknowledged = new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.forget(id);
        reject(new NetworkError("The server did not acknowledge the subscription in time.", "timeout"));
      }, this.endpoint.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
      this.pendingStarts.set(id, {
        resolve: () => (this.clock.clearTimeout(timer), resolve()),
        reject: (error) => (this.clock.clearTimeout(timer), reject(error)),
      });
    });
    this.handlers.set(id, handlers as SubscriptionHandlers<unknown>);
    this.send({ id, type: "start", payload: { data, extensions: { authorization } } });
    await acknowledged;
    return { stop: () => this.send({ id, type: "stop" }) };
  }

  /** Closes the socket; open subscriptions end without a callback, a `start` still waiting for its ack fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.keepAliveTimer);
    const pending = [...this.pendingStarts.values()];
    this.pendingStarts.clear();
    this.handlers.clear();
    for (const start of pending) start.reject(new NetworkError("The real-time connection was closed.", "closed"));
    this.detach();
    this.socket.close(1000);
  }

  private handshake(origin: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let acknowledged = false;
      const fail = (error: Error) => {
        this.clock.clearTimeout(timer);
        if (acknowledged) return this.onDrop(error);
        this.closed = true;
        this.detach();
        this.socket.close();
        reject(error);
      };
      const timer = this.clock.setTimeout(() => fail(new NetworkError(`No connection_ack from ${origin} in time.`, "timeout")), this.endpoint.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
      this.socket.onopen = () => this.send({ type: "connection_init" });
      this.socket.onerror = () => {};
      this.socket.onclose = () => {
        if (!acknowledged) return fail(new NetworkError(`Cannot reach ${origin}.`, "unreachable"));
        this.onDrop(new NetworkError("The real-time connection closed.", "closed"));
      };
      this.socket.onmessage = (event) => {
        this.endpoint.onActivity?.();
        const message = parseFrame(String(event.data));
        if (!message) {
          if (acknowledged) return this.onDrop(new NetworkError(`${origin} sent a frame that is not a JSON object.`, "closed"));
          return fail(new NetworkError(`${origin} sent a frame that is not a JSON object.`, "closed"));
        }
        if (message.type === "connection_ack" && !acknowledged) {
          acknowledged = true;
          this.clock.clearTimeout(timer);
          const serverTimeout = message.payload?.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
          this.watchKeepAlive(Math.min(serverTimeout, this.endpoint.keepAliveTimeoutMs ?? serverTimeout));
          resolve();
        } else if (message.type === "connection_error") {
          const errors = message.payload?.errors ?? [{ message: "connection_error" }];
          fail(new GraphqlError(errors, handshakeStatus(errors)));
        } else {
          this.onMessage(message);
        }
      };
    });
  }

  private onMessage(message: ServerMessage): void {
    if (message.type === "ka") {
      this.watchKeepAlive();
      return;
    }
    const id = message.id ?? "";
    const handlers = this.handlers.get(id);
    const pending = this.pendingStarts.get(id);
    switch (message.type) {
      case "start_ack":
        this.pendingStarts.delete(id);
        pending?.resolve();
        break;
      case "data":
        if (handlers) deliver(message.payload, handlers);
        break;
      case "error": {
        const error = new GraphqlError(message.payload?.errors ?? [{ message: "subscription error" }]);
        this.forget(id);
        if (pending) pending.reject(error);
        else handlers?.error(error);
        break;
      }
      case "complete":
        this.forget(id);
        handlers?.complete();
        break;
    }
  }

  private forget(id: string): void {
    this.handlers.delete(id);
    this.pendingStarts.delete(id);
  }

  /** Restarts the watchdog: AppSync promises a `ka` at least every `connectionTimeoutMs`. */
  private watchKeepAlive(timeoutMs?: number): void {
    if (this.closed) return;
    if (timeoutMs !== undefined) this.keepAliveTimeoutMs = timeoutMs;
    this.clock.clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = this.clock.setTimeout(
      () => this.onDrop(new NetworkError(`No keep-alive from the server for ${this.keepAliveTimeoutMs} ms.`, "keepAlive")),
      this.keepAliveTimeoutMs,
    );
  }

  /** The connection is gone (closed by the server or the network, or silent): every subscription ends with `error`. */
  private onDrop(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.keepAliveTimer);
    this.detach();
    this.socket.close();
    this.failAll(error);
  }

  private failAll(error: Error): void {
    const pending = [...this.pendingStarts.values()];
    const handlers = [...this.handlers.values()];
    this.pendingStarts.clear();
    this.handlers.clear();
    for (const start of pending) start.reject(error);
    for (const handler of handlers) handler.error(error);
  }

  private detach(): void {
    this.socket.onopen = null;
    this.socket.onmessage = null;
    this.socket.onclose = null;
    this.socket.onerror = () => {};
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }
}

/** Hands the message of a `data` frame to `next`, or what is wrong with the frame to `deliveryError`. */
function deliver(payload: ServerMessage["payload"], handlers: SubscriptionHandlers<unknown>): void {
  if (payload?.errors?.length) return handlers.deliveryError(new GraphqlError(payload.errors));
  const values = Object.values(payload?.data ?? {});
  if (values.length === 0) return handlers.deliveryError(new ClientError("The server sent a data message without data."));
  for (const value of values) {
    if (value === null || typeof value !== "object") handlers.deliveryError(new ClientError(`The server sent a data message whose value is ${JSON.stringify(value)}.`));
    else handlers.next(value);
  }
}

/** The status of a refused handshake: its `errorCode`, or 401 for an unauthorized one that carries none. */
function handshakeStatus(errors: GraphqlErrorEntry[]): number | undefined {
  const coded = errors.find((entry) => typeof entry.errorCode === "number")?.errorCode;
  if (coded !== undefined) return coded;
  return errors.some((entry) => entry.errorType?.startsWith("Unauthorized")) ? 401 : undefined;
}

/** A server frame, or undefined when it is not a JSON object. */
function parseFrame(text: string): ServerMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as ServerMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** Base64 of the UTF-8 JSON of `value` (btoa takes bytes as Latin-1 characters). */
function base64Json(value: unknown): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(value))) binary += String.fromCharCode(byte);
  return btoa(binary);
}
