import { expect } from "chai";
import * as net from "net";
import { MAX_REQUEST_BYTES } from "../../local/appsync/regionalApi";
import { startLocalStack, type LocalStack } from "../../local/index";
import { apiKeyOf, graphql, plain, signedHeaders } from "./realtimeClient";

const NOT_AUTHORIZED = { errors: [{ errorType: "UnauthorizedException", message: "You are not authorized to make this call." }] };

/** Sends `head` (and `body` parts, if any) on a raw connection and returns the status and text of what comes back before the server closes it. */
function exchange(port: number, head: string, body: (socket: net.Socket) => void = () => {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (data) => (text += data.toString()));
    socket.on("error", reject);
    socket.on("close", () => resolve({ status: Number(text.split(" ")[1]), text }));
    socket.write(head);
    body(socket);
  });
}

const postHead = (headers: Record<string, string>) =>
  `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;

describe("local runtime: requests are authenticated before their body is read", function () {
  let stack: LocalStack;
  const endpoints = () => stack.outputs.regions["us-west-2"];
  const port = () => Number(new URL(endpoints().graphqlUrl).port);

  before(async () => {
    stack = await startLocalStack({ regions: ["us-west-2"], channels: [], basePort: 0, outputsFile: null, log: () => {} });
  });
  after(() => stack.stop());

  it("answers 401 from the headers, without waiting for a body it never reads", async () => {
    const { status, text } = await exchange(port(), postHead({ "Content-Length": String(100 * 1024 * 1024) }));
    expect(status).to.equal(401);
    expect(text).to.contain(JSON.stringify(NOT_AUTHORIZED));
  });

  it("answers 401 from the headers to a signature with an unknown access key or region", async () => {
    const signed = await signedHeaders(endpoints().graphqlUrl, "{}", { ...stack.outputs.credentials, accessKeyId: "AKIAOTHER" }, "us-west-2");
    expect((await exchange(port(), postHead({ ...signed, "Content-Length": String(100 * 1024 * 1024) }))).status).to.equal(401);
    const elsewhere = await signedHeaders(endpoints().graphqlUrl, "{}", stack.outputs.credentials, "eu-west-1");
    expect((await exchange(port(), postHead({ ...elsewhere, "Content-Length": String(100 * 1024 * 1024) }))).status).to.equal(401);
  });

  it(`answers 413 to a caller whose Content-Length is over ${MAX_REQUEST_BYTES} bytes, without reading it`, async () => {
    const { status, text } = await exchange(port(), postHead({ "x-api-key": apiKeyOf(endpoints()), "Content-Length": String(MAX_REQUEST_BYTES + 1) }));
    expect(status).to.equal(413);
    expect(text).to.contain('"errorType":"PayloadTooLarge"');
  });

  it("cuts a chunked body off with a 413 once it goes past the limit", async () => {
    const chunk = "x".repeat(64 * 1024);
    const { status } = await exchange(port(), postHead({ "x-api-key": apiKeyOf(endpoints()), "Transfer-Encoding": "chunked" }), (socket) => {
      // Never ends: the answer must come from the limit, not from the end of the body.
      for (let sent = 0; sent <= MAX_REQUEST_BYTES; sent += chunk.length) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    expect(status).to.equal(413);
  });

  it("serves a body of exactly the limit", async () => {
    const request = JSON.stringify({ query: "{ channels }" });
    const body = request.slice(0, -1) + " ".repeat(MAX_REQUEST_BYTES - request.length) + "}";
    const response = await fetch(plain(endpoints().graphqlUrl), { method: "POST", headers: { "x-api-key": apiKeyOf(endpoints()) }, body });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ data: { channels: [] } });
  });

  it("takes a SigV4 signature made within AWS's 5 minutes of the server's clock, and refuses one made earlier", async () => {
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60 * 1000);
    const post = async (signingDate: Date) => {
      const body = JSON.stringify({ query: "{ channels }" });
      const headers = await signedHeaders(endpoints().graphqlUrl, body, stack.outputs.credentials, "us-west-2", { signingDate });
      return fetch(plain(endpoints().graphqlUrl), { method: "POST", headers, body });
    };
    expect((await post(minutesAgo(4))).status).to.equal(200);
    expect((await post(minutesAgo(6))).status).to.equal(401);
    expect((await post(new Date(Date.now() + 6 * 60 * 1000))).status).to.equal(401);
  });

  describe("GET /dead-letters (message bodies, so IAM only, as reading an SQS queue is)", () => {
    const url = () => plain(endpoints().deadLetterQueueUrl);

    it("answers 401 without credentials", async () => {
      const response = await fetch(url());
      expect(response.status).to.equal(401);
      expect(await response.json()).to.deep.equal(NOT_AUTHORIZED);
    });

    it("answers 403 to an API key", async () => {
      const response = await fetch(url(), { headers: { "x-api-key": apiKeyOf(endpoints()) } });
      expect(response.status).to.equal(403);
      expect(((await response.json()) as typeof NOT_AUTHORIZED).errors[0]).to.include({ errorType: "AccessDeniedException" });
    });

    it("answers 401 to a signature made for another request", async () => {
      const headers = await signedHeaders(endpoints().graphqlUrl, "", stack.outputs.credentials, "us-west-2", { method: "GET" });
      expect((await fetch(url(), { headers })).status).to.equal(401);
    });

    it("lists the dead letters to a SigV4-signed GET", async () => {
      const headers = await signedHeaders(endpoints().deadLetterQueueUrl, "", stack.outputs.credentials, "us-west-2", { method: "GET" });
      const response = await fetch(url(), { headers });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal([]);
    });
  });

  it("still serves GraphQL after all of the above", async () => {
    expect(await graphql(endpoints(), { apiKey: apiKeyOf(endpoints()) }, "{ channels }")).to.deep.equal({ status: 200, body: { data: { channels: [] } } });
  });
});
