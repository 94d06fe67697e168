// Fast stand-ins for the pipelines that behave like them at the boundary: they iterate with
// progress (and now and then a preview), stop within one iteration when the signal aborts by
// throwing CANCELLED, and compute a result from the inputs that a test can check exactly.
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from '../../companion/image/image.js';
import type { HarmonizeRunner, PhotoStyleRunner } from '../../companion/pipeline/runners.js';
import { isParts, type HarmonizeParts, type PipelineHooks } from '../../companion/pipeline/types.js';
import { boundsAbove, type Region } from '../../companion/image/planar.js';
import { objectRegion } from '../../shared/native-window.js';
import type { StageId } from '../../shared/stages.js';
import type { TauChoice } from '../../shared/protocol.js';

export interface FakeRunnerOptions {
  /** Wall time of one iteration (ms); 0 yields to the event loop only. */
  iterationMs?: number;
  /** Every how many iterations a preview is attached. */
  previewEvery?: number;
  /** Throws this from the given iteration instead of finishing. */
  failAt?: { iteration: number; error: Error };
  /** With failAt: only the first this many runs throw, later ones finish (a transient fault). Default: every run. */
  failTimes?: number;
}

export interface FakeRunnerRecord {
  started: number;
  finished: number;
  cancelled: number;
  /** Runs that threw failAt's error. */
  failed: number;
  /** Runners active at once, at most (the queue promises 1). */
  maxConcurrent: number;
  /** For each cancelled run: iterations completed after the signal aborted. */
  iterationsAfterAbort: number[];
  /** The options each run was called with. */
  options: unknown[];
  /** The inputs of the latest run (only the latest: keeping every job's planes would look like a leak). */
  lastInputs: unknown;
  /** Resolves the next time a run reaches the given iteration of its first stage. */
  reached(iteration: number): Promise<void>;
}

const wait = (ms: number) => new Promise<void>((r) => (ms > 0 ? setTimeout(r, ms) : setImmediate(r)));

function makeRecord(): FakeRunnerRecord & { active: number; notify(i: number): void } {
  const waiters: { iteration: number; resolve: () => void }[] = [];
  return {
    started: 0,
    finished: 0,
    cancelled: 0,
    failed: 0,
    maxConcurrent: 0,
    iterationsAfterAbort: [],
    options: [],
    lastInputs: undefined,
    active: 0,
    reached(iteration) {
      return new Promise((resolve) => waiters.push({ iteration, resolve }));
    },
    notify(i) {
      for (let k = waiters.length - 1; k >= 0; k--) {
        if (i >= waiters[k].iteration) waiters.splice(k, 1)[0].resolve();
      }
    },
  };
}

async function iterate(stages: [StageId, number][], preview: Image, hooks: PipelineHooks, opts: FakeRunnerOptions, rec: ReturnType<typeof makeRecord>): Promise<void> {
  const total = stages.reduce((n, [, k]) => n + k, 0);
  let done = 0;
  let abortedAt = -1;
  const onAbort = () => (abortedAt = done);
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const [stage, count] of stages) {
      for (let i = 1; i <= count; i++) {
        if (hooks.signal?.aborted) {
          rec.cancelled++;
          rec.iterationsAfterAbort.push(done - Math.max(0, abortedAt));
          throw new PainterlyError('CANCELLED');
        }
        await wait(opts.iterationMs ?? 0);
        if (opts.failAt && done + 1 === opts.failAt.iteration && (opts.failTimes === undefined || rec.failed < opts.failTimes)) {
          rec.failed++;
          throw opts.failAt.error;
        }
        done++;
        const every = opts.previewEvery ?? 0;
        hooks.onProgress?.({
          stage,
          iteration: i,
          total: count,
          etaSeconds: ((total - done) * (opts.iterationMs ?? 0)) / 1000,
          ...(every > 0 && done % every === 0 ? { preview } : {}),
        });
        if (stage === stages[0][0]) rec.notify(i);
      }
    }
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}

/** Inside the mask (> 0.5) the composite is inverted; outside it is the composite unchanged. */
export function expectedHarmonized(composite: Image, mask: Image): Image {
  const data = new Float32Array(composite.width * composite.height * 3);
  for (let p = 0; p < composite.width * composite.height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = composite.data[p * composite.channels + c];
      data[p * 3 + c] = mask.data[p] > 0.5 ? 1 - v : v;
    }
  }
  return { width: composite.width, height: composite.height, channels: 3, data };
}

