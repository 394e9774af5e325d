/** Listener signatures by event name. */
export type EventMap = Record<string, (...args: never[]) => void>;

/**
 * A small typed event emitter (browser and Node). A listener that throws does not disturb the
 * emitter or the other listeners: its error is rethrown on its own, as an uncaught error.
 */
export class Emitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Calls `listener` on each `name` event; returns the way to stop. */
  on<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    return () => set.delete(listener);
  }

  protected emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as (...values: Parameters<Events[K]>) => void)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
