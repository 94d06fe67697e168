// The image memory the companion holds for its open jobs, checked when a job is submitted.
// Incoming planes are kept as 32-bit floats with alpha dropped (planes.ts): an 8-bit RGBA plane
// takes 3× its size on the wire, an 8-bit mask 4×. A job is accounted for from `accepted` until
// it ends, whether its pixels have arrived yet or not, so the sum can never pass the budget.
import { PainterlyError } from '../../shared/errors.js';
import type { PlaneFormat } from '../../shared/frames.js';

/** Bytes one plane takes inside the companion. */
export function heldBytesOf(p: Pick<PlaneFormat, 'width' | 'height' | 'channels'>): number {
  return p.width * p.height * (p.channels === 1 ? 1 : 3) * Float32Array.BYTES_PER_ELEMENT;
}

export function formatBytes(n: number): string {
  const MiB = 1024 * 1024;
  if (n >= 1024 * MiB) return `${(n / (1024 * MiB)).toFixed(1)} GiB`;
  if (n >= MiB) return `${Math.round(n / MiB)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}

export class MemoryBudget {
  private heldBytes = 0;

  constructor(readonly limitBytes: number) {}

  get held(): number {
    return this.heldBytes;
  }

  /**
   * Reserves the memory of a job's planes and returns the bytes reserved. Throws IMAGE_TOO_LARGE
   * when the job could never fit and BUSY when it does not fit beside the jobs open now; both
   * messages say how big a job can be.
   */
  reserve(planes: Iterable<PlaneFormat & { plane: string }>): number {
    const list = [...planes];
    const need = list.reduce((sum, p) => sum + heldBytesOf(p), 0);
    if (need > this.limitBytes) {
      throw new PainterlyError(
        'IMAGE_TOO_LARGE',
        `This job would take ${formatBytes(need)} of memory in the companion (images are held as 32-bit floats, alpha dropped); ` +
          `the companion holds at most ${formatBytes(this.limitBytes)} for all jobs together, so a job like this one can be at most ${largestFitting(list, this.limitBytes)}. Send smaller images.`,
        { needBytes: need, maxHeldBytes: this.limitBytes },
      );
    }
    const free = this.limitBytes - this.heldBytes;
    if (need > free) {
      throw new PainterlyError(
        'BUSY',
        `Other jobs hold ${formatBytes(this.heldBytes)} of the companion's ${formatBytes(this.limitBytes)} of image memory and this job needs ${formatBytes(need)}: ` +
          `wait for them to finish, or send a smaller job (at most ${largestFitting(list, free)} fits now).`,
        { needBytes: need, freeBytes: free, maxHeldBytes: this.limitBytes },
      );
    }
    this.heldBytes += need;
    return need;
  }

  release(bytes: number): void {
    this.heldBytes = Math.max(0, this.heldBytes - bytes);
  }
}

/** The job's planes scaled down (same aspect) until they fit in `budget`, as "W × H px" of its largest plane. */
function largestFitting(planes: (PlaneFormat & { plane: string })[], budget: number): string {
  const need = planes.reduce((sum, p) => sum + heldBytesOf(p), 0);
  const largest = planes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  const scale = Math.sqrt(Math.max(0, budget) / need);
  const w = Math.floor(largest.width * scale);
  const h = Math.floor(largest.height * scale);
  return `about ${w} × ${h} px (${((w * h) / 1e6).toFixed(1)} megapixels) per image`;
}