/** Halfway between each content pixel and the style's mean colour. */
export function expectedPhotoStyled(content: Image, style: Image): Image {
  const mean = [0, 0, 0];
  const n = style.width * style.height;
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) mean[c] += style.data[p * style.channels + c] / n;
  const data = new Float32Array(content.width * content.height * 3);
  for (let p = 0; p < content.width * content.height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = 0.5 * content.data[p * content.channels + c] + 0.5 * mean[c];
  }
  return { width: content.width, height: content.height, channels: 3, data };
}

/**
 * For a job in parts, the composite and the mask over the object's rectangle (objectRegion, as
 * the real pipeline returns it): the pasted layer over the window's painting, normal blending.
 */
export function partsComposite(inputs: HarmonizeParts, size: number): { composite: Image; mask: Image; region: Region } {
  const m = inputs.mask;
  const box = boundsAbove(m.image, 0);
  if (!box) throw new PainterlyError('EMPTY_MASK');
  const region = objectRegion(inputs.document, { ...box, x0: box.x0 + m.region.x0, y0: box.y0 + m.region.y0 }, size);
  const composite = { width: region.width, height: region.height, channels: 3, data: new Float32Array(region.width * region.height * 3) };
  const mask = { width: region.width, height: region.height, channels: 1, data: new Float32Array(region.width * region.height) };
  const at = (part: { region: Region; image: Image }, x: number, y: number, c: number): number | undefined => {
    const px = x - part.region.x0, py = y - part.region.y0;
    if (px < 0 || py < 0 || px >= part.region.width || py >= part.region.height) return undefined;
    return part.image.data[(py * part.image.width + px) * part.image.channels + c];
  };
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const dx = region.x0 + x, dy = region.y0 + y, i = y * region.width + x;
      const alpha = at(inputs.pasted, dx, dy, 3) ?? 0;
      for (let c = 0; c < 3; c++) {
        const below = at(inputs.window, dx, dy, c);
        if (below === undefined) throw new PainterlyError('BAD_MESSAGE', 'The window does not hold the object\'s rectangle.');
        composite.data[i * 3 + c] = (at(inputs.pasted, dx, dy, c) ?? 0) * alpha + below * (1 - alpha);
      }
      mask.data[i] = at(m, dx, dy, 0) ?? 0;
    }
  }
  return { composite, mask, region };
}

/** What the fake harmonizer "reads" from any painting when τ is `auto`. */
export const FAKE_AUTO_TAU: TauChoice = Object.freeze({ tau: 4.2, kind: 'impressionist', words: 'the fake runner’s fixed choice' });

export function fakeHarmonize(opts: FakeRunnerOptions = {}): HarmonizeRunner & { record: FakeRunnerRecord } {
  const rec = makeRecord();
  const run: HarmonizeRunner = async (inputs, options, hooks) => {
    rec.started++;
    rec.options.push(options);
    rec.lastInputs = inputs;
    rec.active++;
    rec.maxConcurrent = Math.max(rec.maxConcurrent, rec.active);
    try {
      // `auto` τ: a fixed choice, reported as the real pipeline reports its estimate.
      const auto = options.tau === 'auto' ? FAKE_AUTO_TAU : undefined;
      if (auto) hooks.onTau?.(auto);
      const chosen = { tau: auto?.tau ?? (options.tau as number), ...(auto ? { auto } : {}) };
      if (isParts(inputs)) {
        const { composite, mask, region } = partsComposite(inputs, options.size);
        await iterate([['pass-1', options.pass1Iters], ['pass-2', options.pass2Iters]], composite, hooks, opts, rec);
        rec.finished++;
        return { image: expectedHarmonized(composite, mask), region, stages: {}, device: options.device, restarts: [0, 0], ...chosen };
      }
      await iterate([['pass-1', options.pass1Iters], ['pass-2', options.pass2Iters]], inputs.composite, hooks, opts, rec);
      const image = expectedHarmonized(inputs.composite, inputs.mask);
      rec.finished++;
      return { image, stages: {}, device: options.device, restarts: [0, 0], ...chosen };
    } finally {
      rec.active--;
    }
  };
  return Object.assign(run, { record: rec });
}

export function fakePhotoStyle(opts: FakeRunnerOptions = {}): PhotoStyleRunner & { record: FakeRunnerRecord } {
  const rec = makeRecord();
  const run: PhotoStyleRunner = async (inputs, options, hooks) => {
    rec.started++;
    rec.options.push(options);
    rec.active++;
    rec.maxConcurrent = Math.max(rec.maxConcurrent, rec.active);
    try {
      await iterate([['stage-1', options.stage1Iters], ['stage-2', options.stage2Iters]], inputs.content, hooks, opts, rec);
      rec.finished++;
      return { image: expectedPhotoStyled(inputs.content, inputs.style), stages: {}, device: options.device, restarts: [0, 0] };
    } finally {
      rec.active--;
    }
  };
  return Object.assign(run, { record: rec });
}
