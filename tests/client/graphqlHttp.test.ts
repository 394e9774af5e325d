import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { graphqlRequest } from "../../client/lib/graphqlHttp";

describe("GraphQL over HTTP client", () => {
  let server: Server;
  afterEach(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("fails, naming the API, when the server accepts the request but never answers", async () => {
    server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const failure = await graphqlRequest({ url: `${origin}/graphql`, timeoutMs: 100 }, { mode: "apiKey", apiKey: "da2-key" }, "query { channels }").then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).to.equal(`No answer from ${origin} in 100 ms.`);
  });
});
