// The names Painterly uses in the studio's Redis. Jobs wait in one BullMQ queue per backbone (a
// worker serves the backbones whose model it has loaded); pixels, cancel marks and the liveness
// of whoever submitted a job are plain keys beside them, each with an expiry, so nothing stays
// behind when a machine disappears.
import type { BackboneName } from '../../shared/catalogue.js';

/** BullMQ's key prefix for Painterly's queues. */
export const QUEUE_PREFIX = 'painterly';

/** The queue a backbone's jobs wait in. */
export function queueName(backbone: BackboneName): string {
  return `jobs.${backbone}`;
}

/** A job's pixels: one key per plane, and one for its result and one for its latest preview. */
export const planeKey = (dataId: string, plane: string): string => `${QUEUE_PREFIX}:data:${dataId}:${plane}`;
/** Set by whoever submitted a job to stop it (waiting or running). */
export const cancelKey = (jobId: string): string => `${QUEUE_PREFIX}:cancel:${jobId}`;
/** Kept alive by a gateway or batch while it waits for its jobs; a running job whose owner's key expired is stopped. */
export const ownerKey = (owner: string): string => `${QUEUE_PREFIX}:owner:${owner}`;

export interface QueueTimings {
  /** How long pixels stay in Redis at most (a job not run by then fails). */
  dataSeconds: number;
  /** How long a submitter's liveness lasts without being renewed. */
  ownerSeconds: number;
  /** How often a worker looks at the cancel mark and the owner's liveness while it runs a job. */
  pollMs: number;
  /** A worker's hold on a job: after a worker dies, its job goes back to the queue within about twice this. */
  lockMs: number;
}

export const DEFAULT_TIMINGS: QueueTimings = {
  dataSeconds: 24 * 3600,
  ownerSeconds: 60,
  pollMs: 500,
  lockMs: 30_000,
};
