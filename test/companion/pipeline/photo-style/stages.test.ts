import { describe, it, expect, afterAll } from 'vitest';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { createImage, type Image } from '../../../../companion/image/image.js';
import { toNetworkSpace } from '../../../../companion/pipeline/common/network-space.js';
import { openStep, type StepRunner } from '../../../../companion/compute/graphs/step.js';
import { mattingLaplacianOperator } from '../../../../companion/pipeline/photo-style/matting-laplacian.js';
import { buildMattingLaplacianSparse, csrMultiply } from '../../../support/matting-laplacian-sparse.js';
import { prepareInputs } from '../../../../companion/pipeline/photo-style/prepare.js';
import { buildPhotoTaps } from '../../../../companion/pipeline/photo-style/targets.js';
import { tvLoss } from '../../../support/reference-losses.js';
import { historyFor, noiseInit, photorealismTerm, runStage, stageStep, type StageSpec } from '../../../../companion/pipeline/photo-style/stages.js';
import { gradcheck, mulberry32, randomArray } from '../../../support/gradcheck.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';
import type { BackboneSpec } from '../../../../companion/compute/backbones/types.js';

// The tiny VGG with a preprocessing that keeps features O(1), so float32 losses have digits to spare
// for finite differences, and with a scale and mean that the chain rule must get right.
const spec: BackboneSpec = { ...tinyVgg, name: 'tiny-vgg-unit', preprocess: { scale: 2, meanBGR: [0.3, 0.5, 0.7] } };
const net = networkFromWeights(spec, randomWeights(tinyVgg, 4));
const W = 17;
const H = 16;
const opened: StepRunner[] = [];
afterAll(async () => Promise.all(opened.map((s) => s.release())));

function photo(w: number, h: number, seed: number): Image {
  const r = mulberry32(seed);
  const img = createImage(w, h, 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = 3 * (y * w + x);
    // Two regions with texture, as a photo would have.
    img.data[i] = (y < h / 2 ? 0.7 : 0.2) + 0.1 * r();
    img.data[i + 1] = 0.4 + 0.2 * Math.sin(x * 0.9 + seed) + 0.05 * r();
    img.data[i + 2] = (x < w / 2 ? 0.3 : 0.8) + 0.1 * r();
  }
  return img;
}

async function photoTaps() {
  const p = prepareInputs({ content: photo(W, H, 1), style: photo(19, 16, 2) }, 700);
  const pre = spec.preprocess;
  const { taps } = await buildPhotoTaps(net, {
    contentX: toNetworkSpace(p.content, pre), styleX: toNetworkSpace(p.style, pre),
    contentLabels: p.contentLabels, styleLabels: p.styleLabels, used: p.pairing.used,
  });
  return { taps, content: p.content };
}

/**
 * A stage's objective as the optimisation loop evaluates it: the step graph, plus the
 * photorealism term added to its loss and gradient in stage 2.
 */
async function open(stage: StageSpec) {
  const s = await openStep(net, stageStep(stage));
  opened.push(s);
  const { photorealism } = stage;
  const term = photorealism && photorealismTerm(photorealism.laplacian, spec.preprocess, photorealism.lambda);
  return {
    async evaluate(x: Float32Array) {
      const { loss: networkLoss, grad } = await s.evaluate(x);
      const photoLoss = term ? term(x, grad) : 0;
      return { loss: networkLoss + photoLoss, grad, networkLoss, photoLoss };
    },
  };
}

const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

