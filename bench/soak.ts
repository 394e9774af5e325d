import { fork, type ChildProcess } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import type WebSocket from "ws";
import { percentile } from "../client/cli/latencyMatrix";
import { GlobalWsClient } from "../client/lib/client";
import { nodeTransport } from "../client/lib/nodeTransport";
import type { ChannelSubscription } from "../client/lib/subscription";
import type { Transport } from "../client/lib/transport";
import type { LocalOutputs } from "../local/index";
import { readStackConfig } from "../local/stackConfig";
import { machineLine, mb, numberOption } from "./stats";

const USAGE = `Usage: npm run soak -- [--subscribers N] [--minutes M] [--storm-every S] [--rate PER_S] [--drain S] [--latency MS] [--stack NAME]

A chaos soak of the client library against the local runtime (in a child process): N subscribers
spread over the stack's regions, each on its own connection, and a publisher per region at a fixed
rate, each message with its own id, for M minutes, while faults run on a schedule: half the
clients dropped at once every S seconds, a 20 s outage of the first region at 30% of the run, one
restart of the whole runtime at 70% (same state directory: history, keys and certificate kept).
Then it drains (up to --drain seconds) and reports losses, duplicates, resume and failover times,
catch-up sizes, delivery latency and the server's memory.`;

interface Options {
  subscribers: number;
  minutes: number;
  stormEvery: number;
  rate: number;
  drain: number;
  latency: number;
  regions: string[];
}

/** The channel every subscriber watches. */
const CHANNEL = "soak";
/** How long the outage lasts (the 20 s). */
const OUTAGE_SECONDS = 20;

type Fault = "storm" | "outage" | "restart" | "none";

/** One subscriber: what it delivered (per message slot), and the resumes it went through. */
interface Subscriber {
  subscription: ChannelSubscription;
  delivered: Uint8Array;
  duplicates: number;
  /** The fault under way when its connection was last lost, and whether it then failed over. */
  dropFault: Fault;
  failedOver: boolean;
}

interface Server {
  child: ChildProcess;
  outputs: LocalOutputs;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the child's next message of `type` (or rejects on its `failed`). */
function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (message: { type: string; message?: string }) => {
      if (message.type === "failed") reject(new Error(message.message));
      if (message.type !== type) return;
      child.off("message", listener);
      resolve(message as T);
    };
    child.on("message", listener);
  });
}

/** The server's memory, sampled by the child every second, across the restart. */
const rss = { start: 0, peak: 0, end: 0 };

async function startServer(options: Options, basePort: number, stateDir: string): Promise<Server> {
  const child = fork(path.join(__dirname, "soakServer.ts"), [options.regions.join(","), String(basePort), stateDir, String(options.latency)], { execArgv: ["--import", "tsx"] });
  child.on("message", (message: { type: string; rss?: number }) => {
    if (message.type !== "rss" || message.rss === undefined) return;
    rss.start ||= message.rss;
    rss.peak = Math.max(rss.peak, message.rss);
    rss.end = message.rss;
  });
  const ready = await nextMessage<{ outputs: LocalOutputs }>(child, "ready");
  return { child, outputs: ready.outputs };
}

async function stopServer(server: Server): Promise<number> {
  server.child.send({ type: "stop" });
  const stopped = await nextMessage<{ rss: number; deadLetters: number }>(server.child, "stopped");
  rss.end = stopped.rss;
  rss.peak = Math.max(rss.peak, stopped.rss);
  return stopped.deadLetters;
}

/** Starts the server on consecutive free ports (the restart needs the same ones). */
async function startOnFreePorts(options: Options, stateDir: string): Promise<{ server: Server; basePort: number }> {
  for (let attempt = 0; ; attempt += 1) {
    const basePort = 20_000 + Math.floor(Math.random() * 30_000);
    try {
      return { server: await startServer(options, basePort, stateDir), basePort };
    } catch (error) {
      if (attempt === 10 || !/in use/.test((error as Error).message)) throw error;
    }
  }
}

/** Plain http/ws URLs: the local ports speak both, and TLS would spend the CPU the clients need. */
function plainRegions(outputs: LocalOutputs) {
  return Object.fromEntries(
    Object.entries(outputs.regions).map(([region, endpoints]) => [
      region,
      { graphqlUrl: endpoints.graphqlUrl.replace("https:", "http:"), realtimeUrl: endpoints.realtimeUrl.replace("wss:", "ws:"), apiKey: endpoints.apiKey },
    ]),
  );
}

