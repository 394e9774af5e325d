import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { CredentialsProvider } from "./credentials";
import { ClientError, GraphqlError, type GraphqlErrorEntry } from "./errors";

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

/** Sends one GraphQL operation and returns its `data`; throws `GraphqlError` for an `errors` list. */
export async function graphqlRequest<T>(
  endpoint: GraphqlEndpoint,
  auth: GraphqlAuth,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const url = new URL(endpoint.url);
  const body = JSON.stringify({ query, variables });
  const unsigned = new HttpRequest({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    headers: { host: url.host, "content-type": "application/json" },
    body,
  });
  const signed = auth.mode === "apiKey" ? withApiKey(unsigned, auth.apiKey) : await signRequest(unsigned, auth);
  const response = await send(url, signed.headers, body, endpoint);
  return parseResponse<T>(response, url);
}

function withApiKey(request: HttpRequest, apiKey: string): HttpRequest {
  request.headers["x-api-key"] = apiKey;
  return request;
}

/** Signs `request` with SigV4 for AppSync, as AWS expects of an `@aws_iam` operation. */
async function signRequest(
  request: HttpRequest,
  auth: Extract<GraphqlAuth, { mode: "iam" }>,
): Promise<HttpRequest> {
  const signer = new SignatureV4({
    service: "appsync",
    region: auth.region,
    credentials: auth.credentials,
    sha256: Sha256,
  });
  try {
    return (await signer.sign(request)) as HttpRequest;
  } catch (error) {
    throw new ClientError(
      `No AWS credentials to sign the request with (${(error as Error).message}). Set AWS_PROFILE, or ` +
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    );
  }
}

interface RawResponse {
  status: number;
  text: string;
}

function send(url: URL, headers: Record<string, string>, body: string, endpoint: GraphqlEndpoint): Promise<RawResponse> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const timeout = endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: "POST", headers, ca: endpoint.ca, timeout }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () =>
        resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      incoming.on("error", reject);
    });
    outgoing.on("error", (error) =>
      reject(new ClientError(`Cannot reach ${url.origin}: ${error.message}`)),
    );
    // A server that accepted the connection but never answers would otherwise hold the command forever.
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer in ${timeout} ms`)));
    outgoing.end(body);
  });
}

function parseResponse<T>(response: RawResponse, url: URL): T {
  let parsed: { data?: T; errors?: GraphqlErrorEntry[] };
  try {
    parsed = JSON.parse(response.text);
  } catch {
    throw new ClientError(
      `${url.origin} answered HTTP ${response.status} with a body that is not JSON: ${response.text.slice(0, 200)}`,
    );
  }
  if (parsed.errors?.length) throw new GraphqlError(parsed.errors);
  if (response.status !== 200 || parsed.data === undefined) {
    throw new ClientError(`${url.origin} answered HTTP ${response.status} without data.`);
  }
  return parsed.data;
}
