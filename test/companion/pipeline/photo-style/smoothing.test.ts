import { describe, it, expect } from 'vitest';
import { createImage, type Image } from '../../../../companion/image/image.js';
import { runSmoothing, smoothInline } from '../../../../companion/pipeline/photo-style/smoothing.js';
import { smoothLocalAffine } from '../../../../companion/pipeline/photo-style/local-affine.js';
import { mulberry32 } from '../../../support/gradcheck.js';

function photo(w: number, h: number, seed: number): Image {
  const r = mulberry32(seed);
  const img = createImage(w, h, 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = 3 * (y * w + x);
    img.data[i] = x < w / 2 ? 0.2 + 0.05 * r() : 0.7 + 0.05 * r();
    img.data[i + 1] = 0.3 + 0.4 * (y / h);
    img.data[i + 2] = 0.5 + 0.1 * r();
  }
  return img;
}

const content = photo(26, 21, 1);
const output = { ...content, data: content.data.map((v, i) => Math.min(1, v * 0.8 + (i % 3) * 0.1 + 0.02 * Math.sin(i))) };

describe('runSmoothing', () => {
  it('returns the stage-2 image unchanged for none', async () => {
    expect((await runSmoothing({ mode: 'none', output, content })).image).toBe(output);
  });

  it('gives on a worker thread exactly what smooth local affine gives in this thread, and its models', async () => {
    const steps: number[] = [];
    const r = await runSmoothing({ mode: 'affine', output, content }, { onProgress: (d) => steps.push(d) });
    expect(r.image.data).toEqual(smoothLocalAffine(output, content).data);
    expect(r.coefficients).toEqual(smoothInline({ mode: 'affine', output, content }).coefficients);
    expect(steps).toEqual([0, 1, 2, 3]);
  });

  it('gives on a worker thread exactly the in-thread closed-form result', async () => {
    const worker = await runSmoothing({ mode: 'closed-form', output, content });
    const inline = await runSmoothing({ mode: 'closed-form', output, content }, { thread: 'inline' });
    expect(worker.image.data).toEqual(inline.image.data);
    expect(worker.coefficients).toBeUndefined();
  });

  it('stops a running worker with CANCELLED when aborted', async () => {
    const big = photo(400, 300, 3); // seconds of bilateral filtering
    const ac = new AbortController();
    const run = runSmoothing({ mode: 'affine', output: big, content: big }, { signal: ac.signal, onProgress: (d) => d === 1 && ac.abort() });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
