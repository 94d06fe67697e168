import { describe, expect, it } from 'vitest';
import type { JobOutput } from '../../shared/client.js';
import { prepareHarmonize, prepareLayerStyle, resultLayerPixels } from '../../plugin/jobs.js';
import type { PixelRead } from '../../plugin/photoshop/host.js';

/** A 4×3 document: an opaque grey painting and a 2×1 red object at (1, 1), its right pixel half transparent. */
function read(selection?: PixelRead['selection']): PixelRead {
  return {
    documentId: 1,
    width: 4,
    height: 3,
    bits: 8,
    layers: [
      { layerId: 10, rect: { left: 1, top: 1, right: 3, bottom: 2 }, components: 4, data: new Uint8Array([255, 0, 0, 255, 255, 0, 0, 128]) },
      { layerId: 20, rect: { left: 0, top: 0, right: 4, bottom: 3 }, components: 3, data: new Uint8Array(36).fill(100) },
    ],
    ...(selection ? { selection } : {}),
  };
}

const options = { mode: 'harmonize', quality: 'preview', tau: 5 } as const;

describe('prepareHarmonize', () => {
  it('sends the painting, the pasted layer over it and the selection as the mask', () => {
    const job = prepareHarmonize(read({ rect: { left: 0, top: 1, right: 4, bottom: 2 }, data: new Uint8Array([255, 255, 255, 255]) }), 10, 20, options);
    const [painting, composite, mask] = job.request.planes;
    expect(job.request.planes.map((p) => [p.plane, p.width, p.height, p.channels, p.bitsPerChannel])).toEqual([
      ['painting', 4, 3, 3, 8],
      ['composite', 4, 3, 3, 8],
      ['mask', 4, 3, 1, 8],
    ]);
    expect(Array.from(painting.data)).toEqual(new Array(36).fill(100));
    // Row 1: grey, red, red-grey mix (alpha 128/255), grey.
    expect(Array.from(composite.data.slice(12, 24))).toEqual([100, 100, 100, 255, 0, 0, 178, 50, 50, 100, 100, 100]);
    expect(Array.from(mask.data)).toEqual([0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0]);
    expect(job.rect).toEqual({ left: 0, top: 1, right: 4, bottom: 2 });
    expect(job.notice).toBeUndefined();
    expect(job.request.options).toBe(options);
  });

  it('uses the pasted layer’s transparency as the mask without a selection, and says so', () => {
    const job = prepareHarmonize(read(), 10, 20, options);
    expect(Array.from(job.request.planes[2].data)).toEqual([0, 0, 0, 0, 0, 255, 128, 0, 0, 0, 0, 0]);
    expect(job.rect).toEqual({ left: 1, top: 1, right: 3, bottom: 2 });
    expect(job.notice).toMatch(/No selection/);
  });

  it('refuses an empty selection, a selection of everything and an empty pasted layer', () => {
    expect(() => prepareHarmonize(read({ rect: { left: 0, top: 0, right: 1, bottom: 1 }, data: new Uint8Array([0]) }), 10, 20, options)).toThrow(expect.objectContaining({ code: 'EMPTY_MASK' }));
    expect(() => prepareHarmonize(read({ rect: { left: 0, top: 0, right: 4, bottom: 3 }, data: new Uint8Array(12).fill(255) }), 10, 20, options)).toThrow(expect.objectContaining({ code: 'FULL_MASK' }));
    const r = read();
    r.layers[0] = { layerId: 10, rect: { left: 0, top: 0, right: 0, bottom: 0 }, components: 4, data: new Uint8Array(0) };
    expect(() => prepareHarmonize(r, 10, 20, options)).toThrow(expect.objectContaining({ code: 'EMPTY_LAYER' }));
  });
});

describe('resultLayerPixels', () => {
  it('crops the result to the mask’s rect with the mask as alpha', () => {
    const job = prepareHarmonize(read(), 10, 20, options);
    const data = new Uint8Array(36);
    for (let p = 0; p < 12; p++) data.set([p, p, p], p * 3);
    const out: JobOutput = { jobId: 1, width: 4, height: 3, channels: 3, bitsPerChannel: 8, data, device: 'cpu', seconds: 1 };
    const { rect, rgba } = resultLayerPixels(job, out);
    expect(rect).toEqual({ left: 1, top: 1, right: 3, bottom: 2 });
    expect(Array.from(rgba)).toEqual([5, 5, 5, 255, 6, 6, 6, 128]);
  });

  it('refuses a result of the wrong size', () => {
    const job = prepareHarmonize(read(), 10, 20, options);
    const out: JobOutput = { jobId: 1, width: 3, height: 3, channels: 3, bitsPerChannel: 8, data: new Uint8Array(27), device: 'cpu', seconds: 1 };
    expect(() => resultLayerPixels(job, out)).toThrow(expect.objectContaining({ code: 'SIZE_MISMATCH' }));
  });
});

describe('prepareLayerStyle', () => {
  it('sends the photo and the reference at their own sizes, labels over the same areas', () => {
    const job = prepareLayerStyle(read(), { content: 10, style: 20, contentLabels: 20 }, { mode: 'photo-style', quality: 'preview' });
    expect(job.request.planes.map((p) => [p.plane, p.width, p.height])).toEqual([
      ['content', 2, 1],
      ['style', 4, 3],
      ['contentLabels', 2, 1],
    ]);
    // The half-transparent content pixel is matted on white; its alpha comes back on the layer.
    expect(Array.from(job.request.planes[0].data)).toEqual([255, 0, 0, 255, 127, 127]);
    expect(Array.from(job.alpha)).toEqual([255, 128]);
    expect(job.rect).toEqual({ left: 1, top: 1, right: 3, bottom: 2 });
  });
});
