// A failed job's reason travels through BullMQ as text: "CODE: sentence". The submitter turns it
// back into the PainterlyError the worker had, so a batch or the panel says the same as a local run.
import { ERROR_CODES, isPainterlyError, PainterlyError, type ErrorCode } from '../../shared/errors.js';

export function failureText(e: unknown): string {
  if (isPainterlyError(e)) return `${e.code}: ${e.message}`;
  return `INTERNAL: ${(e as Error)?.message ?? String(e)}`;
}

/** The error a failure text stands for; text from elsewhere (BullMQ's own reasons) is INTERNAL with that text. */
export function failureError(text: string | undefined): PainterlyError {
  const m = /^([A-Z_]+): ([\s\S]*)$/.exec(text ?? '');
  if (m && Object.hasOwn(ERROR_CODES, m[1])) return new PainterlyError(m[1] as ErrorCode, m[2]);
  return new PainterlyError('INTERNAL', `The queue reports: ${text || 'the job failed without a reason'}`);
}
