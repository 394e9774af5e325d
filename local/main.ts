import { parseArgs } from "util";
import { startWebApp } from "../client/web/server";
import { startLocalStack } from "./index";

/** Where `npm start` serves the web app (a random port when `--port 0`). */
const WEB_APP_PORT = 5173;

const USAGE = `Usage: npm start -- [--stack NAME] [--port N] [--latency MS]

Runs every region of the stack's config (Pulumi.<stack>.yaml) on localhost: per region an
AppSync-compatible GraphQL API (https/http and wss/ws on one port) and an EventBridge bus.

  --stack NAME   stack whose config is read (default dev)
  --port N       port of the first region; the others follow (default 4000; 0 = random)
  --latency MS   delay added to each cross-region hop (default 0)
  --help         show this text`;

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} is ${JSON.stringify(text)}: it must be a whole number ≥ 0`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, port: { type: "string" }, latency: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const basePort = whole("port", values.port, 4000);
  const stack = await startLocalStack({
    stack: values.stack ?? "dev",
    basePort,
    latencyMs: whole("latency", values.latency, 0),
  });
  const web = await startWebApp({ outputs: stack.outputs, port: basePort === 0 ? 0 : WEB_APP_PORT, log: console.log });
  console.log(`Web app: ${web.url}  (self-signed certificate: accept it once, then open one tab per region)`);
  console.log("Ready. Ctrl-C stops.");
  const shutdown = () => {
    Promise.all([web.close(), stack.stop()]).then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
