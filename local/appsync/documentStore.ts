/** A prepared document held for one user (a request being served, a live subscription). */
export interface DocumentLease<T> {
  readonly value: T;
  /** Tells apart the documents held at once: two leases share it only when they share the document. */
  readonly documentId: number;
  /** Gives the document back; once its last user has, it may be dropped. Calling it again does nothing. */
  release(): void;
}

interface Entry<T> {
  readonly value: T;
  readonly documentId: number;
  users: number;
}

/**
 * The prepared (parsed and validated) documents of one API, keyed by their query text. Identical
 * texts share one document. A parsed document takes up to about 100 times its text in memory, so
 * one budget bounds the text of every document held at once, whether requests in flight or live
 * subscriptions use it or it is only kept for reuse: past the budget a new text is not prepared at
 * all. Documents no one uses are kept, least recently used dropped first, up to a smaller amount.
 */
export class DocumentStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Texts whose document no one uses, least recently used first. */
  private readonly idle = new Set<string>();
  private heldCharacters = 0;
  private idleCharacters = 0;
  private nextDocumentId = 1;

  /**
   * @param maxCharacters the most query text whose documents are held at once, in characters
   * @param maxIdleCharacters the most of it kept for reuse while no one uses it
   * @param prepare makes the document of a text (called only within the budget)
   */
  constructor(
    private readonly maxCharacters: number,
    private readonly maxIdleCharacters: number,
    private readonly prepare: (text: string) => T,
  ) {}

  /** The document of `text`, prepared unless already held; `null` when preparing it would go past the budget. */
  acquire(text: string): DocumentLease<T> | null {
    let entry = this.entries.get(text);
    if (entry) {
      if (this.idle.delete(text)) this.idleCharacters -= text.length;
    } else {
      this.dropIdleWhile(() => this.heldCharacters + text.length > this.maxCharacters);
      if (this.heldCharacters + text.length > this.maxCharacters) return null;
      entry = { value: this.prepare(text), documentId: this.nextDocumentId++, users: 0 };
      this.entries.set(text, entry);
      this.heldCharacters += text.length;
    }
    entry.users += 1;
    const held = entry;
    let released = false;
    return {
      value: held.value,
      documentId: held.documentId,
      release: () => {
        if (released) return;
        released = true;
        held.users -= 1;
        if (held.users > 0) return;
        this.idle.add(text);
        this.idleCharacters += text.length;
        this.dropIdleWhile(() => this.idleCharacters > this.maxIdleCharacters);
      },
    };
  }

  /** Text of every document held, in use or idle, in characters. */
  get size(): number {
    return this.heldCharacters;
  }

  /** Drops idle documents, least recently used first, while `tooMuch` holds and one is left. */
  private dropIdleWhile(tooMuch: () => boolean): void {
    for (const text of this.idle) {
      if (!tooMuch()) return;
      this.idle.delete(text);
      this.entries.delete(text);
      this.idleCharacters -= text.length;
      this.heldCharacters -= text.length;
    }
  }
}
