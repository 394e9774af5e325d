import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize } from "node:path";
import { readCertificate } from "../../local/tls";
import { ClientError } from "../lib/errors";
import type { ClientOutputs } from "../lib/outputs";
import { browserOutputs } from "../lib/regions";
import { WEB_DIST, ensureWebAppBuilt } from "./build";

/** How to serve the web app. */
export interface WebAppOptions {
  /** The stack outputs the page talks to; only the regions' public endpoints and API keys reach the browser. */
  outputs: ClientOutputs;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /**
   * TLS identity to serve with. Defaults to the local runtime's certificate when the outputs name
   * one, so that accepting it once in the browser also lets the page's wss:// connections through.
   * Without either, the app is served over plain http (fine against a deployed stack).
   */
  tls?: { key: string; cert: string };
  log?: (line: string) => void;
}

/** A running web app server. */
export interface WebApp {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** Builds the app if needed and serves it, plus `/outputs.json`, on 127.0.0.1. */
export async function startWebApp(options: WebAppOptions): Promise<WebApp> {
  await ensureWebAppBuilt(options.log);
  const publicOutputs = JSON.stringify(browserOutputs(options.outputs.regions, options.outputs.historyRetentionHours, options.outputs.oidc));
  const tls = options.tls ?? (await localCertificate(options.outputs));
  // A failed read (e.g. another `globalws web` rebuilding dist) answers 500; unhandled, it would end
  // the process, which under `npm start` also serves every region.
  const handler = (request: IncomingMessage, response: ServerResponse) =>
    void serve(request.url ?? "/", publicOutputs, response).catch((error: Error) => {
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end(`globalws web: ${error.message}\n`);
    });
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The certificate the local runtime serves (the page must use the same one), as its outputs name it. */
async function localCertificate(outputs: ClientOutputs) {
  if (!outputs.certificateFile) return undefined;
  const certificate = readCertificate(dirname(outputs.certificateFile));
  if (!certificate) {
    throw new ClientError(`The local runtime's certificate ${outputs.certificateFile} is missing or expired: restart npm start.`);
  }
  return certificate;
}

async function serve(url: string, publicOutputs: string, response: ServerResponse): Promise<void> {
  const path = new URL(url, "http://localhost").pathname;
  if (path === "/outputs.json") {
    response.writeHead(200, { "content-type": CONTENT_TYPES[".json"], "cache-control": "no-store" });
    response.end(publicOutputs);
    return;
  }
  // Any path that is not a built file gets the page itself (the app reads its state from the query).
  const file = join(WEB_DIST, normalize(path).replace(/^(\.\.[/\\])+/, ""));
  const body = await readFile(file).catch(() => undefined);
  if (body && extname(file)) {
    response.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(body);
    return;
  }
  const page = await readFile(join(WEB_DIST, "index.html"));
  response.writeHead(200, { "content-type": CONTENT_TYPES[".html"], "cache-control": "no-store" });
  response.end(page);
}
