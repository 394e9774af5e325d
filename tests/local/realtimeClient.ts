import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import WebSocket from "ws";
import type { Credentials } from "../../local/appsync/sigv4";
import type { RegionOutputs } from "../../local/index";
import { CHANNEL_FIELDS } from "../../resolvers/lib/rules";

/** How a test client authenticates: API key, IAM, or an OIDC token (sent as AppSync clients send it, with no "Bearer"). */
export type TestAuth = { apiKey: string } | { iam: Credentials; region: string } | { token: string };

/** Plain-http form of an output URL (the port also speaks TLS). */
export const plain = (url: string) => url.replace(/^https:/, "http:").replace(/^wss:/, "ws:");

/** Signs a request to `url` with `body` as an AppSync client does (a POST, now, unless told), returning the headers to send. */
export async function signedHeaders(
  url: string,
  body: string,
  credentials: Credentials,
  region: string,
  { method = "POST", signingDate }: { method?: string; signingDate?: Date } = {},
): Promise<Record<string, string>> {
  const { hostname, port, pathname } = new URL(url);
  const signer = new SignatureV4({ credentials, region, service: "appsync", sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: "https:",
      hostname,
      path: pathname,
      headers: { host: `${hostname}:${port}`, "content-type": "application/json; charset=UTF-8", accept: "application/json, text/javascript" },
      body,
    }),
    { signingDate },
  );
  return signed.headers as Record<string, string>;
}

async function authHeaders(auth: TestAuth, url: string, body: string): Promise<Record<string, string>> {
  if ("token" in auth) return { authorization: auth.token };
  return "apiKey" in auth ? { "x-api-key": auth.apiKey } : signedHeaders(url, body, auth.iam, auth.region);
}

/** The `header` of a real-time handshake, or the `authorization` of a start: `{host, …}` plus the credentials. */
async function realtimeAuthorization(auth: TestAuth, graphqlUrl: string, body: string, signedUrl: string): Promise<Record<string, string>> {
  const host = new URL(graphqlUrl).host;
  if ("token" in auth) return { host, Authorization: auth.token };
  return "apiKey" in auth ? { host, "x-api-key": auth.apiKey } : signedHeaders(signedUrl, body, auth.iam, auth.region);
}

/** POSTs a GraphQL request over plain HTTP; returns status and parsed body. */
export async function graphql(
  endpoints: RegionOutputs,
  auth: TestAuth | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: { message: string; errorType: string | null; path?: unknown }[] } }> {
  const body = JSON.stringify({ query, variables });
  const headers = auth ? await authHeaders(auth, endpoints.graphqlUrl, body) : {};
  const response = await fetch(plain(endpoints.graphqlUrl), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, body: (await response.json()) as Awaited<ReturnType<typeof graphql>>["body"] };
}

/** A message the server sent. */
export interface ServerMessage {
  type: string;
  id?: string;
  payload?: { data?: Record<string, unknown>; errors?: { errorType?: string; message: string }[]; connectionTimeoutMs?: number };
}

/** A real-time client that records every message and lets a test wait for one. */
export class RealtimeClient {
  readonly received: ServerMessage[] = [];
  /** Each received message's text as it came on the wire. */
  private readonly texts = new WeakMap<ServerMessage, string>();
  private waiters: { match: (message: ServerMessage) => boolean; resolve: (message: ServerMessage) => void }[] = [];
  private constructor(readonly socket: WebSocket, private readonly endpoints: RegionOutputs, private readonly auth: TestAuth) {
    socket.on("message", (data) => {
      const text = data.toString();
      const message = JSON.parse(text) as ServerMessage;
      this.texts.set(message, text);
      this.received.push(message);
      this.waiters = this.waiters.filter((waiter) => (waiter.match(message) ? (waiter.resolve(message), false) : true));
    });
  }

  /** Opens a connection with the handshake `header` for `auth`; `init` also sends connection_init and waits for the ack. */
  static async connect(endpoints: RegionOutputs, auth: TestAuth, init = true, options: WebSocket.ClientOptions = {}, secure = false): Promise<RealtimeClient> {
    const header = await realtimeAuthorization(auth, endpoints.graphqlUrl, "{}", `${endpoints.graphqlUrl}/connect`);
    const query = `?header=${Buffer.from(JSON.stringify(header)).toString("base64")}&payload=e30=`;
    const socket = new WebSocket((secure ? endpoints.realtimeUrl : plain(endpoints.realtimeUrl)) + query, ["graphql-ws"], options);
    const client = new RealtimeClient(socket, endpoints, auth);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    if (init) {
      client.send({ type: "connection_init" });
      await client.next((message) => message.type === "connection_ack");
    }
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first message (already received or coming) that matches. */
  next(match: (message: ServerMessage) => boolean): Promise<ServerMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The text, as sent, of the first message (already received or coming) that matches. */
  async nextFrame(match: (message: ServerMessage) => boolean): Promise<string> {
    return this.texts.get(await this.next(match)) as string;
  }

  /** The start message for a subscription, authorized like the connection unless `auth` says otherwise. */
  async startMessage(id: string, query: string, variables: Record<string, unknown>, auth: TestAuth = this.auth) {
    const data = JSON.stringify({ query, variables });
    const authorization = await realtimeAuthorization(auth, this.endpoints.graphqlUrl, data, this.endpoints.graphqlUrl);
    return { id, type: "start", payload: { data, extensions: { authorization } } };
  }

  /** Starts a subscription and waits for its start_ack or error. */
  async subscribe(id: string, query: string, variables: Record<string, unknown> = {}, auth?: TestAuth): Promise<ServerMessage> {
    this.send(await this.startMessage(id, query, variables, auth));
    return this.next((message) => message.id === id && (message.type === "start_ack" || message.type === "error"));
  }

  /** The data messages received for subscription `id`. */
  dataFor(id: string): ServerMessage[] {
    return this.received.filter((message) => message.id === id && message.type === "data");
  }

  close(): void {
    this.socket.close();
  }
}

/** Every Channel field, as a selection set's text. */
export const EVERY_FIELD = CHANNEL_FIELDS.join(" ");
/** Subscribes to channel `name` selecting every Channel field. */
export const SUBSCRIBE_ALL = `subscription Sub($name: String!) { subscribe(name: $name) { ${EVERY_FIELD} } }`;
/** Publishes `data` (already JSON text) on channel `name`, selecting every Channel field. */
export const PUBLISH = `mutation Pub($name: String!, $data: AWSJSON!) { publish(name: $name, data: $data) { ${EVERY_FIELD} } }`;
/** Reads channel `name`'s history. */
export const HISTORY = `query History($name: String!) { history(name: $name) { items { ${EVERY_FIELD} } nextToken } }`;

/** A region's API key; fails the test when the stack has none (`apiKeyAccess: none`). */
export function apiKeyOf(endpoints: RegionOutputs): string {
  if (endpoints.apiKey === undefined) throw new Error("this stack has no API key: its apiKeyAccess is none");
  return endpoints.apiKey;
}
