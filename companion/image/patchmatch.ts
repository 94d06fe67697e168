// PatchMatch (Barnes, Shechtman, Finkelstein, Goldman, SIGGRAPH 2009): an approximate
// nearest-neighbour field from the patches of image A to those of image B, by random
// initialisation, propagation from scan-order neighbours and random search at halving radii.
// Used by DPH post-processing (spec §5 step 3) with 7×7 patches, SSD on 8-bit RGB, 5 iterations.
//
// Parallel scheme: A's rows are cut into bands with about equal numbers of active centres. All
// bands run one phase (init, then each iteration) and meet at a barrier. Inside a band a pixel
// propagates from neighbours already updated in this phase; across a band edge it reads a
// snapshot taken at the last barrier. Random numbers are seeded per (seed, phase, row). So the
// result depends only on the seed and the band split, not on which thread ran which band:
// running the bands one after another in this thread gives the same NNF as the workers.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { PainterlyError, throwIfCancelled } from '../../shared/errors.js';
import { spawnWorker } from './spawn-worker.js';
import type { Image } from './image.js';
import { runPhase, type Band, type MatchState, type Phase } from './patchmatch-kernel.js';
import type { Nnf } from './nnf.js';

export interface PatchMatchOptions {
  /** Odd patch side (default 7). */
  patchSize?: number;
  /** Propagation + random-search sweeps (default 5). */
  iterations?: number;
  seed?: number;
  /** Worker threads (default min(4, cores)); 0 runs everything in this thread. */
  workers?: number;
  /**
   * Row bands (default max(4, workers)). The result depends on the seed and the bands, never on
   * `workers`: with the default, 0–4 workers give the same NNF on any machine.
   */
  bands?: number;
  signal?: AbortSignal;
}

const DEFAULT_BANDS = 4;

function defaultWorkers(): number {
  return Math.min(4, availableParallelism());
}

/**
 * NNF from A to B for the A patch centres in `region` (> 0), each moved inward to the nearest
 * position whose patch lies inside A, so every region pixel is covered by a matched patch.
 * B patches always lie fully inside B.
 */
export async function computeNnf(a: Image, b: Image, region: Image, opts: PatchMatchOptions = {}): Promise<Nnf> {
  return (await run(a, b, region, undefined, opts)).nnf;
}

/**
 * PatchMatch, then voting of `voteFrom` (B's size, any channels) through the NNF on the same
 * threads. Pixels outside the matched region keep `fallback` (A's size), or 0.
 */
export async function computeNnfAndVote(
  a: Image,
  b: Image,
  region: Image,
  voteFrom: Image,
  fallback: Image | undefined,
  opts: PatchMatchOptions = {},
): Promise<{ nnf: Nnf; voted: Image }> {
  if (voteFrom.width !== b.width || voteFrom.height !== b.height) {
    throw new PainterlyError('SIZE_MISMATCH', 'The voting source must have the size of B.');
  }
  if (fallback && (fallback.width !== a.width || fallback.height !== a.height || fallback.channels !== voteFrom.channels)) {
    throw new PainterlyError('SIZE_MISMATCH', 'The voting fallback must have the size of A and the channels of the source.');
  }
  const { nnf, state } = await run(a, b, region, { src: voteFrom, fallback }, opts);
  const voted: Image = { width: a.width, height: a.height, channels: voteFrom.channels, data: state.voteOut!.slice() };
  return { nnf, voted };
}

