// Stable error codes shared by the companion, the CLI and the panel.
// The panel branches on the code and shows the sentence; never rename a code.

export const ERROR_CODES = {
  BAD_ARGUMENT: 'An option or argument is not valid.',
  FILE_NOT_FOUND: 'A file could not be found.',
  IMAGE_UNREADABLE: 'An image could not be read.',
  SIZE_MISMATCH: 'The images and masks do not have the same size.',
  EMPTY_MASK: 'The mask is empty: select the pasted object first.',
  FULL_MASK: 'The mask covers the whole image: select only the pasted object.',
  UNKNOWN_BACKBONE: 'That backbone is not known.',
  MODEL_MISSING: 'The model weights are not installed.',
  MODEL_LAYERS_MISSING: 'The weights file lacks layers the backbone needs.',
  DOWNLOAD_FAILED: 'The download failed.',
  CHECKSUM_MISMATCH: 'The downloaded file is corrupt (checksum mismatch).',
  WEIGHTS_UNREADABLE: 'A weights file is corrupt or in a format Painterly cannot read.',
  DEVICE_UNAVAILABLE: 'The requested compute device is not available.',
  CANCELLED: 'The job was cancelled.',
  UNAUTHORIZED: 'The pairing token is missing or wrong: run `painterly token` and paste it into the panel.',
  PROTOCOL_MISMATCH: 'The panel and the companion speak different protocol versions: update both.',
  BAD_MESSAGE: 'A message to the companion was malformed.',
  UNKNOWN_MESSAGE: 'The companion does not know that kind of message.',
  BAD_FRAME: 'An image frame was malformed or arrived out of order.',
  FRAME_TOO_LARGE: 'An image frame is larger than the companion accepts.',
  IMAGE_TOO_SMALL: 'An image is too small for the chosen backbone.',
  IMAGE_TOO_LARGE: 'An image has more pixels than the companion accepts.',
  UNKNOWN_JOB: 'There is no job with that id.',
  DUPLICATE_JOB: 'A job with that id is already in progress.',
  BUSY: 'The companion has too many jobs or connections: wait for some to finish.',
  UPLOAD_TIMEOUT: 'An upload stalled: the companion stopped waiting for its images.',
  UNSAFE_PERMISSIONS: 'A Painterly file or folder can be read or changed by other users.',
  MODE_UNAVAILABLE: 'The companion does not offer that mode.',
  COMPANION_UNREACHABLE: 'The companion is not running: start it with `npx painterly serve`.',
  CONNECTION_LOST: 'The connection to the companion was lost.',
  INTERNAL: 'Something went wrong inside the companion.',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class PainterlyError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'PainterlyError';
    this.code = code;
    this.details = details;
  }
}

export function isPainterlyError(e: unknown): e is PainterlyError {
  return e instanceof PainterlyError;
}

/** A short description of a value for error messages; long strings are cut so that a token is never echoed whole. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `'${v.length > 24 ? `${v.slice(0, 24)}…` : v}' (string)`;
  if (typeof v === 'object') return 'an object';
  return `${String(v)} (${typeof v})`;
}

/** The one error factory for bad values: "Expected <what> for `<name>`, got <value>." */
export function expected(name: string, what: string, got: unknown, code: ErrorCode = 'BAD_MESSAGE'): PainterlyError {
  return new PainterlyError(code, `Expected ${what} for \`${name}\`, got ${describeValue(got)}.`);
}

/** Throws CANCELLED (with `message`, or the code's sentence) once `signal` has been aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted) throw new PainterlyError('CANCELLED', message);
}
