import { expect } from "chai";
import * as fs from "fs";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import * as path from "path";
import WebSocket from "ws";
import { mintLocalToken, PROJECT_STATE_DIR, startLocalStack, type LocalStack, type RegionOutputs } from "../../local/index";
import { usersConfigWarnings } from "../../infra/usersConfig";
import type { RightsEntry } from "../../resolvers/lib/rules";
import { apiKeyOf, graphql, HISTORY, plain, PUBLISH, RealtimeClient, SUBSCRIBE_ALL, type TestAuth } from "./realtimeClient";

const REGIONS = ["us-west-2", "ap-southeast-2"];
const CHANNELS = ["chat-*", "news", "inbox-*", "lobby"];
const RIGHTS: RightsEntry[] = [
  { group: "members", publish: ["chat-*"], subscribe: ["chat-*", "news"] },
  { group: "editors", publish: ["news"], subscribe: ["news"] },
  { group: "*", publish: ["inbox-*"], subscribe: ["inbox-{sub}", "lobby"] },
];
const CLIENT_ID = "globalws-web";
/** What AppSync answers (HTTP 401) for a token it refuses. */
const TOKEN_REFUSED = { errorType: "UnauthorizedException", message: "Unauthorized" };

type Channel = { name: string; data: string; id: string; origin: string; publishedAt: string; sender: string | null };

