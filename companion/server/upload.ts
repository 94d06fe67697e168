// A job on one connection, from `accepted` until it ends, and what its upload is made of.
import { PainterlyError } from '../../shared/errors.js';
import { PlaneAssembler, type InputPlaneName } from '../../shared/frames.js';
import type { CheckedSubmit } from '../../shared/validate.js';
import type { Image } from '../image/image.js';
import { planeSink } from './planes.js';
import { decodedChannels } from './job-inputs.js';
import type { QueueEntry } from './queue.js';

export interface PlaneSlot {
  assembler: PlaneAssembler;
  image(): Image;
  complete: boolean;
}

export interface ConnectionJob {
  jobId: number;
  phase: 'uploading' | 'queued' | 'running';
  checked: CheckedSubmit;
  planes: Map<InputPlaneName, PlaneSlot>;
  remaining: number;
  entry?: QueueEntry;
  /** Memory reserved for its planes (released when it ends). */
  heldBytes: number;
  /** Fails the upload when no frame has come for uploadIdleTimeoutMs. */
  idleTimer?: NodeJS.Timeout;
}

/** A job that has been accepted and waits for its planes (each converted as its chunks arrive). */
export function newUpload(checked: CheckedSubmit, heldBytes: number): ConnectionJob {
  const planes = new Map<InputPlaneName, PlaneSlot>();
  for (const [name, decl] of checked.planes) {
    const { sink, image } = planeSink(decl, decodedChannels(decl));
    planes.set(name, { assembler: new PlaneAssembler({ ...decl, jobId: checked.jobId }, sink), image, complete: false });
  }
  return { jobId: checked.jobId, phase: 'uploading', checked, planes, remaining: planes.size, heldBytes };
}

export function stalledUploadError(job: ConnectionJob, idleMs: number): PainterlyError {
  const missing = [...job.planes].filter(([, slot]) => !slot.complete).map(([name]) => name);
  return new PainterlyError(
    'UPLOAD_TIMEOUT',
    `No image data arrived for job ${job.jobId} in ${idleMs / 1000} s, so the companion abandoned its upload (still missing: ${missing.join(', ')}). ` +
      'Send every declared plane without pausing, then submit again.',
  );
}
