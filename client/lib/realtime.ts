import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { ClientError, GraphqlError, type GraphqlErrorEntry } from "./errors";

/** Where and how to open an AppSync real-time connection (API key auth). */
export interface RealtimeEndpoint {
  /** The region's `realtimeUrl` (wss://…/graphql/realtime). */
  realtimeUrl: string;
  /** The region's `graphqlUrl`: its host is the one AppSync authorizes against. */
  graphqlUrl: string;
  apiKey: string;
  /** Extra PEM certificate to trust (the local runtime's self-signed one). */
  ca?: string;
}

/** What a subscription reports. `complete` means the server ended it (e.g. a forced unsubscribe). */
export interface SubscriptionHandlers<T> {
  next(value: T): void;
  /**
   * A delivery that carries errors, or no value, instead of a message (on AppSync, e.g. when the
   * publisher selected fewer fields than the subscription needs); the subscription goes on.
   */
  deliveryError(error: Error): void;
  /** The subscription ended with an error; nothing more comes. */
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

/** How long to wait for `connection_ack` and `start_ack`. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

/** How long `close` waits for the server's close frame before dropping the socket (ws waits 30 s). */
const CLOSE_TIMEOUT_MS = 1_000;

/**
 * One WebSocket to a region's real-time endpoint, speaking AppSync's protocol (subprotocol
 * `graphql-ws`, `connection_init` → `connection_ack`, `ka` keep-alives, `start`/`stop`), that
 * carries any number of subscriptions.
 */
export class RealtimeConnection {
  private readonly handlers = new Map<string, SubscriptionHandlers<unknown>>();
  private readonly pendingStarts = new Map<string, PendingStart>();
  private keepAliveTimer?: NodeJS.Timeout;
  private keepAliveTimeoutMs = 300_000;
  private closedByUs = false;
  /** Why the connection failed, for the subscriptions it ends when the socket closes. */
  private failure?: Error;

  private constructor(
    private readonly socket: WebSocket,
    private readonly authorization: Record<string, string>,
  ) {}

  /** Opens the socket and completes the `connection_init` handshake. */
  static async connect(endpoint: RealtimeEndpoint): Promise<RealtimeConnection> {
    const authorization = { host: new URL(endpoint.graphqlUrl).host, "x-api-key": endpoint.apiKey };
    const url = new URL(endpoint.realtimeUrl);
    url.searchParams.set("header", base64Json(authorization));
    url.searchParams.set("payload", base64Json({}));
    const socket = new WebSocket(url, "graphql-ws", { ca: endpoint.ca });
    const connection = new RealtimeConnection(socket, authorization);
    await connection.handshake(url.origin);
    return connection;
  }

  /** Starts a subscription; resolves once the server acknowledged it (`start_ack`). */
  async subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    handlers: SubscriptionHandlers<T>,
  ): Promise<ActiveSubscription> {
    const id = randomUUID();
    const acknowledged = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.forget(id);
        reject(new ClientError("The server did not acknowledge the subscription in time."));
      }, HANDSHAKE_TIMEOUT_MS);
      this.pendingStarts.set(id, {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
    this.handlers.set(id, handlers as SubscriptionHandlers<unknown>);
    this.send({
      id,
      type: "start",
      payload: {
        data: JSON.stringify({ query, variables }),
        extensions: { authorization: this.authorization },
      },
    });
    await acknowledged;
    return { stop: () => this.send({ id, type: "stop" }) };
  }

  /**
   * Closes the socket, dropping it when the server does not answer promptly (e.g. the network is
   * gone); resolves once it is closed. Open subscriptions end without an error.
   */
  close(): Promise<void> {
    this.closedByUs = true;
    clearTimeout(this.keepAliveTimer);
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.socket.once("close", () => resolve()));
    this.socket.close(1000);
    const drop = setTimeout(() => this.socket.terminate(), CLOSE_TIMEOUT_MS);
    return closed.finally(() => clearTimeout(drop));
  }

  private handshake(origin: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.abort(error);
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new ClientError(`No connection_ack from ${origin} in time.`)),
        HANDSHAKE_TIMEOUT_MS,
      );
      this.socket.once("open", () => this.send({ type: "connection_init" }));
      this.socket.once("unexpected-response", (_request, response) => {
        fail(new ClientError(`${origin} refused the real-time connection: HTTP ${response.statusCode}.`));
      });
      this.socket.on("error", (error) => fail(new ClientError(`Cannot reach ${origin}: ${error.message}`)));
      this.socket.on("close", () => this.onClose());
      this.socket.on("message", (raw) => {
        const message = parseFrame(raw.toString());
        if (!message) {
          fail(new ClientError(`${origin} sent a frame that is not a JSON object.`));
        } else if (message.type === "connection_ack") {
          clearTimeout(timer);
          this.watchKeepAlive(message.payload?.connectionTimeoutMs ?? 300_000);
          resolve();
        } else if (message.type === "connection_error") {
          fail(new GraphqlError(message.payload?.errors ?? [{ message: "connection_error" }]));
        } else {
          this.onMessage(message);
        }
      });
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
    if (timeoutMs !== undefined) this.keepAliveTimeoutMs = timeoutMs;
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = setTimeout(
      () => this.abort(new ClientError(`No keep-alive from the server for ${this.keepAliveTimeoutMs} ms.`)),
      this.keepAliveTimeoutMs,
    );
    this.keepAliveTimer.unref();
  }

  /** Drops the socket; its `close` then ends every subscription with `error` (the first reason given). */
  private abort(error: Error): void {
    this.failure ??= error;
    this.socket.terminate();
  }

  private onClose(): void {
    clearTimeout(this.keepAliveTimer);
    if (!this.closedByUs) this.failAll(this.failure ?? new ClientError("The real-time connection closed."));
  }

  private failAll(error: Error): void {
    for (const pending of this.pendingStarts.values()) pending.reject(error);
    for (const handlers of this.handlers.values()) handlers.error(error);
    this.pendingStarts.clear();
    this.handlers.clear();
  }

  private send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
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

/** A server frame, or undefined when it is not a JSON object. */
function parseFrame(text: string): ServerMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as ServerMessage) : undefined;
  } catch {
    return undefined;
  }
}

function base64Json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64");
}
