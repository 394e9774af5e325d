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

/** `--since`, as subscribe and history take it. */
const SINCE_OPTION = `  --since ISO|DURATION      Start from this time: an ISO time, or a duration back from now
                            (30s, 10m, 2h, 1d).`;

/** `--token`, as the commands that act for a user take it. */
const TOKEN_OPTION = `  --token TOKEN             Sign in with this OpenID Connect token (a JWT) instead of the API
                            key; default: the GLOBALWS_TOKEN environment variable.`;

/** `--no-failover`, as subscribe and publish take it. */
const NO_FAILOVER_OPTION = `  --no-failover             Stay in the region (by default another region takes over when it
                            cannot be reached).`;

/** The command line's usage text. */
const USAGE = `Usage: globalws <command> [options]

Commands:
  channels                  List the channel allowlist of a region.
  subscribe CHANNEL         Print every message on CHANNEL once, one JSON line each, until Ctrl-C;
                            resumes after a drop and fails over to another region by itself.
  publish CHANNEL JSON      Publish a JSON value on CHANNEL, e.g. '{"text":"hello"}' or '"hi"'
                            (retried with the same id, in another region if need be).
  history CHANNEL           Print the channel's stored messages, oldest first, one JSON line each.
  unsubscribe CHANNEL       Close every subscription to CHANNEL in every region (IAM: signs with
                            your AWS credentials, or the local runtime's). Any valid name, even
                            one no longer on the allowlist.
  smoke                     Subscribe in every region, publish in each, and print a matrix of
                            delivery latency (p50/p99) and losses; exits 1 if anything is lost.
  outage REGION             Local runtime only: take REGION down for --seconds, then back.
  token                     Local runtime only: print a sign-in token for --sub from its issuer.
  web                       Serve the web app on 127.0.0.1 against these outputs, until Ctrl-C.

Options:
${REGION_OPTION}
${SOURCE_OPTIONS}
${TOKEN_OPTION}
${SINCE_OPTION}
  --limit N                 history: print at most N messages (default: all).
  --id ID                   publish: the message's id (default: a new one); a retry with the same
                            id is stored once.
${NO_FAILOVER_OPTION}
  --count N                 smoke: messages to publish in each region (default 20).
  --channel NAME            smoke: channel to use (default: derived from the allowlist).
  --timeout SECONDS         smoke: how long to wait for deliveries after publishing (default 10).
  --outage REGION           smoke: take REGION down mid-run (local runtime only).
  --seconds N               outage, smoke --outage: how long the region stays down (default 20; smoke 5).
  --port N                  web: port to serve on (default 5173; 0 picks a free one).
  --sub NAME, --groups A,B, --ttl DURATION, --audience AUD
                            token: the user, their groups, the lifetime (default 1h), the aud claim.
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
${TOKEN_OPTION}
${COMMON_OPTIONS}`,
  subscribe: `Usage: globalws subscribe CHANNEL [options]

Prints every message published on CHANNEL in any region, once, one JSON line each
({name, data, id, origin, publishedAt}), until Ctrl-C (exit 0). When the connection drops it
reconnects (jittered backoff) and catches up from history what it missed; when the region cannot
be reached it fails over to the next region and resumes there, and goes back home once home
answers. Notes on reconnects, failovers and catch-ups go to stderr, as does a delivery the API
sends with errors instead of a message. Exits 1 when the subscription is refused or the server
ends it (a forced unsubscribe).

Options:
  --region NAME             The home region (default: the first region of the outputs).
${SINCE_OPTION} History from then is printed first.
${NO_FAILOVER_OPTION}
${TOKEN_OPTION}
${COMMON_OPTIONS}`,
  publish: `Usage: globalws publish CHANNEL JSON [options]

Publishes JSON (any JSON value) on CHANNEL: every subscriber in every region receives it.
Text must be quoted as JSON: '"hello"'. Prints the published message as one JSON line. A failed
attempt is retried with the same id (stored once however often it is sent), in the next region
after three failures; a refusal (e.g. ChannelNotAllowed) is not retried.

Options:
${REGION_OPTION}
  --id ID                   The message's id: 1-128 of A-Z a-z 0-9 _ . : - (default: a new one).
${NO_FAILOVER_OPTION}
${TOKEN_OPTION}
${COMMON_OPTIONS}`,
  history: `Usage: globalws history CHANNEL [options]

Prints the channel's stored messages, oldest first, one JSON line each, reading every page.
History is kept globalws:historyRetentionHours (default 24 h).

Options:
${REGION_OPTION}
${SINCE_OPTION} (default: everything kept).
  --limit N                 Print at most N messages (the oldest N from --since).
${TOKEN_OPTION}
${COMMON_OPTIONS}`,
  outage: `Usage: globalws outage REGION [--seconds N] [options]

Local runtime only (npm start): takes REGION down for N seconds (default 20), then it comes back
by itself. Down, its port refuses connections and drops open ones, its bus neither receives nor
forwards, and its history replica stops replicating until it is back. Waits until it is back.
Signs with the local runtime's IAM credentials (from its outputs file).

Options:
  --seconds N               How long REGION stays down (default 20).
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

Subscribes to one channel in every region, publishes --count messages in each region (each with
its own id) and prints the delivery latency (p50/p99) of every origin → destination pair, with
any loss or duplicate. Exits 1 when an acknowledged message was lost or delivered twice, or a
publish failed. With --outage REGION (local runtime only) it publishes over 3 × --seconds, takes
REGION down for --seconds in the middle, and prints what each subscriber saw of it.

Options:
  --count N                 Messages to publish in each region (default 20).
  --channel NAME            Channel to use (default: derived from the allowlist).
  --timeout SECONDS         How long to wait for deliveries after publishing (default 10).
  --outage REGION           Take REGION down mid-run (local runtime only).
  --seconds N               How long REGION stays down (default 5).
${TOKEN_OPTION}
${COMMON_OPTIONS}`,
  token: `Usage: globalws token --sub NAME [--groups A,B] [--ttl DURATION] [--audience AUD] [options]

Local runtime only (npm start with globalws:oidc set): prints a sign-in token for user NAME, signed
by the local runtime's own OpenID Connect issuer (its key is in .globalws/), for --token,
GLOBALWS_TOKEN or the web app's Sign in. A deployed stack's users sign in with its real issuer
(e.g. Cognito); this command refuses its outputs.

Options:
  --sub NAME                The user (the token's sub): 1 to 255 characters.
  --groups A,B              Their groups, comma-separated, as the stack's groups claim lists them.
  --ttl DURATION            How long the token lives: 90s, 15m, 1h, 2d (default 1h).
  --audience AUD            The aud claim (default: the stack's clientId, when it has one).
${COMMON_OPTIONS}`,
  web: `Usage: globalws web [options]

Serves the web app on 127.0.0.1 against these outputs (each region's endpoints and API key,
never IAM credentials), until Ctrl-C.

Options:
  --port N                  Port to serve on (default 5173; 0 picks a free one).
${COMMON_OPTIONS}`,
};

