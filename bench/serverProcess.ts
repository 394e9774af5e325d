import { startLocalStack } from "../local/index";
import { startBareBroadcastServer } from "./bareBroadcastServer";

/**
 * Child process of the benchmark: runs the server under test (the local runtime with `history` on
 * or off as `live`, or the `bare` ceiling) apart from the clients, sends its endpoints to the parent,
 * and answers "report" with its peak memory.
 */
async function main(): Promise<void> {
  const [kind, regionList, latency] = process.argv.slice(2);
  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  let stop: () => Promise<void>;
  if (kind === "bare") {
    const bare = await startBareBroadcastServer();
    stop = bare.close;
    process.send?.({ type: "ready", bareUrl: bare.url });
  } else {
    const stack = await startLocalStack({
      regions: regionList.split(","),
      channels: [],
      historyRetentionHours: kind === "history" ? 24 : 0,
      basePort: 0,
      outputsFile: null,
      latencyMs: Number(latency),
      log: () => {},
    });
    stop = stack.stop;
    process.send?.({ type: "ready", outputs: stack.outputs });
  }
  // The benchmark died (a failed publish, Ctrl-C): do not outlive it.
  process.once("disconnect", () => process.exit(0));
  process.on("message", async (message: { type: string }) => {
    if (message.type !== "report") return;
    clearInterval(sample);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await stop();
    process.send?.({ type: "report", peakRss, maxRss: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0));
  });
}

void main();
