// What the server's parts share: the log, the counters, and the context every connection gets.
// The composer (server.ts) builds them; the parts import only this module, never the composer.
import type { Limits } from '../../shared/limits.js';
import type { CompanionCapabilities } from '../../shared/protocol.js';
import type { Runners } from '../pipeline/runners.js';
import type { Admission } from './admission.js';
import type { MemoryBudget } from './memory-budget.js';
import type { ModelInstalls } from './model-installs.js';
import type { ServerLog } from './log.js';
import type { JobQueue } from './queue.js';

export type CapabilitiesProvider = () => Promise<CompanionCapabilities>;

export interface ServerStats {
  /** Open WebSocket connections (paired, unpaired and closing). */
  connections: number;
  /** Connections that gave the token (in the upgrade or in hello) and are open. */
  readonly pairedConnections: number;
  /** Connections waiting to pair. */
  readonly unpairedConnections: number;
  /** TCP connections that have not sent their complete HTTP request yet. */
  readonly pendingSockets: number;
  /** Image memory held for open jobs, in bytes. */
  readonly heldBytes: number;
  /** Upgrade requests refused for their Host or Origin. */
  refusedUpgrades: number;
  /** Hellos with a wrong token. */
  unauthorized: number;
  /** Unpaired connections closed to make room for a newer one. */
  unpairedEvicted: number;
  /** TCP connections dropped before their HTTP request was complete (too slow, or too many). */
  socketsDropped: number;
  jobsCompleted: number;
  jobsCancelled: number;
  jobsFailed: number;
  /** Binary frames answered with an error. */
  framesRejected: number;
}

/** What running a job needs of the server (run-job.ts). */
export interface JobContext {
  /** What the companion can do; `fresh` re-reads the installed models instead of a cached answer. */
  capabilities(fresh?: boolean): Promise<CompanionCapabilities>;
  runners: Runners;
  stats: ServerStats;
  log: ServerLog;
  /** At most one progress message per this many ms (stage changes and last steps always go). */
  progressIntervalMs: number;
}

/** What every connection shares with the server. */
export interface ConnectionContext extends JobContext {
  limits: Limits;
  checkToken(token: string): boolean;
  installs: ModelInstalls;
  queue: JobQueue;
  /** Connection slots: unpaired and paired pools. */
  admission: Admission;
  /** Image memory of all open jobs. */
  memory: MemoryBudget;
  /** Open jobs across all connections. */
  openJobs: { count: number };
}
