import type { RegionEntry } from "../../../client/lib/client";
import { NetworkError, type GraphqlErrorEntry } from "../../../client/lib/errors";
import type { ChannelMessage } from "../../../client/lib/operations";
import type { HttpRequest, HttpResponse, Transport, WebSocketLike } from "../../../client/lib/transport";
import type { FakeClock } from "./fakeClock";

/** A frame the client sent. */
interface ClientFrame {
  type: string;
  id?: string;
  payload?: { data: string; extensions: { authorization: Record<string, string> } };
}

/** A scripted AppSync region set: real-time sockets and GraphQL over HTTP, in memory, on the fake clock. */
export class FakeAppSync {
  /** Every GraphQL request: its region, operation and variables, and the headers it came with. */
  readonly requests: { region: string; operation: string; variables: Record<string, unknown>; headers: Record<string, string> }[] = [];
  /** Every real-time handshake: its region and decoded `header`. */
  readonly handshakes: { region: string; header: Record<string, string> }[] = [];
  /** Every `start`: its region and authorization. */
  readonly starts: { region: string; authorization: Record<string, string> }[] = [];
  /** Refuse every `start` with these errors. */
  startErrors?: GraphqlErrorEntry[];
  /** `history` answers HistoryDisabled (`off`), or the schema has no such field (`missing`, a stack from before history). */
  history: "on" | "off" | "missing" = "on";
  /** While set, `history` answers wait for it. */
  historyGate?: Promise<void>;
  /** The next this many `history` requests answer 503, as a region that is restarting or throttled. */
  failHistoryReads = 0;
  /** Sent in `connection_ack`. */
  connectionTimeoutMs = 300_000;
  /** When set, every open connection gets a `ka` this often. */
  keepAliveMs?: number;
  /** The next publish is stored, but its answer is lost (a 503): the client cannot know it succeeded. */
  loseNextPublishAnswer = false;
  /** Decides whether a request's headers are authorized (default: the region's API key). */
  authorize: (region: string, headers: Record<string, string>) => boolean = (region, headers) => headers["x-api-key"] === `key-${region}`;
  readonly sockets: FakeSocket[] = [];
  private readonly down = new Set<string>();
  private readonly stored = new Map<string, ChannelMessage[]>();
  private nextId = 1;

  constructor(
    private readonly clock: FakeClock,
    readonly regionNames: string[],
  ) {
    for (const region of regionNames) this.stored.set(region, []);
  }

  /** The outputs' `regions`. */
  get regions(): Record<string, RegionEntry> {
    return Object.fromEntries(
      this.regionNames.map((region) => [region, { graphqlUrl: `https://${region}.test/graphql`, realtimeUrl: `wss://${region}.test/graphql/realtime`, apiKey: `key-${region}` }]),
    );
  }

  readonly transport: Transport = {
    webSocket: (url) => this.openSocket(url),
    http: (request) => this.answer(request),
  };

  /** Takes `region` down (new connections refused, open ones dropped, HTTP unreachable) or back up. */
  setDown(region: string, down: boolean): void {
    if (down) {
      this.down.add(region);
      this.drop(region);
    } else this.down.delete(region);
  }

  /** The server closes every open connection of `region`. */
  drop(region: string): void {
    for (const socket of this.open(region)) socket.serverClose();
  }

  /** Stores a message published in `origin` (in every region's history unless `storeIn` says) and delivers it live (to every region unless `liveIn` says). */
  publish(origin: string, channel: string, data: unknown, options: { id?: string; storeIn?: string[]; liveIn?: string[] } = {}): ChannelMessage {
    const message: ChannelMessage = { name: channel, data: JSON.stringify(data), id: options.id ?? `m${this.nextId++}`, origin, publishedAt: new Date(this.clock.now()).toISOString(), sender: null };
    for (const region of options.storeIn ?? this.regionNames) this.store(region, message);
    for (const region of options.liveIn ?? this.regionNames) this.deliverLive(region, message);
    return message;
  }

  /** Puts `message` in `region`'s history (as replication would), once per id. */
  store(region: string, message: ChannelMessage): void {
    const history = this.stored.get(region) as ChannelMessage[];
    if (!history.some((kept) => kept.id === message.id)) history.push(message);
  }

