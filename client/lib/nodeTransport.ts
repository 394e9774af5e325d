import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import WebSocket from "ws";
import { NetworkError } from "./errors";
import type { HttpSend, Transport, WebSocketLike } from "./transport";

/** How long `close` lets the server answer the close frame before dropping the socket (ws waits 30 s). */
const CLOSE_TIMEOUT_MS = 1_000;

/**
 * Node's transport: `ws` WebSockets and `https` requests (kept-alive connections), trusting `ca`
 * too (the local runtime's self-signed certificate) when given.
 */
export function nodeTransport(ca?: string): Transport {
  return { webSocket: (url, protocols) => nodeWebSocket(url, protocols, ca), http: nodeHttp(ca) };
}

/** A `ws` socket that, once closed by us, is dropped if the server does not answer promptly (e.g. the network is gone). */
function nodeWebSocket(url: string, protocols: string[], ca?: string): WebSocketLike {
  const socket = new WebSocket(url, protocols, { ca });
  const close = socket.close.bind(socket);
  socket.close = (code?: number, reason?: string) => {
    if (socket.readyState === WebSocket.CLOSED) return;
    if (socket.readyState === WebSocket.CONNECTING) return socket.terminate();
    close(code, reason);
    setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS).unref();
  };
  return socket as unknown as WebSocketLike;
}

function nodeHttp(ca?: string): HttpSend {
  const agents = { "https:": new HttpsAgent({ keepAlive: true, ca }), "http:": new HttpAgent({ keepAlive: true }) };
  return (request) => {
    const url = new URL(request.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        url,
        { method: request.method, headers: request.headers, agent: agents[url.protocol as keyof typeof agents], timeout: request.timeoutMs },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          incoming.on("error", (error) => reject(new NetworkError(`${url.origin} broke off its answer: ${error.message}`, "unreachable")));
        },
      );
      outgoing.on("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "ETIMEDOUT" ? new NetworkError(`No answer from ${url.origin} in ${request.timeoutMs} ms.`, "timeout") : new NetworkError(`Cannot reach ${url.origin}: ${error.message}`, "unreachable")),
      );
      // A server that accepted the connection but never answers would otherwise hold the caller forever.
      outgoing.on("timeout", () => outgoing.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
      outgoing.end(request.body);
    });
  };
}
