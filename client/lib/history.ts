import type { ChannelMessage } from "./operations";
import type { RegionClient } from "./regionClient";

/** The largest page `history` serves (HISTORY_PAGE_MAX in resolvers/lib/rules.ts). */
export const HISTORY_PAGE_SIZE = 100;

/**
 * Every stored message of channel `name` published at or after `since` (default: the whole
 * retention window), oldest first, read page after page until the last. A page may be empty yet
 * carry a `nextToken` (DynamoDB's `limit` counts the items it evaluated, before the expiry filter).
 */
export async function* readHistory(client: RegionClient, name: string, since?: string): AsyncGenerator<ChannelMessage> {
  let nextToken: string | null = null;
  do {
    const page = await client.history(name, { since, limit: HISTORY_PAGE_SIZE, nextToken });
    yield* page.items;
    nextToken = page.nextToken;
  } while (nextToken);
}

/** Windows tried in turn to find the last messages of a channel: 10 s, 1 min, 10 min, 1 h, 6 h, then everything kept. */
const RECENT_WINDOWS_MS = [10_000, 60_000, 600_000, 3_600_000, 21_600_000];

/**
 * The last `count` messages of channel `name` (oldest first). `history` reads oldest first only,
 * so the window read ends now and widens until it holds `count` messages or covers the retention
 * (`retentionMs`; everything kept when unknown): a busy channel costs one short read, a quiet one a
 * few empty ones. `nowMs` is the server's time, as well as the caller can tell.
 */
export async function recentHistory(client: RegionClient, name: string, count: number, nowMs: number, retentionMs?: number): Promise<ChannelMessage[]> {
  for (const windowMs of RECENT_WINDOWS_MS) {
    if (retentionMs !== undefined && windowMs >= retentionMs) break;
    const messages = await collect(readHistory(client, name, new Date(nowMs - windowMs).toISOString()));
    if (messages.length >= count) return messages.slice(-count);
  }
  return (await collect(readHistory(client, name))).slice(-count);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
