import { expect } from "chai";
import { backoffDelay } from "../../client/lib/backoff";
import { GlobalWsClient, type GlobalWsClientOptions } from "../../client/lib/client";
import { RecentIds } from "../../client/lib/recentIds";
import type { ResumeSettings } from "../../client/lib/settings";
import type { ChannelSubscription } from "../../client/lib/subscription";
import { FakeAppSync } from "./support/fakeAppSync";
import { FakeClock } from "./support/fakeClock";

const HOME = "us-west-2";
const AWAY = "eu-west-1";
const CHANNEL = "cars";

/** A client of a scripted two-region API on a fake clock; jitter is always half the interval. */
function setup(settings: Partial<ResumeSettings> = {}, options: Partial<GlobalWsClientOptions> = {}) {
  const clock = new FakeClock();
  const server = new FakeAppSync(clock, [HOME, AWAY]);
  let ids = 0;
  const client = new GlobalWsClient({
    regions: server.regions,
    transport: server.transport,
    clock,
    random: () => 0.5,
    newId: () => `client-${++ids}`,
    historyRetentionHours: 24,
    settings,
    ...options,
  });
  return { clock, server, client };
}

/** Everything a subscription reports, in order. */
function record(subscription: ChannelSubscription) {
  const log = {
    messages: [] as { id: string; data: unknown; replayed: boolean }[],
    events: [] as string[],
    resumed: [] as { caughtUp: number; gapClosed: boolean; region: string }[],
    gaps: [] as { from: string; to: string; reason: string }[],
  };
  subscription.on("message", (message, meta) => log.messages.push({ id: message.id, data: message.data, replayed: meta.replayed }));
  subscription.on("state", (change) => log.events.push(`${change.from}→${change.to}${change.retryInMs === undefined ? "" : ` in ${change.retryInMs} ms`}`));
  subscription.on("reconnecting", (event) => log.events.push(`reconnecting to ${event.region} in ${event.retryInMs} ms`));
  subscription.on("resumed", (event) => {
    log.resumed.push({ caughtUp: event.caughtUp, gapClosed: event.gapClosed, region: event.region });
    log.events.push(`resumed in ${event.region}, ${event.caughtUp} caught up`);
  });
  subscription.on("failover", (event) => log.events.push(`failed over ${event.from}→${event.to}${event.home ? " (home)" : ""}`));
  subscription.on("gap", (gap) => log.gaps.push(gap));
  subscription.on("unsubscribed", () => log.events.push("unsubscribed"));
  subscription.on("failed", (error) => log.events.push(`failed: ${error.message}`));
  return log;
}

const ids = (log: ReturnType<typeof record>) => log.messages.map((message) => message.id);

describe("client library: backoff and dedupe", () => {
  it("draws a full-jitter delay between the minimum and min·2^attempt, capped at the maximum", () => {
    const bounds = { minMs: 500, maxMs: 10_000 };
    expect(backoffDelay(0, bounds, () => 0)).to.equal(500);
    expect(backoffDelay(0, bounds, () => 0.999)).to.equal(999);
    expect(backoffDelay(3, bounds, () => 0.5)).to.equal(2_500);
    expect(backoffDelay(3, bounds, () => 0)).to.equal(500);
    expect(backoffDelay(10, bounds, () => 0.999)).to.equal(10_000);
    expect(backoffDelay(100, bounds, () => 0.5)).to.equal(5_500);
    // Clients dropped together spread out: one draw each.
    const delays = [0.1, 0.4, 0.7].map((draw) => backoffDelay(4, bounds, () => draw));
    expect(new Set(delays).size).to.equal(3);
  });

  it("remembers the last ids up to its capacity, and forgets the oldest", () => {
    const recent = new RecentIds(3);
    expect(["a", "b", "c"].map((id, n) => recent.add(id, n))).to.deep.equal([true, true, true]);
    expect(recent.add("b", 1)).to.equal(false);
    expect(recent.add("d", 3)).to.equal(true);
    expect([recent.has("a"), recent.has("b"), recent.has("d"), recent.size]).to.deep.equal([false, true, true, 3]);
    expect([...recent.publishedSince(2)]).to.deep.equal(["c", "d"]);
  });
});

