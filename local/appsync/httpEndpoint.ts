import type { IncomingMessage, ServerResponse } from "http";
import { authenticate, authModeFromHeaders, refusalFor, type ApiSecrets, type Caller } from "./auth";
import { requestError } from "./appSyncErrors";
import { MAX_REQUEST_BYTES, type RegionalApi } from "./regionalApi";

// Browsers (the web client) call the API from another origin, as they call AppSync.
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "*",
  "access-control-max-age": "86400",
};

const TOO_LARGE_BODY = { errors: [requestError(`The request body is larger than ${MAX_REQUEST_BYTES} bytes.`, "PayloadTooLarge")] };

/** Bytes of request bodies one region takes in at once (ours): 64 bodies of the largest size. */
export const BODY_BUDGET_BYTES = 64 * MAX_REQUEST_BYTES;

const BUSY_BODY = {
  errors: [requestError(`This region is taking in ${BODY_BUDGET_BYTES} bytes of request bodies at once, its limit; retry once some requests are done.`, "BodyBudgetExceeded")],
};

/** Answers; `close` ends the connection too, so a body left unread is never read. */
function send(response: ServerResponse, status: number, body: unknown, close = false): void {
  response.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...CORS_HEADERS, ...(close ? { connection: "close" } : {}) });
  response.end(JSON.stringify(body));
}

/** The most body a request may bring: its `Content-Length`, or the limit when chunked. */
function bodyBytesAtMost(request: IncomingMessage): number {
  return request.headers["transfer-encoding"] ? MAX_REQUEST_BYTES : Number(request.headers["content-length"] ?? 0);
}

/** The body, read up to `MAX_REQUEST_BYTES`; `null` as soon as it goes past, the rest left unread. */
function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) return void chunks.push(chunk);
      request.off("data", onData);
      request.pause();
      resolve(null);
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** An extra GET route a region serves next to GraphQL, to anyone: its answer. */
export type Routes = Record<string, () => unknown>;

/** A route a region serves next to GraphQL, to IAM callers only; it may throw a `RouteError`. */
export interface IamRoute {
  readonly method: "GET" | "POST";
  handle(query: URLSearchParams): unknown;
}

/** A request an IAM route refuses (answered with `status` and the message as AppSync words errors). */
export class RouteError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly errorType = "BadRequest",
  ) {
    super(message);
  }
}

/**
 * The extra routes: to IAM callers only (the dead-letter list, as reading an SQS queue needs IAM, and
 * the local outage control), and to anyone (the local OIDC issuer's documents).
 */
export interface ExtraRoutes {
  readonly iam?: Record<string, IamRoute>;
  readonly open?: Routes;
}

/**
 * `POST /graphql` as AppSync serves it: API key (`x-api-key`), SigV4 or an OIDC token
 * (`Authorization`), a 401 with `UnauthorizedException` when none is valid, errors in AppSync's
 * shape. The caller is checked from the headers before any of the body is read (a token is verified
 * in full, as it does not depend on the body); a body over `MAX_REQUEST_BYTES` gets a 413 and is
 * not read further. Each body's bytes (at most) are set aside from `BODY_BUDGET_BYTES` until its
 * response is done: one that does not fit gets a 503, unread. A SigV4 signature is verified once
 * the body is in.
 */
export function graphqlHttpHandler(api: RegionalApi, secrets: ApiSecrets, routes: ExtraRoutes = {}) {
  let bodyBytesTaken = 0;
  /** Sets `bytes` aside for a request until its response closes; `false` when they do not fit. */
  const setAside = (bytes: number, response: ServerResponse): boolean => {
    if (bodyBytesTaken + bytes > BODY_BUDGET_BYTES) return false;
    bodyBytesTaken += bytes;
    response.once("close", () => (bodyBytesTaken -= bytes));
    return true;
  };
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://local");
    if (request.method === "OPTIONS") {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : value]));
    const signed = (body: string) => ({ method: request.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });
    const authenticated = (body: string): Promise<Caller | null> => authenticate(signed(body), secrets, request.socket.remoteAddress);

    const refused = () => ({ errors: [refusalFor(headers, secrets)] });

    const openRoute = routes.open?.[url.pathname];
    if (openRoute && request.method === "GET") return send(response, 200, openRoute());
    const iamRoute = routes.iam?.[url.pathname];
    if (iamRoute && request.method === iamRoute.method) {
      const mode = authModeFromHeaders(headers, secrets);
      if (mode === "API_KEY" || mode === "OPENID_CONNECT") {
        return send(response, 403, { errors: [requestError(`${url.pathname} needs IAM (SigV4) credentials, as reading an SQS queue does; an API key or a token is not enough.`, "AccessDeniedException")] }, true);
      }
      if (!mode || !(await authenticated(""))) return send(response, 401, refused(), true);
      try {
        return send(response, 200, await iamRoute.handle(url.searchParams));
      } catch (error) {
        if (!(error instanceof RouteError)) throw error;
        return send(response, error.status, { errors: [requestError(error.message, error.errorType)] });
      }
    }
    if (url.pathname !== "/graphql") return send(response, 404, { errors: [requestError(`No route ${url.pathname}: use POST /graphql`, "NotFoundException")] });
    if (request.method !== "POST") return send(response, 405, { errors: [requestError("Use POST for /graphql", "MethodNotAllowed")] });

    const mode = authModeFromHeaders(headers, secrets);
    if (!mode) return send(response, 401, refused(), true);
    // A token is verified before the body is read: the body plays no part in it.
    const tokenCaller = mode === "OPENID_CONNECT" ? await authenticated("") : undefined;
    if (tokenCaller === null) return send(response, 401, refused(), true);
    const bodyBytes = bodyBytesAtMost(request);
    if (bodyBytes > MAX_REQUEST_BYTES) return send(response, 413, TOO_LARGE_BODY, true);
    if (!setAside(bodyBytes, response)) return send(response, 503, BUSY_BODY, true);
    const body = await readBody(request);
    if (body === null) return send(response, 413, TOO_LARGE_BODY, true);
    const caller = tokenCaller ?? (await authenticated(body));
    if (!caller) return send(response, 401, refused());
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
