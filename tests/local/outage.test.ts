import { expect } from "chai";
import { connect } from "node:net";
import { requestSigner } from "../../client/lib/auth";
import { nodeTransport } from "../../client/lib/nodeTransport";
import { RegionApi } from "../../client/lib/regionApi";
import { startLocalStack, type LocalStack } from "../../local/index";
import { plain } from "./realtimeClient";

const WEST = "us-west-2";
const SYDNEY = "ap-southeast-2";
const http = nodeTransport().http;

/** Resolves with the error code of a TCP connection to `port`, or "connected". */
function tcpConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Waits until `check` holds (10 s at most). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const giveUp = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new Error("the awaited condition never held");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("local runtime: outage rehearsal", function () {
  this.timeout(30_000);
  let stack: LocalStack;
  const port = (region: string) => Number(new URL(stack.outputs.regions[region].graphqlUrl).port);
  const api = (region: string) => RegionApi.of(stack.outputs, region);

  before(async () => {
    stack = await startLocalStack({ regions: [WEST, SYDNEY], channels: [], basePort: 0, outputsFile: null, log: () => {} });
  });
  after(() => stack.stop());

  /** POSTs the outage control of `via`'s port, signed as `auth` says. */
  async function outageRequest(via: string, query: string, auth: "iam" | "apiKey" | "none") {
    const url = `${plain(stack.outputs.regions[via].graphqlUrl).replace("/graphql", "/local/outage")}?${query}`;
    const signer = auth === "iam" ? requestSigner(via, undefined, { mode: "iam", credentials: async () => stack.outputs.credentials }) : requestSigner(via, stack.outputs.regions[via].apiKey, { mode: "apiKey" });
    const headers = auth === "none" ? {} : await signer.headers(url, "");
    const response = await http({ url, method: "POST", headers, body: "", timeoutMs: 5_000 });
    return { status: response.status, body: JSON.parse(response.body) as { until?: string; errors?: { errorType: string; message: string }[] } };
  }

  it("refuses new connections and drops open WebSockets while down, then serves again on the same port", async () => {
    const west = api(WEST);
    const connection = await west.connectRealtime();
    const ended = new Promise<string>((resolve) => void west.subscribe(connection, "outage", { next: () => {}, deliveryError: () => {}, error: (error) => resolve(error.message), complete: () => resolve("complete") }));
    await stack.setRegionDown(WEST, true);

    expect(await ended).to.equal("The real-time connection closed.");
    expect(await tcpConnect(port(WEST))).to.equal("ECONNREFUSED");
    expect(await west.channels().then(() => "answered", (error: Error) => error.message)).to.match(/^Cannot reach https:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect((await api(SYDNEY).publish("outage", "Sydney still up")).origin).to.equal(SYDNEY);

    await stack.setRegionDown(WEST, false);
    expect(await tcpConnect(port(WEST))).to.equal("connected");
    expect(await west.channels()).to.deep.equal([]);
  });

  it("holds history replication to a region while it is down, and catches it up when it is back", async () => {
    await stack.setRegionDown(SYDNEY, true);
    const published = await api(WEST).publish("outage.history", "while Sydney was down");
    await stack.setRegionDown(SYDNEY, false);
    const sydney = RegionApi.of(stack.outputs, SYDNEY);
    await until(async () => (await historyIds(sydney, "outage.history")).includes(published.id));
  });

  it("is controlled with POST /local/outage?region=R&seconds=N on any region's port, signed with IAM", async () => {
    expect((await outageRequest(SYDNEY, `region=${WEST}&seconds=1`, "none")).status).to.equal(401);
    const withKey = await outageRequest(SYDNEY, `region=${WEST}&seconds=1`, "apiKey");
    expect(withKey.status).to.equal(403);
    expect(withKey.body.errors?.[0].errorType).to.equal("AccessDeniedException");
    const unknown = await outageRequest(SYDNEY, "region=mars-1&seconds=1", "iam");
    expect(unknown).to.deep.include({ status: 400 });
    expect(unknown.body.errors?.[0].message).to.equal(`region is "mars-1": it must be one of ${WEST}, ${SYDNEY}.`);
    expect((await outageRequest(SYDNEY, `region=${WEST}&seconds=0`, "iam")).status).to.equal(400);

    const started = await outageRequest(SYDNEY, `region=${WEST}&seconds=600`, "iam");
    expect(started.status).to.equal(200);
    expect(started.body).to.deep.include({ region: WEST, down: true });
    expect(Date.parse(started.body.until as string) - Date.now()).to.be.within(590_000, 600_000);
    expect(await tcpConnect(port(WEST))).to.equal("ECONNREFUSED");
    // Back before its time (the return by itself is what `globalws outage` waits for, in the command-line tests).
    await stack.setRegionDown(WEST, false);
    expect(await tcpConnect(port(WEST))).to.equal("connected");
  });
});

async function historyIds(api: RegionApi, channel: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const message of api.history(channel)) ids.push(message.id);
  return ids;
}
