import { fork, type ChildProcess } from "child_process";
import * as path from "path";
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import WebSocket from "ws";
import type { LocalOutputs, RegionOutputs } from "../local/index";
import { readStackConfig } from "../local/stackConfig";
import { percentile } from "../client/cli/latencyMatrix";
import { PUBLISH, SUBSCRIBE } from "../client/lib/operations";
import { machineLine, mb, ms, numberOption } from "./stats";

const USAGE = `Usage: npm run bench -- [--subscribers N] [--rate PER_S] [--seconds S] [--latency MS] [--stack NAME]

N subscribers (spread over the stack's regions) and one publisher per region at a fixed rate,
against the local runtime with history on (every message stored in the regions' history
replicas), with history off, then against a bare ws broadcast server (the ceiling).`;

/** What a scenario runs against: the local runtime with or without history, or the bare ws ceiling. */
type Server = "history" | "live" | "bare";

interface Options {
  subscribers: number;
  rate: number;
  seconds: number;
  latency: number;
  regions: string[];
}

interface ScenarioResult {
  published: number;
  expected: number;
  received: number;
  duplicates: number;
  lost: number;
  deliveredPerSecond: number;
  sameRegion: number[];
  crossRegion: number[];
  peakRss: number;
  maxRss: number;
}

type Ready = { type: "ready"; outputs?: LocalOutputs; bareUrl?: string };
const now = () => performance.timeOrigin + performance.now();
const DRAIN_TIMEOUT_MS = 10_000;

/** A region of the local runtime under test, whose API key the benchmark's clients use. */
function keyedRegion(ready: Ready, region: string): RegionOutputs & { apiKey: string } {
  const endpoints = (ready.outputs as LocalOutputs).regions[region];
  if (endpoints.apiKey === undefined) throw new Error(`The benchmark's clients use API keys; ${region} has none`);
  return endpoints as RegionOutputs & { apiKey: string };
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off("message", listener);
      resolve(message as T);
    };
    child.on("message", listener);
  });
}

/** Opens one subscriber; resolves once it is subscribed. `onData` gets each message's `{seq, region, sentAt}`. */
function subscriber(kind: Server, ready: Ready, region: string, onData: (text: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    if (kind === "bare") {
      socket = new WebSocket(ready.bareUrl as string);
      socket.once("open", () => resolve(socket));
    } else {
      const endpoints = keyedRegion(ready, region);
      const header = Buffer.from(JSON.stringify({ host: new URL(endpoints.graphqlUrl).host, "x-api-key": endpoints.apiKey })).toString("base64");
      socket = new WebSocket(`${endpoints.realtimeUrl.replace("wss:", "ws:")}?header=${header}&payload=e30=`, ["graphql-ws"]);
      socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    }
    socket.on("error", reject);
    socket.on("message", (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.type === "data") return onData(message.payload.data.subscribe.data);
      if (message.type === "connection_ack") {
        // The operations every client ships: subscribers and publishers select every field.
        const data = JSON.stringify({ query: SUBSCRIBE, variables: { name: "bench" } });
        const endpoints = keyedRegion(ready, region);
        socket.send(JSON.stringify({ id: "bench", type: "start", payload: { data, extensions: { authorization: { "x-api-key": endpoints.apiKey } } } }));
      }
      if (message.type === "start_ack") resolve(socket);
      if (message.type === "error") reject(new Error(JSON.stringify(message)));
    });
  });
}

async function publish(kind: Server, ready: Ready, region: string, seq: number): Promise<void> {
  const data = JSON.stringify({ seq, region, sentAt: now() });
  if (kind === "bare") {
    await fetch(`${ready.bareUrl}/publish`, { method: "POST", body: JSON.stringify({ subscribe: { data, origin: region } }) }).then((response) => response.text());
    return;
  }
  const endpoints = keyedRegion(ready, region);
  const response = await fetch(endpoints.graphqlUrl.replace("https:", "http:"), {
    method: "POST",
    headers: { "x-api-key": endpoints.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ query: PUBLISH, variables: { name: "bench", data } }),
  });
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors) throw new Error(`publish failed: ${JSON.stringify(body.errors)}`);
}