describe("client library: a subscription resumes (scripted server, fake clock)", () => {
  it("reconnects after a drop with jittered backoff, catches up what it missed in order, then goes on live, each message once", async () => {
    const { clock, server, client } = setup();
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.publish(HOME, CHANNEL, 1);
    server.publish(AWAY, CHANNEL, 2);
    await clock.advance(0);

    server.drop(HOME);
    await clock.advance(0);
    expect(subscription.state).to.equal("reconnecting");
    server.publish(AWAY, CHANNEL, 3);
    server.publish(HOME, CHANNEL, 4);
    await clock.advance(750);
    server.publish(HOME, CHANNEL, 5);
    await clock.advance(0);

    expect(log.messages).to.deep.equal([
      { id: "m1", data: 1, replayed: false },
      { id: "m2", data: 2, replayed: false },
      { id: "m3", data: 3, replayed: true },
      { id: "m4", data: 4, replayed: true },
      { id: "m5", data: 5, replayed: false },
    ]);
    expect(log.events).to.deep.equal([
      "connecting→live",
      "live→reconnecting in 750 ms",
      `reconnecting to ${HOME} in 750 ms`,
      "reconnecting→connecting",
      "connecting→catchingUp",
      "catchingUp→live",
      `resumed in ${HOME}, 2 caught up`,
    ]);
    expect(log.resumed).to.deep.equal([{ caughtUp: 2, gapClosed: true, region: HOME }]);
    expect(subscription.stats.duplicatesDropped).to.equal(2);
  });

  it("reads history from the last publishedAt delivered minus the overlap window", async () => {
    const { clock, server, client } = setup({ overlapMs: 30_000 });
    record(client.subscribe(CHANNEL));
    await clock.advance(0);
    const last = server.publish(AWAY, CHANNEL, "x");
    await clock.advance(5_000);
    server.drop(HOME);
    await clock.advance(10_000);
    const read = server.requests.find((request) => request.operation === "history");
    expect(read?.variables.since).to.equal(new Date(Date.parse(last.publishedAt) - 30_000).toISOString());
  });

  it("buffers live messages while it reads history, and hands them over after it, in order, each once", async () => {
    const { clock, server, client } = setup();
    const log = record(client.subscribe(CHANNEL));
    await clock.advance(0);
    server.publish(HOME, CHANNEL, 1);
    await clock.advance(0);
    server.drop(HOME);
    server.publish(HOME, CHANNEL, 2);
    let release = () => {};
    server.historyGate = new Promise((resolve) => (release = resolve));
    await clock.advance(750);
    expect(server.subscribers(HOME, CHANNEL)).to.equal(1);

    server.publish(AWAY, CHANNEL, 3);
    server.publish(AWAY, CHANNEL, 4, { storeIn: [] });
    await clock.advance(0);
    expect(ids(log)).to.deep.equal(["m1"]);
    release();
    await clock.advance(0);
    expect(log.messages).to.deep.equal([
      { id: "m1", data: 1, replayed: false },
      { id: "m2", data: 2, replayed: true },
      { id: "m3", data: 3, replayed: true },
      { id: "m4", data: 4, replayed: false },
    ]);
  });

  it("reads the history of a resume once more after settleMs, for a message that replicated late", async () => {
    const { clock, server, client } = setup({ settleMs: 5_000 });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.drop(HOME);
    // Delivered live to this region while the client was away, but not yet in its replica.
    const late = server.publish(AWAY, CHANNEL, "late", { storeIn: [AWAY] });
    await clock.advance(750);
    expect(ids(log)).to.deep.equal([]);
    server.store(HOME, late);
    await clock.advance(5_000);
    expect(log.messages).to.deep.equal([{ id: late.id, data: "late", replayed: true }]);
    expect(subscription.stats.caughtUpLate).to.equal(1);
  });

  it("tries the settle read again while the subscription is live, when it fails (a 503 from a region restarting)", async () => {
    const { clock, server, client } = setup({ settleMs: 5_000, backoff: { minMs: 500, maxMs: 10_000 } });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.drop(HOME);
    const late = server.publish(AWAY, CHANNEL, "late", { storeIn: [AWAY] });
    await clock.advance(750);
    // Live again, and live messages move the cursor past the late one: no later resume reads its range.
    const after = server.publish(HOME, CHANNEL, "after");
    server.store(HOME, late);
    server.failHistoryReads = 2;
    const readsBefore = server.requests.filter((request) => request.operation === "history").length;
    await clock.advance(5_000 + 750 + 1_500);
    expect(server.requests.filter((request) => request.operation === "history").length - readsBefore).to.equal(3);
    expect(ids(log)).to.deep.equal([after.id, late.id]);
    expect(subscription.stats.caughtUpLate).to.equal(1);
  });

  it("says nothing is missing after a long quiet spell (last message older than the retention, but live all along)", async () => {
    const { clock, server, client } = setup({}, { historyRetentionHours: 1 });
    server.keepAliveMs = 60_000;
    const log = record(client.subscribe(CHANNEL));
    await clock.advance(0);
    server.publish(HOME, CHANNEL, "long ago");
    await clock.advance(2 * 3_600_000);
    server.drop(HOME);
    await clock.advance(750);
    expect(log.gaps).to.deep.equal([]);
    expect(log.resumed).to.deep.equal([{ caughtUp: 0, gapClosed: true, region: HOME }]);
  });

  it("reports a gap when it was away longer than the retention, and still delivers what history kept", async () => {
    const { clock, server, client } = setup({ backoff: { minMs: 500, maxMs: 600_000 } }, { historyRetentionHours: 1, failover: false });
    server.keepAliveMs = 60_000;
    const log = record(client.subscribe(CHANNEL));
    await clock.advance(0);
    server.publish(HOME, CHANNEL, 1);
    server.setDown(HOME, true);
    await clock.advance(70 * 60_000);
    server.setDown(HOME, false);
    server.publish(AWAY, CHANNEL, 2);
    await clock.advance(600_000);
    expect(log.gaps).to.have.length(1);
    expect(log.gaps[0].reason).to.equal("retention");
    expect(Date.parse(log.gaps[0].to)).to.be.greaterThan(Date.parse(log.gaps[0].from));
    expect(log.resumed).to.have.length(1);
    expect(log.resumed[0].gapClosed).to.equal(false);
    expect(ids(log)).to.deep.equal(["m1", "m2"]);
  });

  for (const history of ["off", "missing"] as const) {
    it(`says any disconnection is a gap, and goes on live, when the API has no history (${history})`, async () => {
      const { clock, server, client } = setup();
      server.history = history;
      const log = record(client.subscribe(CHANNEL));
      await clock.advance(0);
      server.drop(HOME);
      await clock.advance(750);
      server.publish(HOME, CHANNEL, "after");
      await clock.advance(0);
      expect(log.gaps.map((gap) => gap.reason)).to.deep.equal(["historyDisabled"]);
      expect(log.resumed).to.deep.equal([{ caughtUp: 0, gapClosed: false, region: HOME }]);
      expect(ids(log)).to.have.length(1);
    });
  }

  it("ends on a forced unsubscribe with its own event, and does not resume", async () => {
    const { clock, server, client } = setup();
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.complete(HOME, CHANNEL);
    await clock.advance(120_000);
    expect(subscription.state).to.equal("unsubscribed");
    expect(log.events).to.deep.equal(["connecting→live", "live→unsubscribed", "unsubscribed"]);
    expect(server.handshakes).to.have.length(1);
  });

  it("fails for good on a permanent refusal, without retrying", async () => {
    const { clock, server, client } = setup();
    server.startErrors = [{ errorType: "ChannelNotAllowed", message: 'Channel "cars" is not allowed.' }];
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(120_000);
    expect(subscription.state).to.equal("failed");
    expect(log.events).to.deep.equal(["connecting→failed", 'failed: ChannelNotAllowed: Channel "cars" is not allowed.']);
    expect(server.handshakes).to.have.length(1);
  });

  it("ignores a connection that completes after the subscription was closed", async () => {
    const { clock, server, client } = setup();
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.drop(HOME);
    let release = () => {};
    server.historyGate = new Promise((resolve) => (release = resolve));
    server.publish(HOME, CHANNEL, "missed");
    await clock.advance(750);
    expect(subscription.state).to.equal("catchingUp");
    subscription.close();
    release();
    server.publish(HOME, CHANNEL, "after close");
    await clock.advance(60_000);
    expect(log.messages).to.deep.equal([]);
    expect(log.events.slice(-1)).to.deep.equal(["catchingUp→closed"]);
    expect(server.subscribers(HOME, CHANNEL)).to.equal(0);
  });

  it("replays history from `since` first, marked as replayed, then live; and says when `since` is older than the retention", async () => {
    const { clock, server, client } = setup();
    server.publish(HOME, CHANNEL, "before");
    await clock.advance(60_000);
    const from = new Date(clock.now()).toISOString();
    server.publish(AWAY, CHANNEL, "kept 1");
    server.publish(HOME, CHANNEL, "kept 2");
    const log = record(client.subscribe(CHANNEL, { since: from }));
    await clock.advance(0);
    server.publish(HOME, CHANNEL, "live");
    await clock.advance(0);
    expect(log.messages.map((message) => [message.data, message.replayed])).to.deep.equal([
      ["kept 1", true],
      ["kept 2", true],
      ["live", false],
    ]);
    expect(log.gaps).to.deep.equal([]);

    const old = record(client.subscribe(CHANNEL, { since: new Date(clock.now() - 48 * 3_600_000).toISOString() }));
    await clock.advance(0);
    expect(old.gaps.map((gap) => gap.reason)).to.deep.equal(["retention"]);
    expect(old.messages).to.have.length(4);
  });

  it("replays the last N messages first (the web app's board)", async () => {
    const { clock, server, client } = setup();
    for (let n = 1; n <= 60; n += 1) {
      server.publish(n % 2 ? HOME : AWAY, CHANNEL, n);
      await clock.advance(2_000);
    }
    const log = record(client.subscribe(CHANNEL, { last: 50 }));
    await clock.advance(0);
    expect(log.messages.map((message) => message.data)).to.deep.equal(Array.from({ length: 50 }, (_, n) => n + 11));
    expect(log.messages.every((message) => message.replayed)).to.equal(true);
  });
});

