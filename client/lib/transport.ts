import { NetworkError } from "./errors";

/**
 * What the library needs of a WebSocket: the browser's `WebSocket` interface, which `ws` in Node
 * implements too. The library sets the four handlers, sends text frames and closes.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a WebSocket to `url` offering `protocols`. */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

/** One HTTP request. */
export interface HttpRequest {
  url: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body?: string;
  /** Give up (a `NetworkError` with reason `timeout`) when no answer came in this long. */
  timeoutMs: number;
}

/** An HTTP answer, whatever its status. */
export interface HttpResponse {
  status: number;
  body: string;
}

/**
 * Sends one HTTP request. Rejects with a `NetworkError` when the server cannot be reached or does
 * not answer in time; any answer, whatever its status, resolves.
 */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

/** How the library reaches the API: browsers use `browserTransport()`, Node `nodeTransport(ca)` (node.ts). */
export interface Transport {
  webSocket: WebSocketFactory;
  http: HttpSend;
}

/** Headers a browser refuses to set itself (fetch computes them). */
const FORBIDDEN_HEADERS = new Set(["host", "content-length"]);

/** The browser's own `WebSocket` and `fetch`. */
export function browserTransport(): Transport {
  return {
    webSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
    http: async (request) => {
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !FORBIDDEN_HEADERS.has(name.toLowerCase())));
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), request.timeoutMs);
      try {
        const response = await fetch(request.url, { method: request.method, headers, body: request.body, signal: abort.signal });
        return { status: response.status, body: await response.text() };
      } catch (error) {
        const timedOut = abort.signal.aborted;
        throw new NetworkError(
          timedOut ? `No answer from ${new URL(request.url).origin} in ${request.timeoutMs} ms.` : `Cannot reach ${new URL(request.url).origin}: ${(error as Error).message}`,
          timedOut ? "timeout" : "unreachable",
        );
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
