import { LocalTokenError, mintLocalToken } from "../../local/oidc/mintToken";
import type { AuthOption } from "../lib/auth";
import type { GlobalWsClient } from "../lib/client";
import { ClientError, isCredentialRefused } from "../lib/errors";
import { createNodeClient } from "../lib/node";
import type { ClientOutputs } from "../lib/outputs";
import { RegionApi } from "../lib/regionApi";
import { startWebApp } from "../web/server";
import type { ParsedCommand } from "./args";
import { formatLatencyMatrix } from "./latencyMatrix";
import { requestOutage } from "./outageControl";
import { parseSince } from "./since";
import { formatOutageReport, runSmoke, smokePassed } from "./smoke";
import { reportResumes } from "./subscriptionNotes";
import { expiredTokenNote } from "../lib/tokenClaims";

/** Where a command writes: data on `out` (so it pipes), everything else on `err`. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** How long `outage` lasts unless `--seconds` says (the soak's outage); smoke's is shorter. */
const OUTAGE_SECONDS = 20;
const SMOKE_OUTAGE_SECONDS = 5;

/**
 * Runs one command; resolves with the process exit code. With `command.token`, the commands that act
 * for a user (channels, publish, subscribe, history, smoke) sign in with it instead of the API key.
 */
export async function runCommand(command: ParsedCommand, outputs: ClientOutputs, io: CommandIo): Promise<number> {
  try {
    return await run(command, outputs, io);
  } catch (error) {
    if (!command.token || !isCredentialRefused(error)) throw error;
    throw new ClientError(`${(error as Error).message} ${tokenRefusedNote(command.token)}`);
  }
}

/** What to tell a user whose token the API refused. */
function tokenRefusedNote(token: string): string {
  return expiredTokenNote(token, Date.now()) ?? "The API refused the token (--token or GLOBALWS_TOKEN): check its issuer and audience.";
}

async function run(command: ParsedCommand, outputs: ClientOutputs, io: CommandIo): Promise<number> {
  const [first, json] = command.positionals;
  const token = command.token;
  const auth: AuthOption | undefined = token ? { mode: "token", token: () => token } : undefined;
  const client = () => createNodeClient(outputs, { home: command.region, failover: command.failover, auth });
  switch (command.command) {
    case "channels":
      return listChannels(RegionApi.of(outputs, command.region, auth), io);
    case "publish":
      return publish(client(), first, json, command.id, io);
    case "subscribe":
      return subscribe(client(), first, command.since, token, io);
    case "history":
      return printHistory(client(), first, command, io);
    case "unsubscribe":
      return unsubscribe(RegionApi.of(outputs, command.region), first, io);
    case "smoke":
      return smoke(outputs, command, auth, io);
    case "outage":
      return outage(outputs, first, command.seconds ?? OUTAGE_SECONDS, io);
    case "token":
      return printToken(outputs, command, io);
    case "web":
      return serveWebApp(outputs, command.port, io);
  }
}

async function listChannels(api: RegionApi, io: CommandIo): Promise<number> {
  const channels = await api.channels();
  if (channels.length === 0) io.err(`${api.region}: no allowlist, any valid channel name is allowed.`);
  for (const channel of channels) io.out(channel);
  return 0;
}

/** Publishes with retries (same id) and failover; prints the stored message. */
async function publish(client: GlobalWsClient, channel: string, json: string, id: string | undefined, io: CommandIo): Promise<number> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new ClientError(`The message is not valid JSON (${(error as Error).message}). Quote text as JSON, e.g. '"hello"'.`, 2);
  }
  const message = await client.publish(channel, data, {
    id,
    onRetry: (retry) =>
      io.err(`Publish in ${retry.region} failed (${retry.error.message}); retrying${retry.nextRegion === retry.region ? "" : ` in ${retry.nextRegion}`} in ${retry.retryInMs} ms with the same id.`),
  });
  io.out(JSON.stringify(message));
  return 0;
}

async function printHistory(client: GlobalWsClient, channel: string, command: ParsedCommand, io: CommandIo): Promise<number> {
  const since = command.since === undefined ? undefined : parseSince(command.since, Date.now());
  let printed = 0;
  for await (const message of client.history(channel, { since })) {
    io.out(JSON.stringify(message));
    printed += 1;
    if (printed === command.limit) break;
  }
  return 0;
}

