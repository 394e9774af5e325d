import type { IncomingMessage, ServerResponse } from "http";
import { authenticate, type ApiSecrets } from "./auth";
import { NOT_AUTHORIZED_BODY, requestError } from "./appSyncErrors";
import type { RegionalApi } from "./regionalApi";

/** The largest request body accepted (AppSync's own limit is far above a 240 KB message). */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

// Browsers (the web client) call the API from another origin, as they call AppSync.
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "*",
  "access-control-max-age": "86400",
};

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...CORS_HEADERS });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Extra routes a region serves next to GraphQL (the dead-letter list). */
export type ExtraRoutes = Record<string, () => unknown>;

/**
 * `POST /graphql` as AppSync serves it: API key (`x-api-key`) or SigV4 (`Authorization`), a 401
 * with `UnauthorizedException` when neither is valid, errors in AppSync's shape.
 */
export function graphqlHttpHandler(api: RegionalApi, secrets: ApiSecrets, extraRoutes: ExtraRoutes = {}) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://local");
    if (request.method === "OPTIONS") {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    const extra = extraRoutes[url.pathname];
    if (extra && request.method === "GET") return send(response, 200, extra());
    if (url.pathname !== "/graphql") return send(response, 404, { errors: [requestError(`No route ${url.pathname}: use POST /graphql`, "NotFoundException")] });
    if (request.method !== "POST") return send(response, 405, { errors: [requestError("Use POST for /graphql", "MethodNotAllowed")] });
    const body = await readBody(request);
    if (body === null) return send(response, 413, { errors: [requestError(`The request body is larger than ${MAX_BODY_BYTES} bytes`, "PayloadTooLarge")] });
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : value]));
    const caller = await authenticate(
      { method: "POST", path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body },
      secrets,
      request.socket.remoteAddress,
    );
    if (!caller) return send(response, 401, NOT_AUTHORIZED_BODY);
    let parsed: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(response, 400, { errors: [requestError("The request body is not valid JSON.", "MalformedHttpRequestException")] });
    }
    const variables = parsed?.variables;
    if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
      return send(response, 400, { errors: [requestError("variables must be a JSON object.", "MalformedHttpRequestException")] });
    }
    const result = await api.execute(
      {
        query: parsed?.query as string,
        variables: variables as Record<string, unknown> | null | undefined,
        operationName: typeof parsed?.operationName === "string" ? parsed.operationName : null,
      },
      caller,
      headers as Record<string, string>,
    );
    send(response, 200, result);
  };
}