/** 8-bit quantisation as MATLAB's im2uint8: clamp, scale by 255, round. */
export function quantize(img: Image, shared = false): Uint8Array {
  const n = img.data.length;
  const out = shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = img.data[i];
    out[i] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Orchestration

async function run(
  a: Image,
  b: Image,
  region: Image,
  vote: { src: Image; fallback?: Image } | undefined,
  opts: PatchMatchOptions,
): Promise<{ nnf: Nnf; state: MatchState }> {
  const patchSize = opts.patchSize ?? 7;
  const iterations = opts.iterations ?? 5;
  const workers = opts.workers ?? defaultWorkers();
  const nBands = opts.bands ?? Math.max(DEFAULT_BANDS, workers);
  checkInputs(a, b, region, patchSize);
  if (!(Number.isInteger(iterations) && iterations >= 0)) throw new PainterlyError('BAD_ARGUMENT', `Expected a non-negative iteration count, got ${iterations}.`);
  if (!(Number.isInteger(workers) && workers >= 0)) throw new PainterlyError('BAD_ARGUMENT', `Expected a non-negative worker count, got ${workers}.`);
  if (!(Number.isInteger(nBands) && nBands >= 1)) throw new PainterlyError('BAD_ARGUMENT', `Expected a positive band count, got ${nBands}.`);

  const shared = workers > 0;
  const state = createState(a, b, region, patchSize, opts.seed ?? 0, vote, shared);
  const bands = splitBands(state.active, state.aw, state.ah, nBands);
  const phases: Phase[] = [{ type: 'init' }];
  for (let i = 0; i < iterations; i++) phases.push({ type: 'iterate', iteration: i });
  if (vote) phases.push({ type: 'vote' });

  const checkAbort = (): void => throwIfCancelled(opts.signal, 'PatchMatch was cancelled.');
  checkAbort();
  // Nothing to match: no need to start threads (voting then just copies the fallback).
  const anyActive = state.active.includes(1);
  if (!shared || !anyActive) {
    for (const phase of phases) {
      for (const band of bands) runPhase(state, band, phase);
      snapshot(state);
      checkAbort();
    }
  } else {
    const pool = await WorkerPool.start(state, bands, Math.min(workers, bands.length));
    try {
      for (const phase of phases) {
        await pool.runPhase(phase, opts.signal);
        snapshot(state);
        checkAbort();
      }
    } finally {
      await pool.close();
    }
  }
  const nnf: Nnf = {
    width: state.aw,
    height: state.ah,
    patchSize,
    x: state.nnfX.slice(),
    y: state.nnfY.slice(),
    dist: state.dist.slice(),
    active: state.active.slice(),
  };
  return { nnf, state };
}

function checkInputs(a: Image, b: Image, region: Image, patchSize: number): void {
  if (!(Number.isInteger(patchSize) && patchSize >= 1 && patchSize % 2 === 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected an odd patch size, got ${patchSize}.`);
  }
  if (a.channels !== b.channels) throw new PainterlyError('BAD_ARGUMENT', `A has ${a.channels} channels but B has ${b.channels}.`);
  if (region.width !== a.width || region.height !== a.height) {
    throw new PainterlyError('SIZE_MISMATCH', `The region is ${region.width}×${region.height} but A is ${a.width}×${a.height}.`);
  }
  for (const [name, img] of [['A', a], ['B', b]] as const) {
    if (img.width < patchSize || img.height < patchSize) {
      throw new PainterlyError('BAD_ARGUMENT', `${name} is ${img.width}×${img.height}, smaller than a ${patchSize}×${patchSize} patch.`);
    }
  }
}

function createState(
  a: Image,
  b: Image,
  region: Image,
  patchSize: number,
  seed: number,
  vote: { src: Image; fallback?: Image } | undefined,
  shared: boolean,
): MatchState {
  const n = a.width * a.height;
  const i32 = (): Int32Array => (shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n));
  const f32 = (len: number): Float32Array => (shared ? new Float32Array(new SharedArrayBuffer(4 * len)) : new Float32Array(len));
  const active = shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
  // Clamp every region pixel to the nearest centre whose patch fits inside A.
  const half = (patchSize - 1) / 2;
  const rc = region.channels;
  for (let y = 0; y < a.height; y++) {
    const cy = Math.min(Math.max(y, half), a.height - 1 - half);
    for (let x = 0; x < a.width; x++) {
      if (region.data[(y * a.width + x) * rc] > 0) {
        active[cy * a.width + Math.min(Math.max(x, half), a.width - 1 - half)] = 1;
      }
    }
  }
  const state: MatchState = {
    aw: a.width,
    ah: a.height,
    bw: b.width,
    bh: b.height,
    channels: a.channels,
    patchSize,
    seed: seed >>> 0,
    a: quantize(a, shared),
    b: quantize(b, shared),
    active,
    nnfX: i32(),
    nnfY: i32(),
    dist: i32(),
    prevX: i32(),
    prevY: i32(),
  };
  state.nnfX.fill(-1);
  state.nnfY.fill(-1);
  if (vote) {
    state.voteSrc = f32(vote.src.data.length);
    state.voteSrc.set(vote.src.data);
    state.voteOut = f32(n * vote.src.channels);
    if (vote.fallback) {
      state.voteFallback = f32(vote.fallback.data.length);
      state.voteFallback.set(vote.fallback.data);
    }
  }
  return state;
}

/** Contiguous row bands holding about equal numbers of active centres (some may be empty). */
export function splitBands(active: Uint8Array, w: number, h: number, nBands: number): Band[] {
  const perRow = new Int32Array(h);
  let total = 0;
  for (let y = 0; y < h; y++) {
    let c = 0;
    for (let x = 0; x < w; x++) c += active[y * w + x];
    perRow[y] = c;
    total += c;
  }
  const bands: Band[] = [];
  let start = 0;
  let seen = 0;
  for (let k = 1; k <= nBands; k++) {
    if (k === nBands) {
      bands.push([start, h]);
      break;
    }
    const target = (total * k) / nBands;
    let end = start;
    while (end < h && seen + perRow[end] <= target) seen += perRow[end++];
    bands.push([start, end]);
    start = end;
  }
  return bands;
}

function snapshot(st: MatchState): void {
  st.prevX.set(st.nnfX);
  st.prevY.set(st.nnfY);
}

// ---------------------------------------------------------------------------------------------
// Worker threads

class WorkerPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(state: MatchState, bands: Band[], count: number): Promise<WorkerPool> {
    const assigned: Band[][] = Array.from({ length: count }, () => []);
    bands.forEach((band, k) => assigned[k % count].push(band));
    const workers = assigned.map((myBands) => spawnWorker(import.meta.url, './patchmatch-worker', { state, bands: myBands }));
    const pool = new WorkerPool(workers);
    try {
      await Promise.all(workers.map((w) => nextMessage(w)));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  async runPhase(phase: Phase, signal?: AbortSignal): Promise<void> {
    const done = Promise.all(this.workers.map((w) => nextMessage(w)));
    for (const w of this.workers) w.postMessage(phase);
    if (!signal) {
      await done;
      return;
    }
    // Abort mid-phase: stop waiting; close() then terminates the workers.
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new PainterlyError('CANCELLED', 'PatchMatch was cancelled.'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([done, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      done.catch(() => {});
      aborted.catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Resolves with a worker's next 'ready'/'done' message; rejects on its error or exit. */
function nextMessage(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const onMessage = (m: { type: string; message?: string }): void => {
      cleanup();
      if (m.type === 'error') reject(new PainterlyError('INTERNAL', `A PatchMatch worker failed: ${m.message}`));
      else resolve();
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new PainterlyError('INTERNAL', `A PatchMatch worker failed: ${e.message}`));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new PainterlyError('INTERNAL', `A PatchMatch worker exited early (code ${code}).`));
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}