  /** Sends `message` to the live subscribers of its channel in `region`. */
  deliverLive(region: string, message: ChannelMessage): void {
    for (const socket of this.open(region)) socket.deliver(message);
  }

  /** Sends the live subscribers of `channel` in `region` a data frame with errors and no message (as AppSync does when a publisher selected too few fields). */
  deliverBroken(region: string, channel: string): void {
    for (const socket of this.open(region)) socket.deliverBroken(channel);
  }

  /** The server ends the subscriptions to `channel` in `region` (a forced unsubscribe). */
  complete(region: string, channel: string): void {
    for (const socket of this.open(region)) socket.complete(channel);
  }

  /** Live subscriptions to `channel` in `region`. */
  subscribers(region: string, channel: string): number {
    return this.open(region).reduce((count, socket) => count + socket.subscribedTo(channel), 0);
  }

  private open(region: string): FakeSocket[] {
    return this.sockets.filter((socket) => socket.region === region && socket.readyState === 1);
  }

  private regionOf(url: string): string {
    return new URL(url).hostname.replace(/\.test$/, "");
  }

  private openSocket(url: string): WebSocketLike {
    const region = this.regionOf(url);
    const header = JSON.parse(Buffer.from(new URL(url).searchParams.get("header") ?? "", "base64").toString("utf8")) as Record<string, string>;
    this.handshakes.push({ region, header });
    const socket = new FakeSocket(this, region);
    this.sockets.push(socket);
    queueMicrotask(() => (this.down.has(region) ? socket.refuse() : socket.accept(this.authorize(region, header))));
    if (this.keepAliveMs !== undefined) this.sendKeepAlives(socket, this.keepAliveMs);
    return socket;
  }

  private sendKeepAlives(socket: FakeSocket, everyMs: number): void {
    this.clock.setTimeout(() => {
      if (socket.readyState > 1) return;
      socket.push({ type: "ka" });
      this.sendKeepAlives(socket, everyMs);
    }, everyMs);
  }

  /** What the server does with a client frame. */
  receive(socket: FakeSocket, frame: ClientFrame): void {
    if (frame.type === "connection_init") return socket.push({ type: "connection_ack", payload: { connectionTimeoutMs: this.connectionTimeoutMs } });
    if (frame.type !== "start" || !frame.id || !frame.payload) return;
    this.starts.push({ region: socket.region, authorization: frame.payload.extensions.authorization });
    if (!this.authorize(socket.region, frame.payload.extensions.authorization)) {
      return socket.push({ type: "error", id: frame.id, payload: { errors: [{ errorType: "UnauthorizedException", message: "You are not authorized to make this call." }] } });
    }
    if (this.startErrors) return socket.push({ type: "error", id: frame.id, payload: { errors: this.startErrors } });
    const { variables } = JSON.parse(frame.payload.data) as { variables: { name: string } };
    socket.subscribe(frame.id, variables.name);
    socket.push({ type: "start_ack", id: frame.id });
  }

  private async answer(request: HttpRequest): Promise<HttpResponse> {
    const region = this.regionOf(request.url);
    if (this.down.has(region)) throw new NetworkError(`Cannot reach https://${region}.test: connect ECONNREFUSED`, "unreachable");
    const { query, variables } = JSON.parse(request.body ?? "{}") as { query: string; variables: Record<string, unknown> };
    const operation = /\b(history|publish|channels)\b/.exec(query)?.[1] ?? "unknown";
    this.requests.push({ region, operation, variables, headers: request.headers });
    if (!this.authorize(region, request.headers)) return json(401, { errors: [{ errorType: "UnauthorizedException", message: "You are not authorized to make this call." }] });
    switch (operation) {
      case "channels":
        return json(200, { data: { channels: [] } });
      case "publish": {
        const message = this.publishOnce(region, variables as { name: string; data: string; id?: string });
        if (!this.loseNextPublishAnswer) return json(200, { data: { publish: message } });
        this.loseNextPublishAnswer = false;
        return { status: 503, body: "Service Unavailable" };
      }
      case "history":
        if (this.historyGate) await this.historyGate;
        if (this.failHistoryReads > 0) {
          this.failHistoryReads -= 1;
          return { status: 503, body: "Service Unavailable" };
        }
        if (this.down.has(region)) throw new NetworkError(`Cannot reach https://${region}.test`, "unreachable");
        if (this.history === "off") return json(200, { data: null, errors: [{ errorType: "HistoryDisabled", message: "History is off on this API." }] });
        if (this.history === "missing") return json(200, { data: null, errors: [{ errorType: "ValidationError", message: "Validation error of type FieldUndefined: Field 'history' in type 'Query' is undefined" }] });
        return json(200, { data: { history: this.historyPage(region, variables as { name: string; since?: string; limit: number; nextToken?: string | null }) } });
      default:
        return json(400, { errors: [{ errorType: "BadRequest", message: `unknown operation ${query}` }] });
    }
  }

