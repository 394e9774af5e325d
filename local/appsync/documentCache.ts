/**
 * A least-recently-used cache of prepared documents keyed by their query text, bounded by the total
 * size of that text rather than by entry count: a parsed document takes tens of times its text in
 * memory, so a bound by count alone let a few huge queries fill the heap.
 */
export class DocumentCache<T> {
  private readonly entries = new Map<string, T>();
  private bytes = 0;

  /**
   * @param maxTotalBytes the most query text kept at once, in characters
   * @param maxEntryBytes larger queries are prepared each time, never kept
   */
  constructor(
    private readonly maxTotalBytes: number,
    private readonly maxEntryBytes: number,
  ) {}

  /** The entry for `query`, now the most recently used; `undefined` when not cached. */
  get(query: string): T | undefined {
    const value = this.entries.get(query);
    if (value !== undefined) {
      this.entries.delete(query);
      this.entries.set(query, value);
    }
    return value;
  }

  /** Keeps `value` for `query` (unless the query is too large), dropping the least recently used to stay in budget. */
  set(query: string, value: T): void {
    if (query.length > this.maxEntryBytes || this.entries.has(query)) return;
    this.entries.set(query, value);
    this.bytes += query.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxTotalBytes) break;
      this.entries.delete(oldest);
      this.bytes -= oldest.length;
    }
  }

  /** Total length of the cached query text. */
  get size(): number {
    return this.bytes;
  }
}
