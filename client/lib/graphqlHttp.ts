import { requestSigner, type CredentialsProvider } from "./auth";
import { graphqlRequest as request } from "./graphql";
import { nodeTransport } from "./nodeTransport";

/** How a request proves who sends it: the region's API key, or IAM (SigV4, service `appsync`). */
export type GraphqlAuth =
  | { mode: "apiKey"; apiKey: string }
  | { mode: "iam"; region: string; credentials: CredentialsProvider };

/** Where to send GraphQL over HTTP. */
export interface GraphqlEndpoint {
  url: string;
  /** Extra PEM certificate to trust (the local runtime's self-signed one). */
  ca?: string;
  /** How long the connection may stay silent before the request fails (default 30 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** One transport (and its kept-alive connections) per trusted certificate. */
const transports = new Map<string, ReturnType<typeof nodeTransport>>();
const transportFor = (ca = "") => transports.get(ca) ?? transports.set(ca, nodeTransport(ca || undefined)).get(ca)!;

/** Sends one GraphQL operation from Node and returns its `data`; throws `GraphqlError` for an `errors` list. */
export function graphqlRequest<T>(endpoint: GraphqlEndpoint, auth: GraphqlAuth, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const signer = auth.mode === "apiKey" ? requestSigner("", auth.apiKey, { mode: "apiKey" }) : requestSigner(auth.region, undefined, auth);
  return request<T>(transportFor(endpoint.ca).http, endpoint.url, signer, query, variables, endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}
