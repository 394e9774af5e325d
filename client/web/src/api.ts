import { GlobalWsClient } from "../../lib/client";
import type { BrowserOutputs } from "../../lib/regions";
import { browserTransport } from "../../lib/transport";

/** Loads the regions the server was started with (`/outputs.json`: no credentials in it). */
export async function loadBrowserOutputs(): Promise<BrowserOutputs> {
  const response = await fetch("/outputs.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`Cannot load /outputs.json: HTTP ${response.status}`);
  return (await response.json()) as BrowserOutputs;
}

/**
 * Asked when the API refused `refusedKey` in `region`: the key the server now serves for it (e.g.
 * the local runtime restarted with new keys), or undefined when it has no other.
 */
export type KeyRenewal = (region: string, refusedKey: string) => Promise<string | undefined>;

/**
 * The page's client: the globalws client library straight on the browser's WebSocket and fetch,
 * at home in `region` and free to fail over to the others; as the signed-in user when there is a
 * `token`, else with the regions' API keys. When the API refuses a key, the library asks
 * `renewKey` for the server's current one and reconnects with it.
 */
export function connectRegion(outputs: BrowserOutputs, region: string, renewKey: KeyRenewal, token?: string): GlobalWsClient {
  return new GlobalWsClient({
    regions: outputs.regions,
    home: region,
    transport: browserTransport(),
    historyRetentionHours: outputs.historyRetentionHours,
    auth: token ? { mode: "token", token: () => token } : { mode: "apiKey", renewApiKey: renewKey },
  });
}
