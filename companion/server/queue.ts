// One job on the device at a time; the others wait in order and are told their place.

export interface QueueEntry {
  /** Runs the job; must settle soon after `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Told the number of jobs ahead whenever it changes (0: runs next). */
  onPlace(place: number): void;
}

interface Slot {
  entry: QueueEntry;
  controller: AbortController;
  lastPlace: number;
}

export class JobQueue {
  private readonly waiting: Slot[] = [];
  private running?: Slot;
  private idleWaiters: (() => void)[] = [];

  /** Jobs waiting plus the one running. */
  get size(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  enqueue(entry: QueueEntry): void {
    this.waiting.push({ entry, controller: new AbortController(), lastPlace: -1 });
    this.tellPlaces();
    this.pump();
  }

  /** Takes a waiting job out, or aborts the running one. Returns where it was, or undefined if unknown. */
  cancel(entry: QueueEntry): 'queued' | 'running' | undefined {
    if (this.running?.entry === entry) {
      this.running.controller.abort();
      return 'running';
    }
    const i = this.waiting.findIndex((s) => s.entry === entry);
    if (i < 0) return undefined;
    this.waiting.splice(i, 1);
    this.tellPlaces();
    return 'queued';
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private tellPlaces(): void {
    const ahead = this.running ? 1 : 0;
    this.waiting.forEach((slot, i) => {
      const place = ahead + i;
      if (place !== slot.lastPlace) {
        slot.lastPlace = place;
        slot.entry.onPlace(place);
      }
    });
  }

  private pump(): void {
    if (this.running) return;
    const slot = this.waiting.shift();
    if (!slot) {
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    this.running = slot;
    this.tellPlaces();
    void (async () => {
      try {
        await slot.entry.run(slot.controller.signal);
      } catch {
        // a job reports its own failure; the queue only moves on
      } finally {
        this.running = undefined;
        this.pump();
      }
    })();
  }
}
