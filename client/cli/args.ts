import { parseArgs } from "node:util";
import { ClientError } from "../lib/errors";

/** The option of the commands that talk to one region. */
const REGION_OPTION = `  --region NAME             Region to talk to (default: the first region of the outputs).`;

/** Where the outputs come from: every command takes these. */
const SOURCE_OPTIONS = `  --outputs FILE            Stack outputs as JSON (default: .globalws/local-outputs.json in the
                            project root, written by \`npm start\`).
  --stack NAME              Read the outputs of a deployed Pulumi stack
                            (\`npx pulumi stack output --json --show-secrets --stack NAME\`).`;

/** The options every command takes, as its own help shows them. */
const COMMON_OPTIONS = `${SOURCE_OPTIONS}
  -h, --help                Show this help.`;

/** The command line's usage text. */
const USAGE = `Usage: globalws <command> [options]

Commands:
  channels                  List the channel allowlist of a region.
  subscribe CHANNEL         Print every message on CHANNEL, one JSON line each, until Ctrl-C.
  publish CHANNEL JSON      Publish a JSON value on CHANNEL, e.g. '{"text":"hello"}' or '"hi"'.
  unsubscribe CHANNEL       Close every subscription to CHANNEL in every region (IAM: signs with
                            your AWS credentials, or the local runtime's). Any valid name, even
                            one no longer on the allowlist.
  smoke                     Subscribe in every region, publish in each, and print a matrix of
                            delivery latency (p50/p99) and losses; exits 1 if anything is lost.
  web                       Serve the web app on 127.0.0.1 against these outputs, until Ctrl-C.

Options:
${REGION_OPTION}
${SOURCE_OPTIONS}
  --count N                 smoke: messages to publish in each region (default 20).
  --channel NAME            smoke: channel to use (default: derived from the allowlist).
  --timeout SECONDS         smoke: how long to wait for deliveries after publishing (default 10).
  --port N                  web: port to serve on (default 5173; 0 picks a free one).
  -h, --help                Show this help; \`globalws <command> --help\` shows that command's.

Exit codes: 0 success; 1 the command failed (refused by the API, unauthorized, unreachable,
subscription ended by the server, messages lost); 2 wrong usage (unknown command or option,
missing argument, bad JSON, unknown region, outputs missing or malformed).
`;

/** Each command's own help: usage, what it does, its options. */
const COMMAND_HELP: Record<CommandName, string> = {
  channels: `Usage: globalws channels [options]

Prints the channel allowlist of a region, one entry a line (an entry ending in * is a prefix).
Nothing on stdout when any valid channel name is allowed.

Options:
${REGION_OPTION}
${COMMON_OPTIONS}`,
  subscribe: `Usage: globalws subscribe CHANNEL [options]

Prints every message published on CHANNEL in any region, one JSON line each
({name, data, id, origin, publishedAt}), until Ctrl-C (exit 0). A delivery the API sends with
errors instead of a message is reported on stderr and the subscription goes on. Exits 1 when
the subscription is refused or the server ends it (a forced unsubscribe).

Options:
${REGION_OPTION}
${COMMON_OPTIONS}`,
  publish: `Usage: globalws publish CHANNEL JSON [options]

Publishes JSON (any JSON value) on CHANNEL: every subscriber in every region receives it.
Text must be quoted as JSON: '"hello"'. Prints the published message as one JSON line.

Options:
${REGION_OPTION}
${COMMON_OPTIONS}`,
  unsubscribe: `Usage: globalws unsubscribe CHANNEL [options]

Closes every subscription to CHANNEL in every region (their subscribers see the subscription
end). IAM only: signs with your AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...), or
with the local runtime's from its outputs file.

CHANNEL need not be on the allowlist, on purpose: after you remove a channel from
globalws:channels, this is how you close the subscriptions still open on it. It only has to
be a valid channel name.

Options:
${REGION_OPTION}
${COMMON_OPTIONS}`,
  smoke: `Usage: globalws smoke [options]

Subscribes to one channel in every region, publishes --count messages in each region and
prints the delivery latency (p50/p99) of every origin → destination pair, with any loss or
duplicate. Exits 1 when a message was lost or a publish refused.

Options:
  --count N                 Messages to publish in each region (default 20).
  --channel NAME            Channel to use (default: derived from the allowlist).
  --timeout SECONDS         How long to wait for deliveries after publishing (default 10).
${COMMON_OPTIONS}`,
  web: `Usage: globalws web [options]

Serves the web app on 127.0.0.1 against these outputs (each region's endpoints and API key,
never IAM credentials), until Ctrl-C.

Options:
  --port N                  Port to serve on (default 5173; 0 picks a free one).
${COMMON_OPTIONS}`,
};

/** The commands `globalws` knows. */
const COMMANDS = ["channels", "subscribe", "publish", "unsubscribe", "smoke", "web"] as const;

/** A command `globalws` runs. */
export type CommandName = (typeof COMMANDS)[number];

/** What to print when help was asked for. */
export interface HelpRequest {
  help: string;
}

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
 * Parses `argv` (without node and the script): the command to run, or the help to print when help
 * was asked for (`--help`, `help [COMMAND]`) or no command was given: the command's own help
 * when one is named. Throws a `ClientError` with exit code 2 on misuse.
 */
export function parseCommandLine(argv: string[]): ParsedCommand | HelpRequest {
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
  if (command === "help") return helpFor(rest[0]);
  if (values.help || command === undefined) return helpFor(command);
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
  if (!isCommand(command)) throw unknownCommand(command);
  const expected = ARITY[command];
  if (rest.length !== expected.length) {
    const usage = ["globalws", command, ...expected].join(" ");
    throw new ClientError(`\`${command}\` takes ${expected.length || "no"} argument(s). Usage: ${usage}`, 2);
  }
  return { command, ...base };
}

/** The help of `command`, or the overview when none is named. */
function helpFor(command: string | undefined): HelpRequest {
  if (command === undefined) return { help: USAGE };
  if (!isCommand(command)) throw unknownCommand(command);
  return { help: COMMAND_HELP[command] };
}

function unknownCommand(command: string): ClientError {
  return new ClientError(`Unknown command "${command}". Commands: ${COMMANDS.join(", ")}.`, 2);
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
