import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type WebSocket from "ws";
import { createNodeClient } from "../../client/lib/node";
import { nodeTransport } from "../../client/lib/nodeTransport";
import type { ClientOutputs } from "../../client/lib/outputs";
import { RegionApi } from "../../client/lib/regionApi";
import type { ResumeSettings } from "../../client/lib/settings";
import type { ChannelSubscription } from "../../client/lib/subscription";
import type { Transport } from "../../client/lib/transport";
import { GlobalWsClient } from "../../client/lib/client";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../local";
import { basePortOf, startOnConsecutivePorts } from "./support/consecutivePorts";
import { waitFor } from "./support/waitFor";

const WEST = "us-west-2";
const EUROPE = "eu-west-1";

/** Short delays, so that resumes happen within the test (no assertion depends on them). */
const FAST: Partial<ResumeSettings> = { backoff: { minMs: 20, maxMs: 250 }, failoverAfter: 2, homeRetryMs: 400, settleMs: 200 };

/** Node's transport, keeping every socket it opens so a test can cut one. */
function trackingTransport(ca: string): { transport: Transport; sockets: WebSocket[] } {
  const base = nodeTransport(ca);
  const sockets: WebSocket[] = [];
  return {
    sockets,
    transport: {
      http: base.http,
      webSocket: (url, protocols) => {
        const socket = base.webSocket(url, protocols);
        sockets.push(socket as unknown as WebSocket);
        return socket;
      },
    },
  };
}

/** What a subscription delivered, and what it went through. */
function watch(subscription: ChannelSubscription) {
  const seen = { ids: [] as string[], data: [] as unknown[], events: [] as string[] };
  subscription.on("message", (message) => {
    seen.ids.push(message.id);
    seen.data.push(message.data);
  });
  subscription.on("resumed", (event) => seen.events.push(`resumed in ${event.region}`));
  subscription.on("failover", (event) => seen.events.push(`failover to ${event.to}`));
  subscription.on("failed", (error) => seen.events.push(`failed: ${error.message}`));
  return seen;
}

const once = (ids: string[]) => new Set(ids).size === ids.length;

describe("client library end to end: resume and failover against the local runtime", function () {
  this.timeout(60_000);
  let stack: LocalStack;
  const stateDirs: string[] = [];
  const clients: ChannelSubscription[] = [];
  afterEach(async () => {
    for (const subscription of clients.splice(0)) subscription.close();
    await stack?.stop();
  });
  after(() => stateDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  async function start(options: Partial<LocalStackOptions> = {}): Promise<ClientOutputs> {
    stack = await startLocalStack({ regions: [WEST, EUROPE], channels: [], basePort: 0, outputsFile: null, log: () => {}, ...options });
    return stack.outputs;
  }

  function subscribe(client: GlobalWsClient, channel: string) {
    const subscription = client.subscribe(channel);
    clients.push(subscription);
    const seen = watch(subscription);
    const live = new Promise<void>((resolve) => subscription.on("state", (change) => change.to === "live" && resolve()));
    return { subscription, seen, live };
  }

  it("resumes after its socket is cut while messages flow, and delivers every message once", async () => {
    const outputs = await start();
    const { transport, sockets } = trackingTransport(readFileSync(outputs.certificateFile as string, "utf8"));
    const client = new GlobalWsClient({ regions: outputs.regions, transport, settings: FAST, historyRetentionHours: 24 });
    const { seen, live } = subscribe(client, "flow");
    await live;
    const published: string[] = [];
    for (let n = 0; n < 30; n += 1) {
      published.push((await RegionApi.of(outputs, n % 2 ? WEST : EUROPE).publish("flow", n)).id);
      if (n === 10 || n === 20) sockets[sockets.length - 1].terminate();
    }
    await waitFor(() => published.every((id) => seen.ids.includes(id)), "every message delivered");
    expect(once(seen.ids)).to.equal(true);
    expect(seen.events.filter((event) => event.startsWith("resumed"))).to.have.length.of.at.least(2);
  });

  it("fails over when its region goes down, resumes there from history, and loses nothing", async () => {
    const outputs = await start();
    const { seen, live } = subscribe(createNodeClient(outputs, { home: WEST, settings: FAST }), "regional");
    await live;
    const before = await RegionApi.of(outputs, EUROPE).publish("regional", "before");
    await stack.setRegionDown(WEST, true);
    const during: string[] = [];
    for (let n = 0; n < 5; n += 1) during.push((await RegionApi.of(outputs, EUROPE).publish("regional", `during ${n}`)).id);
    await waitFor(() => during.every((id) => seen.ids.includes(id)), "messages published during the outage delivered");
    expect(seen.events).to.include(`failover to ${EUROPE}`);
    expect(seen.ids).to.deep.equal([before.id, ...during]);
  });

  it("delivers, once its region is back, what that region published just before it failed (not yet replicated)", async () => {
    // Cross-region hops take 400 ms, so the message is neither forwarded nor replicated when the region fails.
    const outputs = await start({ latencyMs: 400 });
    const europe = subscribe(createNodeClient(outputs, { home: EUROPE, settings: FAST }), "stranded");
    const west = subscribe(createNodeClient(outputs, { home: WEST, settings: FAST }), "stranded");
    await Promise.all([europe.live, west.live]);
    const stranded = await RegionApi.of(outputs, WEST).publish("stranded", "published just before the outage");
    await stack.setRegionDown(WEST, true);
    await waitFor(() => west.seen.events.includes(`failover to ${EUROPE}`), "the west subscriber failed over");
    expect(europe.seen.ids).to.deep.equal([]);

    await stack.setRegionDown(WEST, false);
    await waitFor(() => europe.seen.ids.includes(stranded.id), "the stranded message reached Europe");
    await waitFor(() => west.seen.events.includes(`failover to ${WEST}`), "the west subscriber went home");
    expect(europe.seen.ids).to.deep.equal([stranded.id]);
    expect(west.seen.ids).to.deep.equal([stranded.id]);
  });

  it("resumes after the whole runtime restarts, and catches up what was published before it reconnected", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "globalws-restart-"));
    stateDirs.push(stateDir);
    stack = await startOnConsecutivePorts({ regions: [WEST, EUROPE], channels: [], stateDir, outputsFile: null, log: () => {} });
    const basePort = basePortOf(stack);
    const outputs = stack.outputs;
    const subscribers = [WEST, EUROPE].map((home) => subscribe(createNodeClient(outputs, { home, settings: FAST }), "restart"));
    await Promise.all(subscribers.map((subscriber) => subscriber.live));
    const ids = [(await RegionApi.of(outputs, WEST).publish("restart", "before")).id];

    await stack.stop();
    stack = await startLocalStack({ regions: [WEST, EUROPE], channels: [], basePort, stateDir, outputsFile: null, log: () => {} });
    for (const region of [WEST, EUROPE, WEST]) ids.push((await RegionApi.of(stack.outputs, region).publish("restart", `after, in ${region}`)).id);

    for (const { seen } of subscribers) {
      await waitFor(() => ids.every((id) => seen.ids.includes(id)), "every message delivered after the restart");
      expect(seen.ids[0]).to.equal(ids[0]);
      expect(new Set(seen.ids)).to.deep.equal(new Set(ids));
      expect(once(seen.ids)).to.equal(true);
      expect(seen.events.some((event) => event.startsWith("resumed"))).to.equal(true);
    }
  });
});
