import { PROJECT_STATE_DIR } from "./index";
import { parseStartCommand, startLocalRun, START_USAGE } from "./startCommand";

async function main(): Promise<void> {
  const options = parseStartCommand(process.argv.slice(2));
  if (options === "help") {
    console.log(START_USAGE);
    return;
  }
  const run = await startLocalRun(options, PROJECT_STATE_DIR, console.log);
  console.log(`Web app: ${run.web.url}  (self-signed certificate: accept it once, then open one tab per region)`);
  console.log("Ready. Ctrl-C stops.");
  const shutdown = () => {
    run.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
