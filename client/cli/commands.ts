import { ClientError } from "../lib/errors";
import type { ClientOutputs } from "../lib/outputs";
import { RegionApi } from "../lib/regionApi";
import { startWebApp } from "../web/server";
import { formatLatencyMatrix } from "./latencyMatrix";
import { runSmoke, smokePassed } from "./smoke";
import type { ParsedCommand } from "./args";

/** Where a command writes: data on `out` (so it pipes), everything else on `err`. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command; resolves with the process exit code. */
export async function runCommand(command: ParsedCommand, outputs: ClientOutputs, io: CommandIo): Promise<number> {
  const [channel, json] = command.positionals;
  switch (command.command) {
    case "channels":
      return listChannels(RegionApi.of(outputs, command.region), io);
    case "publish":
      return publish(RegionApi.of(outputs, command.region), channel, json, io);
    case "subscribe":
      return subscribe(RegionApi.of(outputs, command.region), channel, io);
    case "unsubscribe":
      return unsubscribe(RegionApi.of(outputs, command.region), channel, io);
    case "smoke":
      return smoke(RegionApi.all(outputs), command, io);
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

async function publish(api: RegionApi, channel: string, json: string, io: CommandIo): Promise<number> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new ClientError(
      `The message is not valid JSON (${(error as Error).message}). Quote text as JSON, e.g. '"hello"'.`,
      2,
    );
  }
  io.out(JSON.stringify(await api.publish(channel, data)));
  return 0;
}

async function unsubscribe(api: RegionApi, channel: string, io: CommandIo): Promise<number> {
  io.out(JSON.stringify(await api.unsubscribe(channel)));
  return 0;
}

/** Prints each message as one JSON line until Ctrl-C (exit 0) or the server ends the subscription (exit 1). */
async function subscribe(api: RegionApi, channel: string, io: CommandIo): Promise<number> {
  const connection = await api.connectRealtime();
  const ended = new Promise<number>((resolve) => {
    process.once("SIGINT", () => resolve(0));
    process.once("SIGTERM", () => resolve(0));
    api
      .subscribe(connection, channel, {
        next: (message) => io.out(JSON.stringify(message)),
        deliveryError: (error) => io.err(`A delivery on "${channel}" in ${api.region} came without a message: ${error.message}`),
        error: (error) => {
          io.err(`Subscription to "${channel}" in ${api.region} failed: ${error.message}`);
          resolve(1);
        },
        complete: () => {
          io.err(`The server closed the subscription to "${channel}" (forced unsubscribe).`);
          resolve(1);
        },
      })
      .then(() => io.err(`Subscribed to "${channel}" in ${api.region}. Ctrl-C to stop.`))
      .catch((error: Error) => {
        io.err(`Cannot subscribe to "${channel}" in ${api.region}: ${error.message}`);
        resolve(1);
      });
  });
  const code = await ended;
  await connection.close();
  return code;
}

async function smoke(apis: RegionApi[], command: ParsedCommand, io: CommandIo): Promise<number> {
  const result = await runSmoke(apis, {
    count: command.count,
    channel: command.channel,
    timeoutMs: command.timeoutMs,
    log: io.err,
  });
  io.out(`Delivery latency p50/p99 (ms) and losses, ${command.count} messages per origin, channel "${result.channel}":`);
  io.out(formatLatencyMatrix(result.regions, result.routes));
  for (const error of result.publishErrors) io.err(`publish failed in ${error}`);
  const passed = smokePassed(result);
  io.err(passed ? "smoke: every message reached every region." : "smoke: FAILED, messages were lost.");
  return passed ? 0 : 1;
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
