// The one place an exception becomes an `error` message: a PainterlyError keeps its code, sentence
// and details; anything else is INTERNAL, with its stack in the log (never on the wire).
import { isPainterlyError, PainterlyError } from '../../shared/errors.js';
import type { ErrorMessage } from '../../shared/protocol.js';
import type { InstallableModel } from '../../shared/catalogue.js';
import type { ServerLog } from './log.js';

export interface ErrorAbout {
  /** The job the error ends. */
  jobId?: number;
  /** The install the error ends or refuses. */
  model?: InstallableModel;
  /** The companion closes the connection after it. */
  closing?: boolean;
}

/** `e` as a PainterlyError; an unexpected one is logged and becomes INTERNAL. */
export function toPainterlyError(e: unknown, log: ServerLog, jobId?: number): PainterlyError {
  if (isPainterlyError(e)) return e;
  log({ event: 'internal-error', ...(jobId !== undefined ? { jobId } : {}), message: (e as Error)?.stack ?? String(e) });
  return new PainterlyError('INTERNAL', `Something went wrong inside the companion: ${(e as Error)?.message ?? String(e)}`);
}

export function errorMessage(e: unknown, log: ServerLog, about: ErrorAbout = {}): ErrorMessage {
  const err = toPainterlyError(e, log, about.jobId);
  return {
    type: 'error',
    ...(about.jobId !== undefined ? { jobId: about.jobId } : {}),
    ...(about.model !== undefined ? { model: about.model } : {}),
    code: err.code,
    message: err.message,
    ...(err.details !== undefined ? { details: err.details } : {}),
    ...(about.closing ? { closing: true } : {}),
  };
}
