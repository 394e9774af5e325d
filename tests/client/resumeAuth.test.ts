import { expect } from "chai";
import { SUBSCRIBE } from "../../client/lib/operations";
import { GlobalWsClient } from "../../client/lib/client";
import { verifySigV4 } from "../../local/appsync/sigv4";
import { FakeAppSync } from "./support/fakeAppSync";
import { FakeClock } from "./support/fakeClock";

const REGION = "us-west-2";
const CREDENTIALS = { accessKeyId: "AKIATESTCLIENT", secretAccessKey: "secret-for-tests" };

function setup() {
  const clock = new FakeClock();
  const server = new FakeAppSync(clock, [REGION]);
  return { clock, server };
}

describe("client library: auth modes (scripted server)", () => {
  it("token: asks for the token at every connection, start and request, and sends it as the Authorization header", async () => {
    const { clock, server } = setup();
    let calls = 0;
    server.authorize = (_region, headers) => /^token-\d+$/.test(headers.Authorization ?? "");
    const client = new GlobalWsClient({ regions: server.regions, transport: server.transport, clock, auth: { mode: "token", token: async () => `token-${++calls}` } });
    client.subscribe("cars");
    await clock.advance(0);
    await client.publish("cars", 1);

    const host = `${REGION}.test`;
    expect(server.handshakes).to.deep.equal([{ region: REGION, header: { host, Authorization: "token-1" } }]);
    expect(server.starts).to.deep.equal([{ region: REGION, authorization: { host, Authorization: "token-2" } }]);
    expect(server.requests.map((request) => request.headers.Authorization)).to.deep.equal(["token-3"]);
    expect(server.requests[0].headers).not.to.have.property("x-api-key");
  });

  it("token: after a refusal asks for a fresh token once, and retries with it", async () => {
    const { clock, server } = setup();
    const tokens = ["expired", "fresh", "fresh"];
    server.authorize = (_region, headers) => headers.Authorization === "fresh";
    const client = new GlobalWsClient({ regions: server.regions, transport: server.transport, clock, auth: { mode: "token", token: () => tokens.shift() ?? "none" } });
    const subscription = client.subscribe("cars");
    await clock.advance(0);
    expect(subscription.state).to.equal("live");
    expect(server.handshakes.map((handshake) => handshake.header.Authorization)).to.deep.equal(["expired", "fresh"]);
  });

  it("iam: signs the real-time handshake over /connect and {}, and each start over its data (SigV4, service appsync)", async () => {
    const { clock, server } = setup();
    server.authorize = () => true;
    const client = new GlobalWsClient({ regions: server.regions, transport: server.transport, clock, auth: { mode: "iam", credentials: async () => CREDENTIALS } });
    client.subscribe("cars");
    await clock.advance(0);

    const [handshake] = server.handshakes;
    expect(handshake.header.authorization).to.match(/^AWS4-HMAC-SHA256 Credential=AKIATESTCLIENT\/\d{8}\/us-west-2\/appsync\/aws4_request/);
    expect(await verifySigV4({ method: "POST", path: "/graphql/connect", headers: handshake.header, body: "{}" }, CREDENTIALS, REGION)).to.equal(null);
    const [start] = server.starts;
    const data = JSON.stringify({ query: SUBSCRIBE, variables: { name: "cars" } });
    expect(await verifySigV4({ method: "POST", path: "/graphql", headers: start.authorization, body: data }, CREDENTIALS, REGION)).to.equal(null);
  });

  it("apiKey: after the key is refused, takes the region's renewed key and reconnects with it", async () => {
    const { clock, server } = setup();
    server.authorize = (_region, headers) => headers["x-api-key"] === "key-rotated";
    const asked: string[] = [];
    const client = new GlobalWsClient({
      regions: server.regions,
      transport: server.transport,
      clock,
      auth: { mode: "apiKey", renewApiKey: async (region, refused) => (asked.push(`${region}:${refused}`), "key-rotated") },
    });
    const subscription = client.subscribe("cars");
    await clock.advance(0);
    expect(subscription.state).to.equal("live");
    expect(asked).to.deep.equal([`${REGION}:key-${REGION}`]);
    expect((await client.publish("cars", "with the new key")).data).to.equal("with the new key");
  });

  it("apiKey: a refused key with no newer one fails the subscription for good", async () => {
    const { clock, server } = setup();
    server.authorize = () => false;
    const client = new GlobalWsClient({ regions: server.regions, transport: server.transport, clock });
    const subscription = client.subscribe("cars");
    let failure: Error | undefined;
    subscription.on("failed", (error) => (failure = error));
    await clock.advance(60_000);
    expect(subscription.state).to.equal("failed");
    expect(failure?.message).to.equal("UnauthorizedException: You are not authorized to make this call.");
    expect(server.handshakes).to.have.length(1);
  });
});
