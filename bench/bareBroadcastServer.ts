import * as http from "http";
import { WebSocketServer } from "ws";

/**
 * The ceiling: a bare `ws` server that broadcasts every message POSTed to /publish to every
 * connected client, with no GraphQL, auth, filters or buses.
 */
export async function startBareBroadcastServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const frame = JSON.stringify({ type: "data", payload: { data: JSON.parse(body) } });
      for (const client of sockets.clients) client.send(frame);
      response.end("{}");
    });
  });
  server.on("upgrade", (request, socket, head) => sockets.handleUpgrade(request, socket, head, (client) => sockets.emit("connection", client)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of sockets.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