describe("client library: failover (scripted server, fake clock)", () => {
  it("moves to the next region after three failed attempts, resumes there, and goes home make-before-break once home answers", async () => {
    const { clock, server, client } = setup({ homeRetryMs: 60_000 });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    const retrying: string[] = [];
    subscription.on("state", (change) => change.to === "reconnecting" && retrying.push(change.region));
    await clock.advance(0);
    server.publish(HOME, CHANNEL, "before");
    await clock.advance(0);
    // Published at home just before it fails, neither replicated nor forwarded.
    const stranded = server.publish(HOME, CHANNEL, "stranded", { storeIn: [HOME], liveIn: [] });
    server.setDown(HOME, true);
    await clock.advance(0);
    server.publish(AWAY, CHANNEL, "during", { storeIn: [AWAY] });
    await clock.advance(30_000);

    expect(subscription.region).to.equal(AWAY);
    expect(server.handshakes.map((handshake) => handshake.region)).to.deep.equal([HOME, HOME, HOME, HOME, AWAY]);
    // While it waits, it names the region it will try next (what the web app's badge shows).
    expect(retrying).to.deep.equal([HOME, HOME, HOME, AWAY]);
    expect(log.events.filter((event) => /failed over|resumed/.test(event))).to.deep.equal([`failed over ${HOME}→${AWAY}`, `resumed in ${AWAY}, 1 caught up`]);
    // Later than the overlap after the stranded message: only the read back from the failure finds it.
    await clock.advance(15_000);
    server.publish(AWAY, CHANNEL, "away, live");
    await clock.advance(0);

    server.setDown(HOME, false);
    let subscribersAtSwitch: number[] = [];
    subscription.on("failover", () => (subscribersAtSwitch = [server.subscribers(HOME, CHANNEL), server.subscribers(AWAY, CHANNEL)]));
    await clock.advance(45_000);
    server.publish(AWAY, CHANNEL, "home again");
    await clock.advance(0);

    expect(subscription.region).to.equal(HOME);
    expect(log.events.slice(-1)).to.deep.equal([`failed over ${AWAY}→${HOME} (home)`]);
    expect(subscribersAtSwitch).to.deep.equal([1, 0]);
    expect(log.messages.map((message) => message.data)).to.deep.equal(["before", "during", "away, live", "stranded", "home again"]);
    expect(log.messages.find((message) => message.id === stranded.id)?.replayed).to.equal(true);
  });

  it("moves at once when the keep-alive is lost", async () => {
    const { clock, server, client } = setup();
    server.connectionTimeoutMs = 1_000;
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.connectionTimeoutMs = 300_000;
    await clock.advance(1_000);
    expect(log.events).to.include(`reconnecting to ${AWAY} in 750 ms`);
    await clock.advance(750);
    expect(server.handshakes.map((handshake) => handshake.region)).to.deep.equal([HOME, AWAY]);
    expect(subscription.state).to.equal("live");
  });

  it("stays in its home region when failover is off", async () => {
    const { clock, server, client } = setup({}, { failover: false });
    const subscription = client.subscribe(CHANNEL);
    await clock.advance(0);
    server.setDown(HOME, true);
    await clock.advance(60_000);
    expect(new Set(server.handshakes.map((handshake) => handshake.region))).to.deep.equal(new Set([HOME]));
    expect(subscription.state).to.equal("reconnecting");
  });
});