describe('stage-2 objective', () => {
  it('adds exactly 2λ·M·V/scale to the graph gradient, with M the explicit matting Laplacian', async () => {
    const { taps, content } = await photoTaps();
    const laplacian = mattingLaplacianOperator(content);
    const base = await open({ taps, width: W, height: H, tvWeight: 1e-3 });
    const x = toNetworkSpace(content, spec.preprocess).data.map((v, i) => v + 0.1 * Math.sin(i));
    const a = await base.evaluate(x);
    // λ such that both parts of the gradient have the same size.
    const probe = new Float32Array(x.length);
    photorealismTerm(laplacian, spec.preprocess, 1)(x, probe);
    const lambda = norm(a.grad) / norm(probe);
    const stage2 = await open({ taps, width: W, height: H, tvWeight: 1e-3, photorealism: { laplacian, lambda } });
    const b = await stage2.evaluate(x);
    expect(b.networkLoss).toBe(a.networkLoss);

    const csr = buildMattingLaplacianSparse(content);
    const n = W * H;
    const { scale, meanBGR } = spec.preprocess;
    let photoLoss = 0;
    let worst = 0;
    let biggest = 0;
    for (let c = 0; c < 3; c++) {
      const v = Float64Array.from({ length: n }, (_, i) => (x[c * n + i] + meanBGR[c]) / scale);
      const mv = new Float64Array(n);
      csrMultiply(csr, v, mv);
      for (let i = 0; i < n; i++) {
        photoLoss += lambda * v[i] * mv[i];
        const expected = (2 * lambda * mv[i]) / scale;
        worst = Math.max(worst, Math.abs(b.grad[c * n + i] - a.grad[c * n + i] - expected));
        biggest = Math.max(biggest, Math.abs(expected));
      }
    }
    expect(biggest).toBeGreaterThan(0);
    expect(worst / biggest).toBeLessThan(1e-5); // the sums are stored in float32
    expect(b.photoLoss / photoLoss).toBeCloseTo(1, 9);
    expect(b.loss / (a.networkLoss + photoLoss)).toBeCloseTo(1, 6);
  });

  it('gives the gradient of network loss + TV + λ·ΣVᵀMV (finite differences)', async () => {
    const { taps, content } = await photoTaps();
    const laplacian = mattingLaplacianOperator(content);
    const x = randomArray(3 * W * H, mulberry32(5), 1);
    const tvWeight = 0.05;
    // λ chosen so that the photorealism gradient weighs as much as the rest: both parts are tested.
    const probe = new Float32Array(x.length);
    photorealismTerm(laplacian, spec.preprocess, 1)(x, probe);
    const base = await open({ taps, width: W, height: H, tvWeight });
    const lambda = norm((await base.evaluate(x)).grad) / norm(probe);
    const step = await open({ taps, width: W, height: H, tvWeight, photorealism: { laplacian, lambda } });
    const objective = async (v: Float32Array): Promise<number> => (await step.evaluate(v)).loss + tvLoss(v, 3, W, H, tvWeight).loss;
    const grad = (await step.evaluate(x)).grad.slice();
    const report = await gradcheck(objective, x, grad, { eps: 1e-2 });
    expect(report.worst).toBeLessThan(2e-2);
  });
});

describe('stage runs', () => {
  it('lowers the objective with fixed-step L-BFGS from the seeded noise and reports every iteration', async () => {
    const { taps } = await photoTaps();
    const seen: number[] = [];
    const x = noiseInit(3 * W * H);
    const r = await runStage(net, { taps, width: W, height: H, tvWeight: 1e-3 }, x, { iterations: 30, onIteration: (it) => seen.push(it) });
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Without a line search a step can overshoot now and then (as in Torch); the trend must be down.
    expect(r.losses[r.losses.length - 1]).toBeLessThan(0.2 * r.losses[0]);
  });

  it('stops with CANCELLED when the signal is already aborted', async () => {
    const { taps } = await photoTaps();
    const ac = new AbortController();
    ac.abort();
    await expect(runStage(net, { taps, width: W, height: H, tvWeight: 1e-3 }, noiseInit(3 * W * H), { iterations: 5, signal: ac.signal }))
      .rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('stage-1 noise and history size', () => {
  it('draws the same seeded noise every time, with mean 0 and σ = 1e-4', () => {
    const a = noiseInit(20_001);
    expect(noiseInit(20_001)).toEqual(a);
    expect(noiseInit(20_001, 613)).not.toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(Math.abs(mean)).toBeLessThan(3e-6);
    expect(sd).toBeGreaterThan(0.97e-4);
    expect(sd).toBeLessThan(1.03e-4);
  });

  it('keeps the original 100 pairs up to about 700×525 and shrinks the history beyond, within 1 GiB', () => {
    expect(historyFor(3 * 700 * 467)).toBe(100);
    expect(historyFor(3 * 700 * 525)).toBe(100);
    const big = 3 * 1400 * 934;
    const m = historyFor(big);
    expect(m).toBeLessThan(100);
    expect((m + 1) * 2 * 4 * big).toBeLessThanOrEqual(1024 ** 3);
    expect(historyFor(1e10)).toBe(1);
  });
});
