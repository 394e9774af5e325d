import { startLocalStack } from "../local/index";

/**
 * Child process of the soak: the local runtime with its state in a directory (so a restart keeps
 * history, keys and certificate) on fixed ports. Sends `ready` with the outputs, its RSS every
 * second, runs `outage` on demand, and answers `stop` with the dead letters it logged.
 */
async function main(): Promise<void> {
  const [regionList, basePort, stateDir, latency] = process.argv.slice(2);
  let deadLetters = 0;
  let stack;
  try {
    stack = await startLocalStack({
      regions: regionList.split(","),
      channels: [],
      basePort: Number(basePort),
      stateDir,
      outputsFile: null,
      latencyMs: Number(latency),
      log: (line) => void (line.includes("dead letter") && (deadLetters += 1)),
    });
  } catch (error) {
    process.send?.({ type: "failed", message: (error as Error).message }, () => process.exit(1));
    return;
  }
  const running = stack;
  process.send?.({ type: "ready", outputs: running.outputs });
  const sample = setInterval(() => process.send?.({ type: "rss", rss: process.memoryUsage().rss }), 1000);
  // The soak died (Ctrl-C, a crash): do not outlive it.
  process.once("disconnect", () => process.exit(0));
  process.on("message", async (message: { type: string; region?: string; seconds?: number }) => {
    if (message.type === "outage") {
      await running.setRegionDown(message.region as string, true);
      setTimeout(() => void running.setRegionDown(message.region as string, false), (message.seconds as number) * 1000);
    } else if (message.type === "stop") {
      clearInterval(sample);
      const rss = process.memoryUsage().rss;
      await running.stop();
      process.send?.({ type: "stopped", rss, deadLetters }, () => process.exit(0));
    }
  });
}

void main();