  private publishOnce(region: string, variables: { name: string; data: string; id?: string }): ChannelMessage {
    const existing = (this.stored.get(region) as ChannelMessage[]).find((message) => message.name === variables.name && message.id === variables.id);
    if (existing) return existing;
    return this.publish(region, variables.name, JSON.parse(variables.data), { id: variables.id });
  }

  private historyPage(region: string, query: { name: string; since?: string; limit: number; nextToken?: string | null }) {
    const since = query.since ? Date.parse(query.since) : -Infinity;
    const matching = (this.stored.get(region) as ChannelMessage[])
      .filter((message) => message.name === query.name && Date.parse(message.publishedAt) >= since)
      .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id));
    const start = Number(query.nextToken ?? 0);
    const items = matching.slice(start, start + query.limit);
    return { items, nextToken: start + query.limit < matching.length ? String(start + query.limit) : null };
  }
}

function json(status: number, body: unknown): HttpResponse {
  return { status, body: JSON.stringify(body) };
}

/** One client's socket, seen from both ends: the client drives it through `WebSocketLike`, the fake server through the rest. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike["onopen"] = null;
  onmessage: WebSocketLike["onmessage"] = null;
  onclose: WebSocketLike["onclose"] = null;
  onerror: WebSocketLike["onerror"] = null;
  private readonly subscriptions = new Map<string, string>();

  constructor(
    private readonly server: FakeAppSync,
    readonly region: string,
  ) {}

  send(data: string): void {
    if (this.readyState !== 1) return;
    queueMicrotask(() => this.readyState === 1 && this.server.receive(this, JSON.parse(data) as ClientFrame));
  }

  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code: 1000 }));
  }

  accept(authorized: boolean): void {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.onopen?.({});
    if (!authorized) {
      this.push({ type: "connection_error", payload: { errors: [{ errorType: "UnauthorizedException", message: "You are not authorized to make this call.", errorCode: 401 }] } });
    }
  }

  refuse(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }

  push(frame: unknown): void {
    if (this.readyState !== 1) return;
    const text = JSON.stringify(frame);
    queueMicrotask(() => this.readyState === 1 && this.onmessage?.({ data: text }));
  }

  deliver(message: ChannelMessage): void {
    for (const [id, channel] of this.subscriptions) if (channel === message.name) this.push({ type: "data", id, payload: { data: { subscribe: message } } });
  }

  deliverBroken(channel: string): void {
    const errors = [{ errorType: "DeserializationError", message: "Cannot return null for non-nullable type: 'AWSDateTime' within parent 'Channel' (/subscribe/publishedAt)" }];
    for (const [id, subscribed] of this.subscriptions) if (subscribed === channel) this.push({ type: "data", id, payload: { data: { subscribe: null }, errors } });
  }

  complete(channel: string): void {
    for (const [id, subscribed] of this.subscriptions) {
      if (subscribed !== channel) continue;
      this.subscriptions.delete(id);
      this.push({ type: "complete", id });
    }
  }

  subscribe(id: string, channel: string): void {
    this.subscriptions.set(id, channel);
  }

  subscribedTo(channel: string): number {
    return [...this.subscriptions.values()].filter((subscribed) => subscribed === channel).length;
  }

  serverClose(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code: 1006 }));
  }
}
