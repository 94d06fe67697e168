// Who holds a connection slot. Connections that have not paired (no valid token yet) have their
// own small pool: a new one closes the oldest when it is full, each must pair within
// handshakeTimeoutMs, and a refused one gives its slot back at once. Paired connections (the
// token given in the upgrade or in `hello`) have the maxConnections pool, which only token
// holders can fill. So local processes without the token can never keep the panel out.
import type { Limits } from '../../shared/limits.js';

/** A connection as the pools see it: something that can be closed to make room. */
export interface Slotted {
  /** Closes the connection because the unpaired pool is full and it has waited longest. */
  evict(): void;
}

export class Admission {
  /** In order of arrival: the first is the oldest. */
  private readonly unpaired = new Set<Slotted>();
  private readonly paired = new Set<Slotted>();

  constructor(private readonly limits: Pick<Limits, 'maxConnections' | 'maxUnpairedConnections'>) {}

  get unpairedCount(): number {
    return this.unpaired.size;
  }

  get pairedCount(): number {
    return this.paired.size;
  }

  /** A connection that has not paired yet; the oldest unpaired ones make room for it. */
  admitUnpaired(c: Slotted): void {
    while (this.unpaired.size >= this.limits.maxUnpairedConnections) {
      const oldest = this.unpaired.values().next().value as Slotted;
      this.unpaired.delete(oldest);
      oldest.evict();
    }
    this.unpaired.add(c);
  }

  /** Moves a connection into the paired pool; false (and nothing changes) when that pool is full. */
  pair(c: Slotted): boolean {
    if (this.paired.has(c)) return true;
    if (this.paired.size >= this.limits.maxConnections) return false;
    this.unpaired.delete(c);
    this.paired.add(c);
    return true;
  }

  isPaired(c: Slotted): boolean {
    return this.paired.has(c);
  }

  /** Gives the slot back (refused, timed out, closed). */
  release(c: Slotted): void {
    this.unpaired.delete(c);
    this.paired.delete(c);
  }
}