async function unsubscribe(api: RegionApi, channel: string, io: CommandIo): Promise<number> {
  io.out(JSON.stringify(await api.unsubscribe(channel)));
  return 0;
}

/**
 * Prints each message once as one JSON line until Ctrl-C (exit 0), resuming and failing over by
 * itself; exits 1 when the subscription is refused or the server ends it.
 */
async function subscribe(client: GlobalWsClient, channel: string, sinceText: string | undefined, token: string | undefined, io: CommandIo): Promise<number> {
  const since = sinceText === undefined ? undefined : parseSince(sinceText, Date.now());
  const subscription = client.subscribe(channel, { since });
  let subscribed = false;
  const code = await new Promise<number>((resolve) => {
    process.once("SIGINT", () => resolve(0));
    process.once("SIGTERM", () => resolve(0));
    subscription.on("message", (message) => io.out(JSON.stringify(message)));
    subscription.on("deliveryError", (error) => io.err(`A delivery on "${channel}" in ${subscription.region} came without a message: ${error.message}`));
    subscription.on("state", (change) => {
      if (change.to !== "live" || subscribed) return;
      subscribed = true;
      io.err(`Subscribed to "${channel}" in ${change.region}. Ctrl-C to stop.`);
    });
    reportResumes(subscription, io.err);
    subscription.on("unsubscribed", () => {
      io.err(`The server closed the subscription to "${channel}" (forced unsubscribe).`);
      resolve(1);
    });
    subscription.on("failed", (error) => {
      // Asked again at each reconnect, a token given on the command line cannot be refreshed: say when it ran out.
      const note = token && isCredentialRefused(error) ? ` ${tokenRefusedNote(token)}` : "";
      io.err(`Cannot subscribe to "${channel}" in ${subscription.region}: ${error.message}${note}`);
      resolve(1);
    });
  });
  subscription.close();
  return code;
}

async function smoke(outputs: ClientOutputs, command: ParsedCommand, auth: AuthOption | undefined, io: CommandIo): Promise<number> {
  const outage = command.outage === undefined ? undefined : { region: command.outage, seconds: command.seconds ?? SMOKE_OUTAGE_SECONDS };
  const result = await runSmoke(outputs, {
    count: command.count,
    channel: command.channel,
    timeoutMs: command.timeoutMs,
    outage,
    auth,
    log: io.err,
  });
  io.out(`Delivery latency p50/p99 (ms) and losses, ${command.count} messages per origin, channel "${result.channel}":`);
  io.out(formatLatencyMatrix(result.regions, result.routes));
  if (result.outage) for (const line of formatOutageReport(result)) io.out(line);
  for (const error of result.publishErrors) io.err(`publish failed in ${error}`);
  const passed = smokePassed(result);
  io.err(passed ? "smoke: every acknowledged message reached every region, once." : "smoke: FAILED, messages were lost or delivered twice, or a publish failed.");
  return passed ? 0 : 1;
}

/** Takes a region of the local runtime down, and waits until it is back. */
async function outage(outputs: ClientOutputs, region: string, seconds: number, io: CommandIo): Promise<number> {
  const started = await requestOutage(outputs, region, seconds);
  io.out(`${region} is down until ${started.until} (${seconds} s): connections refused, bus and history replication stopped.`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(started.until) - Date.now())));
  const api = RegionApi.of(outputs, region);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await api.channels();
      break;
    } catch (error) {
      if (attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  io.out(`${region} is back up.`);
  return 0;
}

/** Prints a token from the local runtime's issuer (refused for a deployed stack's outputs). */
async function printToken(outputs: ClientOutputs, command: ParsedCommand, io: CommandIo): Promise<number> {
  if (command.sub === undefined) throw new ClientError("`token` needs --sub NAME (the user). Usage: globalws token --sub NAME [--groups A,B] [--ttl 1h]", 2);
  try {
    io.out(await mintLocalToken(outputs, { sub: command.sub, groups: command.groups, ttl: command.ttl, audience: command.audience }));
  } catch (error) {
    if (error instanceof LocalTokenError) throw new ClientError(error.message, 2);
    throw error;
  }
  return 0;
}

/** Serves the web app until Ctrl-C. */
async function serveWebApp(outputs: ClientOutputs, port: number, io: CommandIo): Promise<number> {
  const app = await startWebApp({ outputs, port, log: io.err });
  io.out(`globalws web app: ${app.url}  (regions: ${Object.keys(outputs.regions).join(", ")})`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await app.close();
  return 0;
}
