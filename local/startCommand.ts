import { parseArgs } from "util";
import { startWebApp, type WebApp } from "../client/web/server";
import { startLocalStack, type LocalStack } from "./index";

/** Where `npm start` serves the web app by default (a random port when `--port 0`). */
const WEB_APP_PORT = 5173;

/** The text of `npm start -- --help`. */
export const START_USAGE = `Usage: npm start -- [--stack NAME] [--port N] [--web-port N] [--latency MS] [--outputs FILE] [--fresh]

Runs every region of the stack's config (Pulumi.<stack>.yaml) on localhost: per region an
AppSync-compatible GraphQL API (https/http and wss/ws on one port), an EventBridge bus and a
replica of the history table, plus the web app. Keys, credentials, the certificate and the
history are kept in .globalws/ across restarts.

  --stack NAME     stack whose config is read (default dev)
  --port N         port of the first region; the others follow (default 4000; 0 = random)
  --web-port N     port of the web app (default 5173; random with --port 0; 0 = random)
  --latency MS     delay added to each cross-region hop (default 0)
  --outputs FILE   where to write the outputs (default .globalws/local-outputs.json); give a
                   second stack run side by side its own, and pass it to globalws --outputs
  --fresh          start with empty history (keys and credentials are kept)
  --help           show this text`;

/** What `npm start` was asked to run. */
export interface StartOptions {
  stack: string;
  basePort: number;
  webPort: number;
  latencyMs: number;
  /** Undefined: the state directory's `local-outputs.json`. */
  outputsFile?: string;
  /** Start with empty history. */
  fresh: boolean;
}

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} is ${JSON.stringify(text)}: it must be a whole number ≥ 0`);
  return value;
}

/** Parses `npm start`'s arguments; `"help"` when help was asked for. Throws on a bad value. */
export function parseStartCommand(argv: string[]): StartOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      port: { type: "string" },
      "web-port": { type: "string" },
      latency: { type: "string" },
      outputs: { type: "string" },
      fresh: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const basePort = whole("port", values.port, 4000);
  return {
    stack: values.stack ?? "dev",
    basePort,
    webPort: whole("web-port", values["web-port"], basePort === 0 ? 0 : WEB_APP_PORT),
    latencyMs: whole("latency", values.latency, 0),
    outputsFile: values.outputs,
    fresh: values.fresh ?? false,
  };
}

/** A running `npm start`: the stack and its web app. */
export interface LocalRun {
  stack: LocalStack;
  web: WebApp;
  stop(): Promise<void>;
}

/** Starts the stack, then the web app on `webPort`, with the state kept in `stateDir`. */
export async function startLocalRun(options: StartOptions, stateDir: string, log: (line: string) => void): Promise<LocalRun> {
  const stack = await startLocalStack({
    stack: options.stack,
    basePort: options.basePort,
    latencyMs: options.latencyMs,
    stateDir,
    outputsFile: options.outputsFile,
    fresh: options.fresh,
    log,
  });
  const web = await startWebApp({ outputs: stack.outputs, port: options.webPort, log }).catch(async (error: NodeJS.ErrnoException) => {
    await stack.stop();
    if (error.code !== "EADDRINUSE") throw error;
    throw new Error(`Port ${options.webPort} on 127.0.0.1 (the web app) is in use: stop what uses it, or pick another with --web-port N`);
  });
  return { stack, web, stop: async () => void (await Promise.all([web.close(), stack.stop()])) };
}