/** Node's transport, keeping the open sockets so a storm can drop some. */
function trackingTransport(): { transport: Transport; open: Set<WebSocket> } {
  const base = nodeTransport();
  const open = new Set<WebSocket>();
  return {
    open,
    transport: {
      http: base.http,
      webSocket: (url, protocols) => {
        const socket = base.webSocket(url, protocols) as unknown as WebSocket;
        open.add(socket);
        socket.on("close", () => open.delete(socket));
        return socket as unknown as ReturnType<Transport["webSocket"]>;
      },
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subscribers: { type: "string", default: "1000" },
      minutes: { type: "string", default: "3" },
      "storm-every": { type: "string", default: "30" },
      rate: { type: "string", default: "2" },
      drain: { type: "string", default: "60" },
      latency: { type: "string", default: "0" },
      stack: { type: "string", default: "dev" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return console.log(USAGE);
  const options: Options = {
    subscribers: numberOption("subscribers", values.subscribers, 0, false),
    minutes: numberOption("minutes", values.minutes, 0, false),
    stormEvery: numberOption("storm-every", values["storm-every"], 0, false),
    rate: numberOption("rate", values.rate, 0, false),
    drain: numberOption("drain", values.drain, 0, false),
    latency: numberOption("latency", values.latency, 0, true),
    regions: readStackConfig(values.stack, path.join(__dirname, "..")).regions,
  };
  const runSeconds = options.minutes * 60;
  console.log(machineLine());
  console.log(
    `soak: ${options.subscribers} subscribers over ${options.regions.join(", ")}, ${options.rate} messages/s per region for ${options.minutes} min; ` +
      `storms every ${options.stormEvery} s, a ${OUTAGE_SECONDS} s outage of ${options.regions[0]}, one restart`,
  );

  const stateDir = mkdtempSync(path.join(os.tmpdir(), "globalws-soak-"));
  const first = await startOnFreePorts(options, stateDir);
  const basePort = first.basePort;
  let server = first.server;
  const regions = plainRegions(server.outputs);
  const { transport, open } = trackingTransport();
  const subscribeClients = new Map(options.regions.map((home) => [home, new GlobalWsClient({ regions, transport, home, historyRetentionHours: server.outputs.historyRetentionHours })]));
  const publishTransport = nodeTransport();

  // Message slots: region index × per-region capacity + sequence number.
  const perRegion = Math.ceil(options.rate * runSeconds) + 1;
  const slots = perRegion * options.regions.length;
  const acknowledged = new Uint8Array(slots);
  const sentAt = new Float64Array(slots);
  /** Messages whose publish was retried: their delivery latency is the publisher's, not the path's. */
  const retried = new Uint8Array(slots);
  const latencies: number[] = [];
  const resumeTimes: Record<Fault, number[]> = { storm: [], outage: [], restart: [], none: [] };
  const failoverTimes: number[] = [];
  const catchUps: number[] = [];
  let fault: Fault = "none";

  const subscribers: Subscriber[] = [];
  const live: Promise<void>[] = [];
  const subscribeStarted = now();
  for (let index = 0; index < options.subscribers; index += 1) {
    const home = options.regions[index % options.regions.length];
    const subscription = (subscribeClients.get(home) as GlobalWsClient).subscribe(CHANNEL);
    const subscriber: Subscriber = { subscription, delivered: new Uint8Array(slots), duplicates: 0, dropFault: "none", failedOver: false };
    subscribers.push(subscriber);
    subscription.on("message", (message, { replayed }) => {
      const { seq, region } = message.data as { seq: number; region: number };
      const slot = region * perRegion + seq;
      if (subscriber.delivered[slot] > 0) subscriber.duplicates += 1;
      subscriber.delivered[slot] = Math.min(255, subscriber.delivered[slot] + 1);
      if (!replayed && !retried[slot]) latencies.push(now() - sentAt[slot]);
    });
    subscription.on("state", (change) => {
      if (change.from !== "live" || change.to !== "reconnecting") return;
      subscriber.dropFault = fault;
      subscriber.failedOver = false;
    });
    subscription.on("failover", (event) => (subscriber.failedOver ||= !event.home));
    subscription.on("resumed", (event) => {
      (subscriber.failedOver ? failoverTimes : resumeTimes[subscriber.dropFault]).push(event.downtimeMs);
      catchUps.push(event.caughtUp);
    });
    live.push(new Promise((resolve, reject) => {
      subscription.on("state", (change) => change.to === "live" && resolve());
      subscription.on("failed", reject);
    }));
    // Connect in waves, as a real fleet would, rather than 1,000 handshakes in the same millisecond.
    if (index % 100 === 99) await sleep(100);
  }
  await Promise.all(live);
  console.log(`subscribed: ${options.subscribers} in ${((now() - subscribeStarted) / 1000).toFixed(1)} s`);

  // Publishers: one per region at a fixed rate; each message its own id, every attempt the same id.
  const publishers = options.regions.map((home) => new GlobalWsClient({ regions, transport: publishTransport, home }));
  const publishes: Promise<void>[] = [];
  let published = 0;
  let publishRetries = 0;
  let publishFailures = 0;
  const started = now();
  const publishing = options.regions.map(async (home, regionIndex) => {
    for (let seq = 0; seq < perRegion - 1; seq += 1) {
      const due = started + (seq * 1000) / options.rate;
      if (due > now()) await sleep(due - now());
      const slot = regionIndex * perRegion + seq;
      sentAt[slot] = now();
      published += 1;
      publishes.push(
        publishers[regionIndex]
          .publish(CHANNEL, { seq, region: regionIndex }, {
            id: `soak-${home}-${seq}`,
            onRetry: () => {
              publishRetries += 1;
              retried[slot] = 1;
            },
          })
          .then(
            () => void (acknowledged[slot] = 1),
            () => void (publishFailures += 1),
          ),
      );
    }
  });

  // The faults, on a schedule from the first publish.
  const stormCount = Math.floor((runSeconds - 1) / options.stormEvery);
  const schedule: { at: number; run: () => Promise<void> }[] = [];
  for (let storm = 1; storm <= stormCount; storm += 1) {
    schedule.push({
      at: storm * options.stormEvery,
      run: async () => {
        fault = "storm";
        const sockets = [...open].sort(() => Math.random() - 0.5).slice(0, Math.floor(open.size / 2));
        for (const socket of sockets) socket.terminate();
        console.log(`  +${elapsed(started)} s  storm: dropped ${sockets.length} connections at once`);
      },
    });
  }
  schedule.push({
    at: Math.round(runSeconds * 0.3),
    run: async () => {
      fault = "outage";
      server.child.send({ type: "outage", region: options.regions[0], seconds: OUTAGE_SECONDS });
      console.log(`  +${elapsed(started)} s  outage: ${options.regions[0]} down for ${OUTAGE_SECONDS} s`);
    },
  });
  let deadLetters = 0;
  schedule.push({
    at: Math.round(runSeconds * 0.7),
    run: async () => {
      fault = "restart";
      const restartAt = now();
      deadLetters += await stopServer(server);
      server = await startServer(options, basePort, stateDir);
      console.log(`  +${elapsed(started)} s  restart: the runtime was down ${((now() - restartAt) / 1000).toFixed(1)} s`);
    },
  });
  const faults = schedule
    .sort((a, b) => a.at - b.at)
    .map(async ({ at, run }) => {
      await sleep(Math.max(0, started + at * 1000 - now()));
      await run();
    });

  await Promise.all(publishing);
  await Promise.all(faults);
  await Promise.all(publishes);
  fault = "none";

  // Drain: until every acknowledged message reached every subscriber, or the drain time is up.
  const expectedPerSubscriber = acknowledged.reduce((sum, value) => sum + value, 0);
  const missing = () => subscribers.reduce((sum, subscriber) => sum + countMissing(subscriber.delivered, acknowledged), 0);
  const drainUntil = now() + options.drain * 1000;
  while (missing() > 0 && now() < drainUntil) await sleep(250);
  const drained = elapsed(started);

  const lost = missing();
  const expected = expectedPerSubscriber * options.subscribers;
  const duplicatesShown = subscribers.reduce((sum, subscriber) => sum + subscriber.duplicates, 0);
  const duplicatesCaught = subscribers.reduce((sum, subscriber) => sum + subscriber.subscription.stats.duplicatesDropped, 0);
  const late = subscribers.reduce((sum, subscriber) => sum + subscriber.subscription.stats.caughtUpLate, 0);
  for (const subscriber of subscribers) subscriber.subscription.close();
  deadLetters += await stopServer(server);
  rmSync(stateDir, { recursive: true, force: true });

  const p = (values: number[], q: number) => (values.length === 0 ? "n/a" : `${Math.round(percentile(values, q) as number)}`);
  const spread = (values: number[]) => `p50 ${p(values, 50)} ms, p99 ${p(values, 99)} ms (${values.length} resumes)`;
  console.log(`results (published for ${runSeconds} s, drained by +${drained} s):`);
  console.log(`  messages published ${published}, acknowledged ${expectedPerSubscriber} (publish retries ${publishRetries}, failed for good ${publishFailures})`);
  console.log(`  deliveries expected ${expected} (${options.subscribers} subscribers × ${expectedPerSubscriber}, each subscriber existed for the whole run)`);
  console.log(`  lost ${lost}, duplicates delivered ${duplicatesShown}`);
  console.log(`  duplicates the library dropped ${duplicatesCaught}; caught up late (second history read) ${late}`);
  console.log(`  time to resume after a drop: storms ${spread(resumeTimes.storm)}; restart ${spread(resumeTimes.restart)}; other ${spread([...resumeTimes.outage, ...resumeTimes.none])}`);
  console.log(`  time to fail over: ${spread(failoverTimes)}`);
  console.log(`  catch-up size: p50 ${p(catchUps, 50)}, p99 ${p(catchUps, 99)}, max ${catchUps.length ? Math.max(...catchUps) : "n/a"} messages`);
  console.log(`  delivery latency (live, published without a retry): p50 ${p(latencies, 50)} ms, p99 ${p(latencies, 99)} ms`);
  console.log(`  server RSS: start ${mb(rss.start)}, peak ${mb(rss.peak)}, end ${mb(rss.end)}; dead letters ${deadLetters}`);
  if (lost > 0 || duplicatesShown > 0) process.exitCode = 1;
}

/** Acknowledged slots `delivered` lacks. */
function countMissing(delivered: Uint8Array, acknowledged: Uint8Array): number {
  let missing = 0;
  for (let slot = 0; slot < acknowledged.length; slot += 1) if (acknowledged[slot] && !delivered[slot]) missing += 1;
  return missing;
}

function elapsed(since: number): string {
  return ((now() - since) / 1000).toFixed(1);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
