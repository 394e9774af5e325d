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

/**
 * How long a connection may take over each step, and how many a port holds. Node enforces its own
 * `headersTimeout` and `requestTimeout` only on a server that listens itself, and here the HTTP
 * servers are handed their sockets, so these are enforced here.
 */
export interface ConnectionGuards {
  /** A TLS handshake must be done this long after its first byte. */
  readonly handshakeTimeoutMs: number;
  /** A request's line and headers must be complete this long after the connection is ready for them (opened, TLS done, or the previous response sent). */
  readonly headTimeoutMs: number;
  /** A request's body must be complete this long after its headers. */
  readonly bodyTimeoutMs: number;
  /** Connections the port holds at once; one more is closed as it opens. */
  readonly maxConnections: number;
}

/** Ours: our clients send each step at once; 2,000 connections are four times the benchmark's per region. */
export const CONNECTION_GUARDS: ConnectionGuards = { handshakeTimeoutMs: 10_000, headTimeoutMs: 10_000, bodyTimeoutMs: 10_000, maxConnections: 2_000 };

/** The first byte of a TLS connection (a handshake record). */
const TLS_HANDSHAKE = 0x16;

/** A connection that sends no byte this long after it opens is closed (ours; clients send at once). */
export const FIRST_BYTE_TIMEOUT_MS = 10_000;

const REQUEST_TIMEOUT_BODY = JSON.stringify({ errors: [{ errorType: "RequestTimeout", message: "The request body did not arrive in time." }] });

/** Per HTTP connection: the deadline for the next request's head, and the requests under way. */
interface ConnectionState {
  headDeadline?: NodeJS.Timeout;
  requests: number;
}

/**
 * Serves plain HTTP/WS and HTTPS/WSS on one loopback port: the first byte of each connection
 * says which (0x16 opens a TLS handshake), and the socket goes to the matching server. Every step
 * of a connection has a deadline (first byte, TLS handshake, request head, request body; see
 * `ConnectionGuards`) and the port holds a bounded number of connections, so idle or trickling
 * sockets cannot pile up.
 */
export async function listenRegion(
  port: number,
  tls: { key: string; cert: string },
  handlers: RegionHandlers,
  firstByteTimeoutMs = FIRST_BYTE_TIMEOUT_MS,
  guardOptions: Partial<ConnectionGuards> = {},
): Promise<RegionServer> {
  const guards = { ...CONNECTION_GUARDS, ...guardOptions };
  const connections = new WeakMap<Duplex, ConnectionState>();
  const stateOf = (socket: Duplex): ConnectionState => {
    let state = connections.get(socket);
    if (!state) {
      const created: ConnectionState = { requests: 0 };
      socket.once("close", () => clearTimeout(created.headDeadline));
      connections.set(socket, (state = created));
    }
    return state;
  };
  const awaitHead = (socket: Duplex) => {
    const state = stateOf(socket);
    clearTimeout(state.headDeadline);
    state.headDeadline = setTimeout(() => socket.destroy(), guards.headTimeoutMs).unref();
  };
  const headArrived = (socket: Duplex): ConnectionState => {
    const state = stateOf(socket);
    clearTimeout(state.headDeadline);
    return state;
  };

  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const state = headArrived(request.socket);
    state.requests += 1;
    const bodyDeadline = setTimeout(() => {
      if (request.complete) return;
      if (!response.headersSent) response.writeHead(408, { "content-type": "application/json", connection: "close" });
      response.end(REQUEST_TIMEOUT_BODY, () => request.socket.destroy());
    }, guards.bodyTimeoutMs).unref();
    response.once("close", () => {
      clearTimeout(bodyDeadline);
      state.requests -= 1;
      // The connection stays open for another request: its head is due in time too.
      if (state.requests === 0 && !request.socket.destroyed) awaitHead(request.socket);
    });
    Promise.resolve(handlers.request(request, response)).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ errors: [{ errorType: "InternalFailure", message: error.message }] }));
    });
  };
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    headArrived(socket);
    try {
      handlers.upgrade(request, socket, head);
    } catch {
      socket.end("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n");
    }
  };
  const plain = http.createServer(onRequest);
  const secure = https.createServer({ key: tls.key, cert: tls.cert, handshakeTimeout: guards.handshakeTimeoutMs }, onRequest);
  secure.on("secureConnection", awaitHead);
  for (const server of [plain, secure]) server.on("upgrade", onUpgrade);
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(firstByteTimeoutMs, () => socket.destroy());
    socket.once("data", (first) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      const tlsHandshake = first[0] === TLS_HANDSHAKE;
      if (!tlsHandshake) awaitHead(socket);
      (tlsHandshake ? secure : plain).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });
  front.maxConnections = guards.maxConnections;
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
