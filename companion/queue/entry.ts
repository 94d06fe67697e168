// What a queued job carries (BullMQ's job data): the protocol's own `submit` message — options and
// plane declarations, checked by the same parser, option table and limits as a panel's job — and
// where each plane's pixels are stored. A worker trusts nothing in it: a malformed or hostile entry
// fails with a sentence (PainterlyError), never by crashing the worker.
import { PainterlyError, describeValue, expected } from '../../shared/errors.js';
import { planeByteLength, type InputPlaneName } from '../../shared/frames.js';
import type { Limits } from '../../shared/limits.js';
import type { PlaneDeclaration, SubmitMessage, TauChoice } from '../../shared/protocol.js';
import { checkSubmit, isObject, isString, parseClientMessage, type CheckedSubmit } from '../../shared/validate.js';
import type { Region } from '../image/planar.js';
import { QUEUE_PREFIX } from './keys.js';
import type { StoredSamples } from './pixels.js';

export const ENTRY_VERSION = 1;

export interface QueueEntry {
  v: typeof ENTRY_VERSION;
  /** The job as a panel would submit it (jobId is always 1: the queue's job id names it). */
  submit: SubmitMessage;
  /** Each declared plane's stored samples. */
  data: Partial<Record<InputPlaneName, StoredSamples>>;
  /** Whose liveness key keeps the job wanted (keys.ts ownerKey). */
  owner: string;
  /** Who submitted it, for the logs (a host name, `batch`, …). */
  by: string;
}

/** What a worker sends back (BullMQ's return value); the pixels are in the store. */
export interface QueueResult {
  v: typeof ENTRY_VERSION;
  /** float32 samples of the result image. */
  result: StoredSamples;
  width: number;
  height: number;
  channels: number;
  /** Where the result lies in the document, for a job in parts. */
  region?: Region;
  device: string;
  worker: string;
  /** A harmonization's τ, and what an `auto` τ took the painting for. */
  tau?: number;
  auto?: TauChoice;
  /** Seconds the worker spent on the job, from taking it to storing its result. */
  seconds: number;
}

/** The job's progress events (BullMQ's progress value), in the order they come. */
export type QueueProgress =
  | { kind: 'started'; worker: string; device: string }
  | { kind: 'progress'; stage: string; iteration: number; total: number; etaSeconds?: number; preview?: { key: string; width: number; height: number } }
  | { kind: 'note'; message: string }
  | { kind: 'tau'; choice: TauChoice };

export interface CheckedEntry {
  checked: CheckedSubmit;
  stored: Map<InputPlaneName, StoredSamples>;
  owner: string;
  by: string;
}

const NAME = /^[A-Za-z0-9._:@-]{1,128}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function storedFor(decl: PlaneDeclaration, raw: unknown): StoredSamples {
  const where = `data.${decl.plane}`;
  if (!isObject(raw)) throw expected(where, 'an object', raw);
  const { key, encoding, bytes, sha256 } = raw;
  if (!isString(key) || !key.startsWith(`${QUEUE_PREFIX}:data:`) || key.length > 200) throw expected(`${where}.key`, `a key under ${QUEUE_PREFIX}:data:`, key);
  const want = decl.bitsPerChannel === 8 ? 'u8' : 'u16';
  if (encoding !== want) throw expected(`${where}.encoding`, `'${want}' for a ${decl.bitsPerChannel}-bit plane`, encoding);
  if (bytes !== planeByteLength(decl)) throw expected(`${where}.bytes`, `${planeByteLength(decl)} (its declared size)`, bytes);
  if (!isString(sha256) || !HEX64.test(sha256)) throw expected(`${where}.sha256`, 'a SHA-256 in hex', sha256);
  return { key, encoding: want, bytes, sha256 };
}

/** Checks a queue entry as a companion checks a panel's submit; `modes` are those this worker runs. */
export function checkEntry(raw: unknown, limits: Limits, modes?: Parameters<typeof checkSubmit>[2]): CheckedEntry {
  if (!isObject(raw)) throw expected('job data', 'an object', raw);
  if (raw.v !== ENTRY_VERSION) throw new PainterlyError('PROTOCOL_MISMATCH', `This worker reads queue entries of version ${ENTRY_VERSION}; this one is ${describeValue(raw.v)}: update the submitter or the worker.`);
  if (!isString(raw.owner) || !NAME.test(raw.owner)) throw expected('owner', 'a name of letters, digits and ._:@-', raw.owner);
  if (!isString(raw.by) || raw.by.length > 200) throw expected('by', 'a short string', raw.by);
  if (!isObject(raw.submit)) throw expected('submit', 'an object', raw.submit);
  // The protocol's own parser (shape, types, option names) and checks (planes, limits, ranges).
  const msg = parseClientMessage(JSON.stringify(raw.submit), limits);
  if (msg.type !== 'submit') throw expected('submit.type', "'submit'", msg.type);
  const checked = checkSubmit(msg, limits, modes);
  if (!isObject(raw.data)) throw expected('data', 'an object', raw.data);
  const stored = new Map<InputPlaneName, StoredSamples>();
  for (const [name, decl] of checked.planes) stored.set(name, storedFor(decl, raw.data[name]));
  const extra = Object.keys(raw.data).filter((k) => !checked.planes.has(k as InputPlaneName));
  if (extra.length) throw new PainterlyError('BAD_MESSAGE', `data has entries for undeclared planes: ${extra.slice(0, 4).join(', ')}.`);
  return { checked, stored, owner: raw.owner, by: raw.by };
}
