import { parseArgs } from "node:util";
import { ClientError } from "../lib/errors";

/** The command line's usage text. */
export const USAGE = `Usage: globalws <command> [options]

Commands:
  channels                  List the channel allowlist of a region.
  subscribe CHANNEL         Print every message on CHANNEL, one JSON line each, until Ctrl-C.
  publish CHANNEL JSON      Publish a JSON value on CHANNEL, e.g. '{"text":"hello"}' or '"hi"'.
  unsubscribe CHANNEL       Close every subscription to CHANNEL in every region (IAM: signs with
                            your AWS credentials, or the local runtime's).
  smoke                     Subscribe in every region, publish in each, and print a matrix of
                            delivery latency (p50/p99) and losses; exits 1 if anything is lost.
  web                       Serve the web app on 127.0.0.1 against these outputs, until Ctrl-C.

Options:
  --region NAME             Region to talk to (default: the first region of the outputs).
  --outputs FILE            Stack outputs as JSON (default: .globalws/local-outputs.json,
                            written by \`npm start\`).
  --stack NAME              Read the outputs of a deployed Pulumi stack
                            (\`npx pulumi stack output --json --show-secrets --stack NAME\`).
  --count N                 smoke: messages to publish in each region (default 20).
  --channel NAME            smoke: channel to use (default: derived from the allowlist).
  --timeout SECONDS         smoke: how long to wait for deliveries after publishing (default 10).
  --port N                  web: port to serve on (default 5173; 0 picks a free one).
  -h, --help                Show this help.
`;

/** The commands `globalws` knows. */
const COMMANDS = ["channels", "subscribe", "publish", "unsubscribe", "smoke", "web"] as const;

/** A command `globalws` runs. */
export type CommandName = (typeof COMMANDS)[number];

/** A command with its arguments and options. */
export interface ParsedCommand {
  command: CommandName;
  positionals: string[];
  region?: string;
  outputsFile?: string;
  stack?: string;
  count: number;
  channel?: string;
  timeoutMs: number;
  port: number;
}

/** How many positional arguments each command takes. */
const ARITY: Record<CommandName, string[]> = {
  channels: [],
  subscribe: ["CHANNEL"],
  publish: ["CHANNEL", "JSON"],
  unsubscribe: ["CHANNEL"],
  smoke: [],
  web: [],
};

/**
 * Parses `argv` (without node and the script): the command to run, or `"help"` when help was asked
 * for or no command was given. Throws a `ClientError` with exit code 2 on misuse.
 */
export function parseCommandLine(argv: string[]): ParsedCommand | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        region: { type: "string" },
        outputs: { type: "string" },
        stack: { type: "string" },
        count: { type: "string" },
        channel: { type: "string" },
        timeout: { type: "string" },
        port: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new ClientError(`${(error as Error).message}\nRun \`globalws --help\` for usage.`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const base = {
    positionals: rest,
    region: values.region,
    outputsFile: values.outputs,
    stack: values.stack,
    channel: values.channel,
    count: positiveInteger("--count", values.count ?? "20"),
    timeoutMs: positiveNumber("--timeout", values.timeout ?? "10") * 1000,
    port: portNumber(values.port ?? "5173"),
  };
  if (values.help || command === undefined || command === "help") return "help";
  if (!isCommand(command)) {
    throw new ClientError(`Unknown command "${command}". Commands: ${COMMANDS.join(", ")}.`, 2);
  }
  const expected = ARITY[command];
  if (rest.length !== expected.length) {
    const usage = ["globalws", command, ...expected].join(" ");
    throw new ClientError(`\`${command}\` takes ${expected.length || "no"} argument(s). Usage: ${usage}`, 2);
  }
  return { command, ...base };
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

function positiveNumber(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ClientError(`${option} must be a positive number, not "${text}".`, 2);
  }
  return value;
}

function positiveInteger(option: string, text: string): number {
  const value = positiveNumber(option, text);
  if (!Number.isInteger(value)) throw new ClientError(`${option} must be a whole number, not "${text}".`, 2);
  return value;
}

function portNumber(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ClientError(`--port must be a whole number from 0 to 65535, not "${text}".`, 2);
  }
  return port;
}