describe("client library: publishing (scripted server, fake clock)", () => {
  it("retries a failed publish with the same id, fails over after three failures, and stays there until home is back", async () => {
    const { clock, server, client } = setup({ homeRetryMs: 60_000 });
    server.setDown(HOME, true);
    const retries: string[] = [];
    const publishing = client.publish(CHANNEL, "hello", { onRetry: (retry) => retries.push(`${retry.region}→${retry.nextRegion} in ${retry.retryInMs} ms`) });
    await clock.advance(10_000);
    const message = await publishing;
    expect(message).to.include({ id: "client-1", origin: AWAY, data: "hello" });
    expect(retries).to.deep.equal([`${HOME}→${HOME} in 750 ms`, `${HOME}→${HOME} in 1000 ms`, `${HOME}→${AWAY} in 750 ms`]);

    server.setDown(HOME, false);
    expect((await client.publish(CHANNEL, "sticky")).origin).to.equal(AWAY);
    await clock.advance(60_000);
    expect((await client.publish(CHANNEL, "home")).origin).to.equal(HOME);
  });

  it("stores a retried message once when the first answer was lost, and returns the original", async () => {
    const { clock, server, client } = setup();
    server.loseNextPublishAnswer = true;
    const publishing = client.publish(CHANNEL, "once", { id: "order-17" });
    const first = server.requests.length;
    await clock.advance(1_000);
    const message = await publishing;
    const publishes = server.requests.filter((request) => request.operation === "publish");
    expect(publishes.map((request) => request.variables.id)).to.deep.equal(["order-17", "order-17"]);
    expect(first).to.equal(0);
    const stored = [];
    for await (const kept of client.history(CHANNEL)) stored.push(kept);
    expect(stored.map((kept) => kept.id)).to.deep.equal(["order-17"]);
    expect(message.publishedAt).to.equal(stored[0].publishedAt);
  });

  it("never retries a permanent refusal", async () => {
    const { server, client } = setup();
    server.authorize = () => false;
    const failure = await client.publish(CHANNEL, 1).then(() => undefined, (error: Error) => error);
    expect(failure?.message).to.equal("UnauthorizedException: You are not authorized to make this call.");
    expect(server.requests).to.have.length(1);
  });
});

