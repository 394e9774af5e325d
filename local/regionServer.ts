import * as http from "http";
import * as https from "https";
import * as net from "net";
import type { Duplex } from "stream";

/** What one region's port serves. */
export interface RegionHandlers {
  readonly request: (request: http.IncomingMessage, response: http.ServerResponse) => void | Promise<void>;
  readonly upgrade: (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** A listening region port. */
export interface RegionServer {
  readonly port: number;
  /**
   * Down (`true`): stops listening, so new connections are refused (what a client sees of a region
   * it cannot reach), and drops every open connection (WebSockets included). Up: listens again on
   * the same port.
   */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The first byte of a TLS connection (a handshake record). */
const TLS_HANDSHAKE = 0x16;

/** A connection that sends no byte this long after it opens is closed (ours; clients send at once). */
export const FIRST_BYTE_TIMEOUT_MS = 10_000;

/**
 * Serves plain HTTP/WS and HTTPS/WSS on one loopback port: the first byte of each connection
 * says which (0x16 opens a TLS handshake), and the socket goes to the matching server. A connection
 * that sends nothing within `firstByteTimeoutMs` is closed, so idle sockets cannot pile up.
 */
export async function listenRegion(
  port: number,
  tls: { key: string; cert: string },
  handlers: RegionHandlers,
  firstByteTimeoutMs = FIRST_BYTE_TIMEOUT_MS,
): Promise<RegionServer> {
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    Promise.resolve(handlers.request(request, response)).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ errors: [{ errorType: "InternalFailure", message: error.message }] }));
    });
  };
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      handlers.upgrade(request, socket, head);
    } catch {
      socket.end("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n");
    }
  };
  const plain = http.createServer(onRequest);
  const secure = https.createServer({ key: tls.key, cert: tls.cert }, onRequest);
  for (const server of [plain, secure]) server.on("upgrade", onUpgrade);
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(firstByteTimeoutMs, () => socket.destroy());
    socket.once("data", (first) => {
      // From here the HTTP server's own timeouts (headers, keep-alive, TLS handshake) apply.
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? secure : plain).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });
  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      front.once("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "EADDRINUSE" ? new Error(`Port ${onPort} on 127.0.0.1 is in use: stop what uses it, or pick other ports with --port N`) : error),
      );
      front.listen(onPort, "127.0.0.1", () => resolve());
    });
  /** Stops listening and drops every connection; resolves once the port is free. */
  const stopListening = () =>
    new Promise<void>((resolve) => {
      front.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await listen(port);
  const boundPort = (front.address() as net.AddressInfo).port;
  let down = false;
  // One change at a time: the port must be free before it is bound again.
  let changing = Promise.resolve();
  const change = (value: boolean) =>
    (changing = changing.then(async () => {
      if (value === down) return;
      down = value;
      await (value ? stopListening() : listen(boundPort));
    }));
  return {
    port: boundPort,
    setDown: change,
    close: async () => {
      await changing.catch(() => {});
      plain.close();
      secure.close();
      if (!down) await stopListening();
    },
  };
}
