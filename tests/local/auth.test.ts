import { expect } from "chai";
import * as fs from "fs";
import * as https from "https";
import WebSocket from "ws";
import { startLocalStack, type LocalStack } from "../../local/index";
import { apiKeyOf, graphql, plain, PUBLISH, RealtimeClient, signedHeaders, SUBSCRIBE_ALL } from "./realtimeClient";

const NOT_AUTHORIZED = { errors: [{ errorType: "UnauthorizedException", message: "You are not authorized to make this call." }] };

describe("local runtime: authentication", function () {
  let stack: LocalStack;
  const endpoints = () => stack.outputs.regions["us-west-2"];
  const iam = () => ({ iam: stack.outputs.credentials, region: "us-west-2" });

  before(async () => {
    stack = await startLocalStack({ regions: ["us-west-2"], channels: [], basePort: 0, outputsFile: null, log: () => {} });
  });
  after(() => stack.stop());

  it("answers HTTP 401 without a key or signature", async () => {
    const { status, body } = await graphql(endpoints(), null, "{ channels }");
    expect(status).to.equal(401);
    expect(body).to.deep.equal(NOT_AUTHORIZED);
  });

  it("answers HTTP 401 for a wrong API key, and serves the right one", async () => {
    expect(await graphql(endpoints(), { apiKey: "da2-wrong" }, "{ channels }")).to.deep.equal({ status: 401, body: NOT_AUTHORIZED });
    expect(await graphql(endpoints(), { apiKey: apiKeyOf(endpoints()) }, "{ channels }")).to.deep.equal({ status: 200, body: { data: { channels: [] } } });
  });

  it("accepts a request signed with SigV4 by the AWS SDK's signer", async () => {
    const { status, body } = await graphql(endpoints(), iam(), PUBLISH, { name: "signed", data: "{\"ok\":true}" });
    expect(status).to.equal(200);
    expect(body.errors).to.equal(undefined);
    expect(body.data?.publish).to.include({ name: "signed", data: "{\"ok\":true}" });
  });

  it("refuses a signed request whose body was changed after signing", async () => {
    const body = JSON.stringify({ query: "{ channels }" });
    const headers = await signedHeaders(endpoints().graphqlUrl, body, stack.outputs.credentials, "us-west-2");
    const tampered = await fetch(plain(endpoints().graphqlUrl), { method: "POST", headers, body: body.replace("channels", "channels ") });
    expect(tampered.status).to.equal(401);
    expect(await tampered.json()).to.deep.equal(NOT_AUTHORIZED);
  });

  it("refuses a signature made with another secret or for another region", async () => {
    const wrongSecret = { iam: { ...stack.outputs.credentials, secretAccessKey: "not-the-secret" }, region: "us-west-2" };
    expect((await graphql(endpoints(), wrongSecret, "{ channels }")).status).to.equal(401);
    expect((await graphql(endpoints(), { iam: stack.outputs.credentials, region: "eu-west-1" }, "{ channels }")).status).to.equal(401);
  });

  it("sends connection_error for a wrong key on the real-time handshake", async () => {
    const client = await RealtimeClient.connect(endpoints(), { apiKey: "da2-wrong" }, false);
    const message = await client.next((candidate) => candidate.type === "connection_error");
    expect(message.payload?.errors?.[0]).to.include({ errorType: "UnauthorizedException" });
    await new Promise((resolve) => client.socket.once("close", resolve));
  });

  it("sends connection_error when the handshake carries no header", async () => {
    const socket = new WebSocket(plain(endpoints().realtimeUrl), ["graphql-ws"]);
    const first = await new Promise<string>((resolve) => socket.once("message", (data) => resolve(data.toString())));
    expect(JSON.parse(first)).to.deep.include({ type: "connection_error" });
    socket.close();
  });

  it("refuses a start authorized with a wrong key, and keeps the connection", async () => {
    const client = await RealtimeClient.connect(endpoints(), { apiKey: apiKeyOf(endpoints()) });
    const refused = await client.subscribe("wrong", SUBSCRIBE_ALL, { name: "a" }, { apiKey: "da2-wrong" });
    expect(refused).to.deep.equal({ type: "error", id: "wrong", payload: NOT_AUTHORIZED });
    expect((await client.subscribe("right", SUBSCRIBE_ALL, { name: "a" })).type).to.equal("start_ack");
    client.close();
  });

  it("accepts an IAM handshake and an IAM-signed start, and refuses a start whose data was changed after signing", async () => {
    const client = await RealtimeClient.connect(endpoints(), iam());
    expect((await client.subscribe("iam", SUBSCRIBE_ALL, { name: "a" })).type).to.equal("start_ack");
    const start = await client.startMessage("forged", SUBSCRIBE_ALL, { name: "a" });
    client.send({ ...start, payload: { ...start.payload, data: start.payload.data.replace("\"a\"", "\"b\"") } });
    const refused = await client.next((message) => message.id === "forged");
    expect(refused.payload?.errors?.[0]).to.include({ errorType: "UnauthorizedException" });
    client.close();
  });

  it("refuses signed headers whose values are not strings, on the handshake and on a start, and serves on", async () => {
    const signed = await signedHeaders(`${endpoints().graphqlUrl}/connect`, "{}", stack.outputs.credentials, "us-west-2");
    const header = Buffer.from(JSON.stringify({ ...signed, host: 4000 })).toString("base64");
    const socket = new WebSocket(`${plain(endpoints().realtimeUrl)}?header=${header}&payload=e30=`, ["graphql-ws"]);
    const first = await new Promise<string>((resolve) => socket.once("message", (data) => resolve(data.toString())));
    expect(JSON.parse(first)).to.deep.include({ type: "connection_error" });
    socket.close();

    const client = await RealtimeClient.connect(endpoints(), iam());
    const start = await client.startMessage("odd", SUBSCRIBE_ALL, { name: "a" });
    const authorization = { ...start.payload.extensions.authorization, "x-amz-date": [start.payload.extensions.authorization["x-amz-date"]] };
    client.send({ ...start, payload: { ...start.payload, extensions: { authorization } } });
    expect(await client.next((message) => message.id === "odd")).to.deep.equal({ type: "error", id: "odd", payload: NOT_AUTHORIZED });
    expect((await client.subscribe("even", SUBSCRIBE_ALL, { name: "a" })).type).to.equal("start_ack");
    client.close();
  });

  it("serves https and wss with the generated certificate", async () => {
    const ca = fs.readFileSync(stack.outputs.certificateFile);
    const body = JSON.stringify({ query: "{ channels }" });
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = https.request(endpoints().graphqlUrl, { method: "POST", ca, headers: { "x-api-key": apiKeyOf(endpoints()) } }, (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on("error", reject);
      request.end(body);
    });
    expect(answer).to.deep.equal({ status: 200, text: JSON.stringify({ data: { channels: [] } }) });
    const secure = await RealtimeClient.connect(endpoints(), { apiKey: apiKeyOf(endpoints()) }, true, { ca }, true);
    expect((await secure.subscribe("tls", SUBSCRIBE_ALL, { name: "a" })).type).to.equal("start_ack");
    secure.close();
  });
});