/** The commands `globalws` knows. */
const COMMANDS = ["channels", "subscribe", "publish", "history", "unsubscribe", "smoke", "outage", "token", "web"] as const;

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
  /** `--since` as given (resolved against the clock when the command runs). */
  since?: string;
  limit?: number;
  id?: string;
  /** False with `--no-failover`. */
  failover: boolean;
  /** smoke: the region to take down. */
  outage?: string;
  /** outage, smoke --outage: how long, when given. */
  seconds?: number;
  /** `--token` (or GLOBALWS_TOKEN, applied by the caller): sign in instead of the API key. */
  token?: string;
  /** token: the user, their groups, the lifetime and the audience. */
  sub?: string;
  groups?: string[];
  ttl?: string;
  audience?: string;
}

/** How many positional arguments each command takes. */
const ARITY: Record<CommandName, string[]> = {
  channels: [],
  subscribe: ["CHANNEL"],
  publish: ["CHANNEL", "JSON"],
  history: ["CHANNEL"],
  unsubscribe: ["CHANNEL"],
  smoke: [],
  outage: ["REGION"],
  token: [],
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
        since: { type: "string" },
        limit: { type: "string" },
        id: { type: "string" },
        "no-failover": { type: "boolean" },
        outage: { type: "string" },
        seconds: { type: "string" },
        token: { type: "string" },
        sub: { type: "string" },
        groups: { type: "string" },
        ttl: { type: "string" },
        audience: { type: "string" },
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
    since: values.since,
    limit: values.limit === undefined ? undefined : positiveInteger("--limit", values.limit),
    id: values.id,
    failover: !values["no-failover"],
    outage: values.outage,
    seconds: values.seconds === undefined ? undefined : positiveNumber("--seconds", values.seconds),
    token: values.token,
    sub: values.sub,
    groups: values.groups === undefined ? undefined : values.groups.split(",").map((group) => group.trim()).filter((group) => group !== ""),
    ttl: values.ttl,
    audience: values.audience,
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