/** Publishes 6,000 messages in AWAY over ten minutes (10 a second): more than the 5,000 ids a subscription remembers. */
async function publishTenMinutes(server: FakeAppSync, clock: FakeClock): Promise<void> {
  for (let second = 0; second < 600; second += 10) {
    for (let n = 0; n < 100; n += 1) server.publish(AWAY, CHANNEL, second * 10 + n);
    await clock.advance(10_000);
  }
}

/** Moves the fake clock on in 100 ms steps until the subscription is live (at most a minute). */
async function advanceUntilLive(clock: FakeClock, subscription: ChannelSubscription): Promise<void> {
  for (let step = 0; step < 600 && subscription.state !== "live"; step += 1) await clock.advance(100);
  expect(subscription.state).to.equal("live");
}

describe("client library: races around resume and failover (scripted server, fake clock)", () => {
  it("delivers each message once after a 10-minute outage at 10 messages/s (the settle read re-reads more than the 5,000 ids remembered)", async () => {
    const { clock, server, client } = setup({}, { failover: false });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.setDown(HOME, true);
    await clock.advance(0);
    // 10 messages/s for 10 minutes, far below the ~160/s the README says 5,000 ids cover.
    await publishTenMinutes(server, clock);
    server.setDown(HOME, false);
    await advanceUntilLive(clock, subscription);
    expect(log.resumed).to.have.length(1);
    expect(new Set(ids(log)).size).to.equal(6_000);
    // The settle read, 5 s later, reads the whole range again.
    await clock.advance(10_000);
    const delivered = ids(log);
    expect(delivered.length - new Set(delivered).size, "messages shown twice").to.equal(0);
    expect(delivered).to.have.length(6_000);
  });

  it("still brings back what home published before it failed when home drops again during the recovery read", async () => {
    const { clock, server, client } = setup({ homeRetryMs: 60_000 });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.publish(HOME, CHANNEL, "before");
    await clock.advance(0);
    const stranded = server.publish(HOME, CHANNEL, "stranded", { storeIn: [HOME], liveIn: [] });
    server.setDown(HOME, true);
    await clock.advance(30_000);
    expect(subscription.region).to.equal(AWAY);
    // Later than the overlap after the stranded message: only the read back from the failure finds it.
    await clock.advance(15_000);
    server.publish(AWAY, CHANNEL, "away, live");
    await clock.advance(0);

    // Home is back; the probe joins it, and its recovery read is slow.
    server.setDown(HOME, false);
    let release = () => {};
    server.historyGate = new Promise((resolve) => (release = resolve));
    await clock.advance(45_000);
    expect(server.subscribers(HOME, CHANNEL)).to.equal(1);
    // Home drops the new connection while the read is on its way (a region that just came back is flaky).
    server.drop(HOME);
    await clock.advance(0);
    server.historyGate = undefined;
    release();
    await clock.advance(0);

    // The next probe joins home for good.
    await clock.advance(120_000);
    expect(subscription.region).to.equal(HOME);
    expect(ids(log)).to.include(stranded.id);
  });

  it("reads the range of a resume again when its connection is lost before the settle read ran (a message that replicated late is not lost)", async () => {
    const { clock, server, client } = setup({ settleMs: 5_000 }, { failover: false });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.setDown(HOME, true);
    await clock.advance(1_000);
    // Published in AWAY while the client is away; not yet in HOME's replica (replication lags).
    const late = server.publish(AWAY, CHANNEL, "late", { storeIn: [AWAY], liveIn: [AWAY] });
    await clock.advance(34_000);
    const after = server.publish(AWAY, CHANNEL, "after");
    await clock.advance(5_000);
    server.setDown(HOME, false);
    await advanceUntilLive(clock, subscription);
    expect(ids(log)).to.deep.equal([after.id]);
    // Dropped again before the settle read; meanwhile the late message reaches HOME's replica.
    server.store(HOME, late);
    server.drop(HOME);
    await clock.advance(60_000);
    expect(subscription.state).to.equal("live");
    expect(ids(log)).to.include(late.id);
  });

  it("does not end for good when only the fallback region refuses it: it goes back to trying home (a permanent error on one leg)", async () => {
    const { clock, server, client } = setup();
    // The fallback region refuses this client's key (e.g. a key rotated there but not yet in these outputs).
    server.authorize = (region, headers) => region === HOME && headers["x-api-key"] === `key-${region}`;
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.setDown(HOME, true);
    await clock.advance(30_000);
    server.setDown(HOME, false);
    await clock.advance(60_000);
    expect(log.events.filter((event) => event.startsWith("failed"))).to.deep.equal([]);
    expect(subscription.state).to.equal("live");
    expect(subscription.region).to.equal(HOME);
  });

  it("reads history for a live message that came with errors instead of data (say, its publisher selected too few fields)", async () => {
    const { clock, server, client } = setup({ settleMs: 5_000 });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    const errors: string[] = [];
    subscription.on("deliveryError", (error) => errors.push(error.message));
    await clock.advance(0);
    const broken = server.publish(HOME, CHANNEL, "stored, but its live frame is broken", { liveIn: [] });
    server.deliverBroken(HOME, CHANNEL);
    await clock.advance(0);
    expect(errors).to.have.length(1);
    // More broken frames do not keep pushing the read back.
    await clock.advance(3_000);
    server.deliverBroken(HOME, CHANNEL);
    await clock.advance(2_000);
    expect(log.messages).to.deep.equal([{ id: broken.id, data: "stored, but its live frame is broken", replayed: true }]);
    expect(subscription.state).to.equal("live");
  });

  it("stops reading again when the API has no history, and goes on live", async () => {
    const { clock, server, client } = setup({ settleMs: 5_000 });
    server.history = "off";
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    server.deliverBroken(HOME, CHANNEL);
    await clock.advance(60_000);
    expect(server.requests.filter((request) => request.operation === "history")).to.have.length(1);
    const live = server.publish(HOME, CHANNEL, "live");
    await clock.advance(0);
    expect(ids(log)).to.deep.equal([live.id]);
  });

  it("does not show again, when it goes home, a message of home that it caught up from the fallback long ago", async () => {
    const { clock, server, client } = setup({ homeRetryMs: 60_000 });
    const subscription = client.subscribe(CHANNEL);
    const log = record(subscription);
    await clock.advance(0);
    // Published at home after this client lost its connection there, replicated, then home fails.
    const missed = server.publish(HOME, CHANNEL, "missed live, replicated", { liveIn: [] });
    server.setDown(HOME, true);
    await clock.advance(30_000);
    expect(subscription.region).to.equal(AWAY);
    expect(ids(log)).to.deep.equal([missed.id]);
    // Ten minutes in the fallback at 10 messages/s.
    await publishTenMinutes(server, clock);
    server.setDown(HOME, false);
    await clock.advance(120_000);
    expect(subscription.region).to.equal(HOME);
    expect(ids(log).filter((id) => id === missed.id), "times shown").to.have.length(1);
  });
});
