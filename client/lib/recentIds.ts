/**
 * The ids of the most recent messages delivered, with their `publishedAt`, so that a repeat is
 * dropped: a message re-read from history in the overlap window, or delivered twice by
 * EventBridge (at least once). Memory is bounded: past `capacity` ids, the oldest delivered is
 * forgotten.
 */
export class RecentIds {
  private readonly ids = new Map<string, number>();

  constructor(readonly capacity: number) {}

  /** True when `id` was delivered and is still remembered. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id` (published at `publishedAtMs`); false when it was already remembered. */
  add(id: string, publishedAtMs: number): boolean {
    if (this.ids.has(id)) return false;
    this.ids.set(id, publishedAtMs);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value as string);
    return true;
  }

  /** The remembered ids of messages published at or after `fromMs`. */
  publishedSince(fromMs: number): Set<string> {
    return new Set([...this.ids].filter(([, publishedAtMs]) => publishedAtMs >= fromMs).map(([id]) => id));
  }

  get size(): number {
    return this.ids.size;
  }
}