describe("local runtime: signed-in users", function () {
  let stack: LocalStack;
  let alice: TestAuth;
  let bob: TestAuth;
  const clients: RealtimeClient[] = [];
  const region = (name: string): RegionOutputs => stack.outputs.regions[name];
  const token = async (sub: string, groups: string[], options: { ttl?: string; now?: Date; audience?: string; issuer?: string } = {}) => {
    const outputs = options.issuer ? { ...stack.outputs, oidc: { ...stack.outputs.oidc, issuer: options.issuer } } : stack.outputs;
    return { token: await mintLocalToken(outputs, { sub, groups, ...options }) };
  };
  const connect = async (name: string, auth: TestAuth) => {
    const client = await RealtimeClient.connect(region(name), auth);
    clients.push(client);
    return client;
  };
  const publish = (name: string, auth: TestAuth, channel: string, data: unknown = "hi") => graphql(region(name), auth, PUBLISH, { name: channel, data: JSON.stringify(data) });
  const published = async (name: string, auth: TestAuth, channel: string, data: unknown = "hi") => {
    const { body } = await publish(name, auth, channel, data);
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    return body.data?.publish as Channel;
  };
  const delivered = (client: RealtimeClient, id: string, messageId: string) =>
    client.next((message) => message.id === id && (message.payload?.data?.subscribe as Channel | undefined)?.id === messageId).then((message) => message.payload?.data?.subscribe as Channel);

  before(async () => {
    stack = await startLocalStack({
      regions: REGIONS,
      channels: CHANNELS,
      basePort: 0,
      outputsFile: null,
      oidc: { clientId: CLIENT_ID, groupsClaim: "cognito:groups" },
      rights: RIGHTS,
      apiKeyAccess: "subscribe",
      log: () => {},
    });
    alice = await token("alice", ["members"]);
    bob = await token("bob", ["editors"]);
  });
  after(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });

  it("serves its issuer's discovery document and JWKS on the first region's port, and names the issuer in the outputs", async () => {
    const issuer = stack.outputs.oidc?.issuer as string;
    expect(issuer).to.equal(new URL(region("us-west-2").graphqlUrl).origin);
    const discovery = (await (await fetch(plain(`${issuer}/.well-known/openid-configuration`))).json()) as { issuer: string; jwks_uri: string };
    expect(discovery).to.deep.include({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
    const jwks = (await (await fetch(plain(discovery.jwks_uri))).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify((alice as { token: string }).token, createLocalJWKSet(jwks), { issuer, audience: CLIENT_ID });
    expect(payload).to.deep.include({ sub: "alice", "cognito:groups": ["members"] });
    expect(stack.outputs.oidc).to.deep.include({ clientId: CLIENT_ID, groupsClaim: "cognito:groups" });
  });

  it("lets each user publish and read history where a right of theirs allows, with the token's sub as sender", async () => {
    const mine = await published("us-west-2", alice, "chat-1", { n: 1 });
    expect(mine.sender).to.equal("alice");
    expect((await published("us-west-2", bob, "news")).sender).to.equal("bob");
    const history = await graphql(region("us-west-2"), alice, HISTORY, { name: "chat-1" });
    expect(history.body.errors).to.equal(undefined);
    const items = (history.body.data?.history as { items: Channel[] }).items;
    expect(items.find((item) => item.id === mine.id)).to.include({ sender: "alice" });
  });

  it("refuses a publish or a history read the user has no right to, naming the channel and the right", async () => {
    const refused = await publish("us-west-2", alice, "news");
    expect(refused.status).to.equal(200);
    expect(refused.body.errors?.[0]).to.include({ errorType: "Unauthorized" });
    expect(refused.body.errors?.[0].message).to.contain('publish to channel "news"');
    const read = await graphql(region("us-west-2"), bob, HISTORY, { name: "chat-1" });
    expect(read.body.errors?.[0]).to.include({ errorType: "Unauthorized" });
    expect(read.body.errors?.[0].message).to.contain('subscribe to channel "chat-1"');
  });

  it("authenticates the real-time handshake and each start with a token, refuses a start without the right, and shows the sender in another region", async () => {
    const subscriber = await connect("ap-southeast-2", bob);
    expect((await subscriber.subscribe("news", SUBSCRIBE_ALL, { name: "news" })).type).to.equal("start_ack");
    const refused = await subscriber.subscribe("chat", SUBSCRIBE_ALL, { name: "chat-1" });
    expect(refused.type).to.equal("error");
    expect(refused.payload?.errors?.[0]).to.include({ errorType: "Unauthorized" });
    expect(refused.payload?.errors?.[0].message).to.contain('subscribe to channel "chat-1"');
    const message = await published("us-west-2", bob, "news", { headline: "hello" });
    expect(await delivered(subscriber, "news", message.id)).to.include({ sender: "bob", origin: "us-west-2", data: '{"headline":"hello"}' });
  });

  it("refuses a publish that would hide or forge sender for this region's subscribers (a field left out, an alias, a fragment, a directive): BadRequest, nothing delivered or stored", async () => {
    const subscriber = await connect("us-west-2", alice);
    expect((await subscriber.subscribe("sel", SUBSCRIBE_ALL, { name: "chat-sel" })).type).to.equal("start_ack");
    const direct = "name data id origin publishedAt";
    const selections = [
      `{ ${direct} }`,
      `{ ${direct} sender: name }`,
      `{ ${direct} sender who: sender }`,
      `{ ${direct} ...Who } fragment Who on Channel { sender }`,
      `{ ${direct} ... on Channel { sender } }`,
      `{ ${direct} sender @include(if: false) }`,
      `{ ${direct} sender @skip(if: false) }`,
    ];
    for (const selection of selections) {
      const [fields, fragments = ""] = selection.split(/ (?=fragment )/);
      const query = `mutation Pub($name: String!, $data: AWSJSON!) { publish(name: $name, data: $data) ${fields} } ${fragments}`;
      const { status, body } = await graphql(region("us-west-2"), alice, query, { name: "chat-sel", data: '"forged"' });
      expect(status, selection).to.equal(200);
      expect(body.data, selection).to.deep.equal({ publish: null });
      expect(body.errors?.map((error) => error.errorType), selection).to.deep.equal(["BadRequest"]);
      expect(body.errors?.[0].message, selection).to.contain("publish must select every Channel field (name data id origin publishedAt sender) directly");
    }
    const allowed = await published("us-west-2", alice, "chat-sel", "whole");
    // Delivery is in order within a region: had any refused publish gone out, it would have come first.
    expect(await delivered(subscriber, "sel", allowed.id)).to.include({ sender: "alice" });
    expect(subscriber.dataFor("sel")).to.have.length(1);
    const history = await graphql(region("us-west-2"), alice, HISTORY, { name: "chat-sel" });
    expect((history.body.data?.history as { items: Channel[] }).items.map((item) => item.id)).to.deep.equal([allowed.id]);
  });

  it("shows subscribers a mutation's result under the names it selected, as AppSync does (publishFromBus, IAM only, is not checked)", async () => {
    const subscriber = await connect("us-west-2", alice);
    expect((await subscriber.subscribe("alias", SUBSCRIBE_ALL, { name: "chat-alias" })).type).to.equal("start_ack");
    const iam = { iam: stack.outputs.credentials, region: "us-west-2" };
    const query = `mutation Deliver($name: String!, $data: AWSJSON!, $id: ID!, $origin: String!, $publishedAt: AWSDateTime!, $sender: String) {
      publishFromBus(name: $name, data: $data, id: $id, origin: $origin, publishedAt: $publishedAt, sender: $sender) { name data id origin publishedAt sender: name } }`;
    const variables = { name: "chat-alias", data: '"x"', id: "alias-1", origin: "ap-southeast-2", publishedAt: "2026-06-01T12:00:00.000Z", sender: "alice" };
    expect((await graphql(region("us-west-2"), iam, query, variables)).body.errors).to.equal(undefined);
    expect(await delivered(subscriber, "alias", "alias-1")).to.include({ sender: "chat-alias" });
  });

  it("keeps a private inbox: anyone may write to it, only its owner may read it", async () => {
    const owner = await connect("ap-southeast-2", alice);
    expect((await owner.subscribe("inbox", SUBSCRIBE_ALL, { name: "inbox-alice" })).type).to.equal("start_ack");
    const other = await connect("ap-southeast-2", bob);
    const peek = await other.subscribe("peek", SUBSCRIBE_ALL, { name: "inbox-alice" });
    expect(peek.payload?.errors?.[0]).to.include({ errorType: "Unauthorized" });
    expect((await graphql(region("ap-southeast-2"), bob, HISTORY, { name: "inbox-alice" })).body.errors?.[0]).to.include({ errorType: "Unauthorized" });
    const note = await published("us-west-2", bob, "inbox-alice", "psst");
    expect(await delivered(owner, "inbox", note.id)).to.include({ sender: "bob" });
    expect((await graphql(region("us-west-2"), alice, HISTORY, { name: "inbox-alice" })).body.errors).to.equal(undefined);
  });

  it("keeps a private inbox from the API key every visitor of the page holds: no subscribe, no history; the owner still reads it", async () => {
    const note = await published("us-west-2", bob, "inbox-alice", "psst, alice");
    const key = { apiKey: apiKeyOf(region("us-west-2")) };
    const read = await graphql(region("us-west-2"), key, HISTORY, { name: "inbox-alice" });
    expect(read.body.data?.history ?? null, "history of inbox-alice read with the API key").to.equal(null);
    expect(read.body.errors?.[0]).to.include({
      errorType: "Unauthorized",
      message: 'Not allowed to subscribe to channel "inbox-alice" with the API key: a {sub} pattern of globalws:rights makes it a user\'s private channel.',
    });
    const eavesdropper = await connect("us-west-2", key);
    const peek = await eavesdropper.subscribe("peek", SUBSCRIBE_ALL, { name: "inbox-alice" });
    expect(peek.type, "subscribe to inbox-alice with the API key").to.equal("error");
    expect(peek.payload?.errors?.[0]).to.include({ errorType: "Unauthorized" });
    expect((await eavesdropper.subscribe("lobby", SUBSCRIBE_ALL, { name: "lobby" })).type).to.equal("start_ack");
    expect((await graphql(region("us-west-2"), key, HISTORY, { name: "lobby" })).body.errors).to.equal(undefined);
    const own = await graphql(region("us-west-2"), alice, HISTORY, { name: "inbox-alice" });
    expect(own.body.errors).to.equal(undefined);
    expect((own.body.data?.history as { items: Channel[] }).items.map((item) => item.id)).to.include(note.id);
  });

  describe("refuses a bad token as AppSync does: HTTP 401, connection_error on the handshake, error on a start", () => {
    const bad: [string, () => Promise<TestAuth>][] = [
      ["an expired token", () => token("alice", ["members"], { now: new Date(Date.now() - 2 * 3600_000), ttl: "1h" })],
      ["a token from another issuer", () => token("alice", ["members"], { issuer: "https://idp.example" })],
      ["a token for another client", () => token("alice", ["members"], { audience: "someone-else" })],
      ["a tampered token", async () => {
        const [header, , signature] = ((await token("bob", ["editors"])) as { token: string }).token.split(".");
        const claims = JSON.parse(Buffer.from(((await token("bob", ["editors"])) as { token: string }).token.split(".")[1], "base64url").toString());
        return { token: `${header}.${Buffer.from(JSON.stringify({ ...claims, "cognito:groups": ["members"] })).toString("base64url")}.${signature}` };
      }],
      ["a token sent as \"Bearer <token>\"", async () => ({ token: `Bearer ${((await token("alice", ["members"])) as { token: string }).token}` })],
    ];
    for (const [what, make] of bad) {
      it(what, async () => {
        const auth = await make();
        expect(await publish("us-west-2", auth, "chat-1")).to.deep.equal({ status: 401, body: { errors: [TOKEN_REFUSED] } });
        const refusedHandshake = await RealtimeClient.connect(region("us-west-2"), auth, false);
        const error = await refusedHandshake.next((message) => message.type === "connection_error");
        expect(error.payload?.errors?.[0]).to.include(TOKEN_REFUSED);
        const client = await connect("us-west-2", alice);
        expect(await client.subscribe("bad", SUBSCRIBE_ALL, { name: "chat-1" }, auth)).to.deep.equal({ type: "error", id: "bad", payload: { errors: [TOKEN_REFUSED] } });
        expect((await client.subscribe("good", SUBSCRIBE_ALL, { name: "chat-1" })).type).to.equal("start_ack");
      });
    }
  });

  it("refuses a start whose token expired after the handshake, and lets the subscriptions already started go on", async () => {
    const client = await connect("us-west-2", alice);
    expect((await client.subscribe("before", SUBSCRIBE_ALL, { name: "chat-7" })).type).to.equal("start_ack");
    const expired = await token("alice", ["members"], { now: new Date(Date.now() - 2 * 3600_000), ttl: "1h" });
    expect((await client.subscribe("after", SUBSCRIBE_ALL, { name: "chat-7" }, expired)).payload?.errors).to.deep.equal([TOKEN_REFUSED]);
    const message = await published("ap-southeast-2", alice, "chat-7");
    expect(await delivered(client, "before", message.id)).to.include({ sender: "alice" });
  });

  it("makes the API key read-only with apiKeyAccess subscribe: AppSync's field refusal on publish; subscribe, history and channels served", async () => {
    const key = { apiKey: apiKeyOf(region("us-west-2")) };
    const refused = await publish("us-west-2", key, "chat-1");
    expect(refused.body.errors?.[0]).to.include({ errorType: "Unauthorized", message: "Not Authorized to access publish on type Mutation" });
    const reader = await connect("ap-southeast-2", { apiKey: apiKeyOf(region("ap-southeast-2")) });
    expect((await reader.subscribe("lobby", SUBSCRIBE_ALL, { name: "lobby" })).type).to.equal("start_ack");
    expect((await graphql(region("us-west-2"), key, HISTORY, { name: "news" })).body.errors).to.equal(undefined);
    expect((await graphql(region("us-west-2"), key, "{ channels }")).body.data).to.deep.equal({ channels: CHANNELS });
  });

  it("gives IAM every right, with iam: and its ARN as sender", async () => {
    const iam = { iam: stack.outputs.credentials, region: "us-west-2" };
    const message = await published("us-west-2", iam, "inbox-alice", "from a back end");
    expect(message.sender).to.match(/^iam:arn:aws:iam::000000000000:user\//);
  });
});

describe("local runtime: a stack without an API key, and one that names its own issuer", function () {
  it("with apiKeyAccess none, has no API key in the outputs, refuses any key, and serves tokens; warns at start that no clientId lets in any app's tokens", async () => {
    const lines: string[] = [];
    const stack = await startLocalStack({ regions: ["eu-west-1"], channels: [], basePort: 0, outputsFile: null, oidc: { groupsClaim: "groups" }, rights: [{ group: "*", subscribe: ["*"], publish: ["*"] }], apiKeyAccess: "none", log: (line) => lines.push(line) });
    try {
      expect(lines.filter((line) => line.startsWith("Warning: "))).to.deep.equal([`Warning: ${usersConfigWarnings({ oidc: {} })[0]}`]);
      expect(lines.join("\n")).to.contain("globalws:oidc has no clientId, so AppSync accepts an ID token its issuer made for ANY of its apps");
      const endpoints = stack.outputs.regions["eu-west-1"];
      expect(endpoints).not.to.have.property("apiKey");
      expect((await graphql(endpoints, { apiKey: "da2-anything" }, "{ channels }")).status).to.equal(401);
      const auth = { token: await mintLocalToken(stack.outputs, { sub: "zoe" }) };
      expect((await graphql(endpoints, auth, "{ channels }")).body).to.deep.equal({ data: { channels: [] } });
      const client = await RealtimeClient.connect(endpoints, auth);
      expect((await client.subscribe("any", SUBSCRIBE_ALL, { name: "anything" })).type).to.equal("start_ack");
      client.close();
    } finally {
      await stack.stop();
    }
  });

  it("stands in for the stack's own issuer and says so at start", async () => {
    const name = `users-test-${process.pid}`;
    const file = path.join(path.dirname(PROJECT_STATE_DIR), `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, "config:\n  globalws:regions: [us-east-1]\n  globalws:oidc:\n    issuer: https://login.example.com/realms/globalws\n    groupsClaim: groups\n  globalws:rights:\n    - group: staff\n      publish: [\"*\"]\n");
    const lines: string[] = [];
    try {
      const stack = await startLocalStack({ stack: name, basePort: 0, outputsFile: null, log: (line) => lines.push(line) });
      await stack.stop();
      const local = stack.outputs.oidc?.issuer as string;
      expect(local).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.join("\n")).to.contain(`Pulumi.${name}.yaml names the issuer https://login.example.com/realms/globalws; locally, tokens come from the local issuer ${local} instead`);
      expect(stack.outputs.oidc?.groupsClaim).to.equal("groups");
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("refuses the handshake of a socket that sends a token to an API without OIDC", async () => {
    const stack = await startLocalStack({ regions: ["us-west-2"], channels: [], basePort: 0, outputsFile: null, log: () => {} });
    try {
      const header = Buffer.from(JSON.stringify({ host: "x", Authorization: "eyJhbGciOiJSUzI1NiJ9.e30.sig" })).toString("base64");
      const socket = new WebSocket(`${plain(stack.outputs.regions["us-west-2"].realtimeUrl)}?header=${header}&payload=e30=`, ["graphql-ws"]);
      const first = await new Promise<string>((resolve) => socket.once("message", (data) => resolve(data.toString())));
      expect(JSON.parse(first).payload.errors[0]).to.include({ errorType: "UnauthorizedException", message: "You are not authorized to make this call." });
      socket.close();
      expect(stack.outputs).not.to.have.property("oidc");
    } finally {
      await stack.stop();
    }
  });
});
