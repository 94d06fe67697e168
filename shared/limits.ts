// Safety limits of the companion: options with safe defaults, enforced where bytes arrive.
// The server sends its effective limits in `welcome`, so a client can chunk and refuse early.
import { PainterlyError } from './errors.js';

/** The largest iteration count of any pass or stage: 10× the papers' 1000. */
export const MAX_ITERATIONS = 10_000;
/** The largest working size (longer side, px). */
export const MAX_WORKING_SIZE = 4096;

export interface Limits {
  /** Largest WebSocket message (binary frame or JSON text) in bytes; checked by ws from the frame header, before the payload is buffered. */
  maxFrameBytes: number;
  /** Largest JSON control message in bytes (control messages are small; images travel as binary frames). */
  maxJsonBytes: number;
  /** Largest width and height of one plane, in pixels. */
  maxPlaneSide: number;
  /** Largest pixel count (width × height) of one plane. */
  maxPlanePixels: number;
  /** Largest sum of the declared plane sizes of one job, in bytes as sent. */
  maxJobBytes: number;
  /** Largest working size (longer side, pixels) a job may ask for explicitly; at most the `size` option's own maximum. */
  maxWorkingSize: number;
  /** Largest iteration count a job may ask for, per pass or stage; at most the options' own maximum. */
  maxIterations: number;
  /** Jobs one connection may have open at once (uploading, queued or running). */
  maxJobsPerConnection: number;
  /** Jobs the companion holds at once across all connections (uploading, queued or running). */
  maxJobs: number;
  /** Simultaneous paired connections (those that gave the token). */
  maxConnections: number;
  /** A connection that has not sent a valid `hello` by then is closed. */
  handshakeTimeoutMs: number;
  /** Connections not paired yet; a new one closes the oldest when they are this many (unpaired ones cannot lock the panel out). */
  maxUnpairedConnections: number;
  /** Largest message before pairing (the hello); a larger one closes the connection (1009) before it is buffered. */
  maxHelloBytes: number;
  /** An upload that receives no frame for this long fails (UPLOAD_TIMEOUT) and its memory is freed. */
  uploadIdleTimeoutMs: number;
  /** Image memory the companion holds for all open jobs together: planes as 32-bit floats, alpha dropped. */
  maxHeldBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 64 * MiB,
  maxJsonBytes: 64 * 1024,
  maxPlaneSide: 8192,
  maxPlanePixels: 8192 * 8192,
  maxJobBytes: 1024 * MiB,
  maxWorkingSize: MAX_WORKING_SIZE,
  maxIterations: MAX_ITERATIONS,
  maxJobsPerConnection: 4,
  maxJobs: 16,
  maxConnections: 8,
  handshakeTimeoutMs: 5_000,
  maxUnpairedConnections: 8,
  maxHelloBytes: 4096,
  uploadIdleTimeoutMs: 30_000,
  maxHeldBytes: 2048 * MiB,
});

/**
 * What one frame holds, both ways, unless told otherwise: small next to UXP's send buffer, and
 * small enough that the panel handles each as a short task (results arrive with progress).
 */
export const RECOMMENDED_CHUNK_BYTES = 2 * MiB;

/** Defaults overridden by `overrides`; every value must be a positive integer. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof Limits, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) {
      throw new PainterlyError('BAD_ARGUMENT', `Unknown limit '${key}'. Known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}.`);
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new PainterlyError('BAD_ARGUMENT', `Expected a positive integer for limit '${key}', got ${String(value)}.`);
    }
    limits[key] = value;
  }
  // A limit may lower an option's cap, never raise it past the option table's (shared/options.ts).
  for (const [key, cap] of [['maxWorkingSize', MAX_WORKING_SIZE], ['maxIterations', MAX_ITERATIONS]] as const) {
    if (limits[key] > cap) throw new PainterlyError('BAD_ARGUMENT', `Limit '${key}' may be at most ${cap}, got ${limits[key]}.`);
  }
  // A frame must at least hold its header plus one pixel; 64 bytes is a floor with room to spare.
  if (limits.maxFrameBytes < 64) {
    throw new PainterlyError('BAD_ARGUMENT', `Limit 'maxFrameBytes' must be at least 64 bytes, got ${limits.maxFrameBytes}.`);
  }
  return limits;
}

/**
 * The hard cap the WebSocket layer enforces from the frame header, before buffering: twice
 * `maxFrameBytes`. Messages between the two get a FRAME_TOO_LARGE error and the connection
 * stays open (a client that chunks too coarsely learns why); beyond it the connection closes (1009).
 */
export function transportLimitBytes(limits: Pick<Limits, 'maxFrameBytes'>): number {
  return limits.maxFrameBytes * 2;
}
