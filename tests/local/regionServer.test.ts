import { expect } from "chai";
import { mkdtempSync, rmSync } from "fs";
import * as net from "net";
import { tmpdir } from "os";
import * as path from "path";
import { listenRegion, type ConnectionGuards, type RegionServer } from "../../local/regionServer";
import { ensureCertificate } from "../../local/tls";

/** Short deadlines, so the tests need not wait out the real ones; the first byte may take long. */
const GUARDS: ConnectionGuards = { handshakeTimeoutMs: 200, headTimeoutMs: 200, bodyTimeoutMs: 200, maxConnections: 4 };
const FIRST_BYTE_TIMEOUT_MS = 60_000;

const COMPLETE_REQUEST = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
const UPGRADE_REQUEST = "GET /graphql/realtime HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

/** A raw connection to the port, recording what comes back and when it closes. */
function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (data) => (received += data.toString()));
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(received)));
  const answered = new Promise<string>((resolve) => socket.on("data", () => received.includes("\r\n\r\n") && resolve(received)));
  return { socket, closed, answered };
}

/** Writes `text` one byte every 50 ms until the socket closes: no idle timeout ever fires. */
function trickle(socket: net.Socket, text: string): void {
  let sent = 0;
  const timer = setInterval(() => (socket.writable && sent < text.length ? socket.write(text[sent++]) : clearInterval(timer)), 50);
  socket.on("close", () => clearInterval(timer));
}

describe("local runtime: a region's port closes connections that take too long over any step", function () {
  let stateDir: string;
  let server: RegionServer;
  const open = () => connect(server.port);

  before(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "globalws-region-server-"));
    const tls = await ensureCertificate(stateDir);
    server = await listenRegion(
      0,
      tls,
      {
        request: (request, response) => {
          let body = "";
          request.on("data", (chunk) => (body += chunk));
          request.on("end", () => response.end(`got ${body}`));
        },
        // Holds the upgraded connection open, as a WebSocket server does.
        upgrade: (_request, socket) => socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
      },
      FIRST_BYTE_TIMEOUT_MS,
      GUARDS,
    );
  });
  after(async () => {
    await server.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("closes a connection whose request head stays incomplete, whether it stops after a byte or trickles on", async () => {
    const stopped = open();
    stopped.socket.write("P");
    const trickling = open();
    trickling.socket.write("POST /echo HTTP/1.1\r\n");
    trickle(trickling.socket, "X-Slow: " + "x".repeat(10_000));
    expect(await Promise.all([stopped.closed, trickling.closed])).to.deep.equal(["", ""]);
  });

  it("closes a TLS handshake left half done", async () => {
    const half = open();
    half.socket.write(Buffer.from([0x16]));
    expect(await half.closed).to.equal("");
  });

  it("answers 408 to a body that does not arrive in time, trickled or not, and closes the connection", async () => {
    for (const part of ["{", ""]) {
      const slow = open();
      slow.socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n${part}`);
      if (part) trickle(slow.socket, "x".repeat(999));
      const answer = await slow.closed;
      expect(answer.split("\r\n")[0]).to.equal("HTTP/1.1 408 Request Timeout");
      expect(answer).to.contain('"errorType":"RequestTimeout"');
    }
  });

  it("gives a kept-alive connection's next request the same deadline for its head", async () => {
    const kept = open();
    kept.socket.write(COMPLETE_REQUEST);
    expect(await kept.answered).to.contain("got hello");
    trickle(kept.socket, "POST /echo HTTP/1.1\r\nX-Slow: " + "x".repeat(10_000));
    await kept.closed;
  });

  it("serves whole requests, and leaves an upgraded connection open past the head deadline", async () => {
    const upgraded = open();
    upgraded.socket.write(UPGRADE_REQUEST);
    expect((await upgraded.answered).split("\r\n")[0]).to.equal("HTTP/1.1 101 Switching Protocols");
    await new Promise((resolve) => setTimeout(resolve, 3 * GUARDS.headTimeoutMs));
    expect(upgraded.socket.destroyed).to.equal(false);
    const served = open();
    served.socket.write(COMPLETE_REQUEST.replace("HTTP/1.1", "HTTP/1.0"));
    expect(await served.closed).to.contain("got hello");
    upgraded.socket.destroy();
  });

  it(`closes a connection past ${GUARDS.maxConnections} open ones as it opens`, async () => {
    const held = Array.from({ length: GUARDS.maxConnections }, () => open());
    // Upgraded (no deadline applies any more) and answered: the server holds them all.
    for (const { socket } of held) socket.write(UPGRADE_REQUEST);
    await Promise.all(held.map(({ answered }) => answered));
    const extra = open();
    extra.socket.write(COMPLETE_REQUEST);
    expect(await extra.closed).to.equal("");
    for (const { socket } of held) socket.destroy();
  });
});