async function runScenario(kind: Server, options: Options): Promise<ScenarioResult> {
  const child = fork(path.join(__dirname, "serverProcess.ts"), [kind, options.regions.join(","), String(options.latency)], { execArgv: ["--import", "tsx"] });
  const ready = await nextMessage<Ready>(child, "ready");
  const sameRegion: number[] = [];
  const crossRegion: number[] = [];
  const seen: Set<string>[] = [];
  let received = 0;
  let duplicates = 0;
  let lastReceive = 0;
  const sockets: WebSocket[] = [];
  for (let start = 0; start < options.subscribers; start += 100) {
    const batch = Array.from({ length: Math.min(100, options.subscribers - start) }, (_, offset) => {
      const index = start + offset;
      const region = options.regions[index % options.regions.length];
      const mine = (seen[index] = new Set());
      return subscriber(kind, ready, region, (text) => {
        const at = now();
        const { seq, region: origin, sentAt } = JSON.parse(text) as { seq: number; region: string; sentAt: number };
        const key = `${origin}:${seq}`;
        if (mine.has(key)) {
          duplicates += 1;
          return;
        }
        mine.add(key);
        received += 1;
        lastReceive = at;
        (origin === region ? sameRegion : crossRegion).push(at - sentAt);
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }

  const perRegion = options.rate * options.seconds;
  const firstPublish = now();
  const publishers = options.regions.map(async (region) => {
    for (let seq = 0; seq < perRegion; seq += 1) {
      // Fixed rate: wait for this message's slot, whatever the previous publish cost.
      const due = firstPublish + (seq * 1000) / options.rate;
      if (due > now()) await new Promise((resolve) => setTimeout(resolve, due - now()));
      await publish(kind, ready, region, seq);
    }
  });
  await Promise.all(publishers);
  const published = perRegion * options.regions.length;
  const expected = published * options.subscribers;
  const drainUntil = now() + DRAIN_TIMEOUT_MS;
  while (received < expected && now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 20));

  child.send({ type: "report" });
  const memory = await nextMessage<{ peakRss: number; maxRss: number }>(child, "report");
  for (const socket of sockets) socket.terminate();
  return {
    published,
    expected,
    received,
    duplicates,
    lost: expected - received,
    deliveredPerSecond: received / ((lastReceive - firstPublish) / 1000),
    sameRegion,
    crossRegion,
    peakRss: memory.peakRss,
    maxRss: memory.maxRss,
  };
}

function describe(name: string, result: ScenarioResult, ceiling?: ScenarioResult): string[] {
  const ratio = (ours: number, theirs: number | undefined) =>
    theirs === undefined || Number.isNaN(ours) || Number.isNaN(theirs) ? "" : `  (${(ours / theirs).toFixed(2)}× bare ws)`;
  // The same nearest-rank percentile as `globalws smoke`, so the two report alike.
  const p = (values: number[], q: number) => percentile(values, q * 100) ?? NaN;
  return [
    name,
    `  published ${result.published}, deliveries expected ${result.expected}, received ${result.received}, lost ${result.lost}, duplicates ${result.duplicates}`,
    `  delivered ${result.deliveredPerSecond.toFixed(0)} messages/s${ratio(result.deliveredPerSecond, ceiling?.deliveredPerSecond)}`,
    `  same-region latency  p50 ${ms(p(result.sameRegion, 0.5))}${ratio(p(result.sameRegion, 0.5), ceiling && p(ceiling.sameRegion, 0.5))}, p99 ${ms(p(result.sameRegion, 0.99))}${ratio(p(result.sameRegion, 0.99), ceiling && p(ceiling.sameRegion, 0.99))}`,
    `  cross-region latency p50 ${ms(p(result.crossRegion, 0.5))}${ratio(p(result.crossRegion, 0.5), ceiling && p(ceiling.crossRegion, 0.5))}, p99 ${ms(p(result.crossRegion, 0.99))}${ratio(p(result.crossRegion, 0.99), ceiling && p(ceiling.crossRegion, 0.99))}`,
    `  server peak memory ${mb(result.peakRss)} RSS (maxRSS ${mb(result.maxRss)})`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subscribers: { type: "string", default: "1000" },
      rate: { type: "string", default: "20" },
      seconds: { type: "string", default: "10" },
      latency: { type: "string", default: "0" },
      stack: { type: "string", default: "dev" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return console.log(USAGE);
  const options: Options = {
    subscribers: numberOption("subscribers", values.subscribers, 0, true),
    rate: numberOption("rate", values.rate, 0, true),
    seconds: numberOption("seconds", values.seconds, 0, true),
    latency: numberOption("latency", values.latency, 0, true),
    regions: readStackConfig(values.stack, path.join(__dirname, "..")).regions,
  };
  console.log(machineLine());
  console.log(`load: ${options.subscribers} subscribers over ${options.regions.join(", ")}; ${options.rate} messages/s per region for ${options.seconds} s; cross-region latency ${options.latency} ms`);
  const withHistory = await runScenario("history", options);
  const live = await runScenario("live", options);
  const ceiling = await runScenario("bare", options);
  for (const line of [
    ...describe("bare ws broadcast (ceiling)", ceiling),
    ...describe("globalws local runtime, history on (every message stored, replicated to every region)", withHistory, ceiling),
    ...describe("globalws local runtime, history off", live, ceiling),
  ]) console.log(line);
  if ([withHistory, live].some((ours) => ours.lost > 0 || ours.duplicates > 0)) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
