import type { Clock } from "../../../client/lib/clock";

/** Lets every pending promise chain and callback run (no timer of the fake clock fires). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

interface Timer {
  id: number;
  at: number;
  run: () => void;
}

/** A clock that moves only when told: `advance` runs the timers that fall due, in order. */
export class FakeClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = Date.parse("2030-01-01T00:00:00.000Z")) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(run: () => void, delayMs: number): number {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, delayMs), run };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Moves time forward by `ms`, running each timer as it falls due and letting the work it starts settle. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = due.at;
      due.run();
    }
    this.current = end;
    await settle();
  }

  /** The delays of the timers waiting, from now. */
  get pendingDelays(): number[] {
    return this.timers.map((timer) => timer.at - this.current).sort((a, b) => a - b);
  }
}
