import { describe, expect, it } from 'vitest';
import type { JobOutput } from '../../shared/client.js';
import { prepareLayerStyle, resultLayerPixels } from '../../plugin/jobs.js';
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

describe('prepareLayerStyle', () => {
  it('sends the photo and the reference at their own sizes, labels over the same areas', () => {
    const job = prepareLayerStyle(read(), { content: 10, style: 20, contentLabels: 20 }, { mode: 'photo-style', quality: 'preview' });
    expect(job.request.planes.map((p) => [p.plane, p.width, p.height])).toEqual([
      ['content', 2, 1],
      ['style', 4, 3],
      ['contentLabels', 2, 1],
    ]);
    // The half-transparent content pixel is matted on white; its alpha comes back on the layer.
    expect(Array.from(job.request.planes[0].data!)).toEqual([255, 0, 0, 255, 127, 127]);
    expect(Array.from(job.alpha)).toEqual([255, 128]);
    expect(job.rect).toEqual({ left: 1, top: 1, right: 3, bottom: 2 });
  });
});

describe('resultLayerPixels', () => {
  it('puts the result over the photo\'s rect with the photo\'s alpha', () => {
    const job = prepareLayerStyle(read(), { content: 10, style: 20 }, { mode: 'photo-style', quality: 'preview' });
    const out: JobOutput = { jobId: 1, width: 2, height: 1, channels: 3, bitsPerChannel: 8, data: new Uint8Array([5, 5, 5, 6, 6, 6]), device: 'cpu', seconds: 1 };
    const { rect, rgba } = resultLayerPixels(job, out);
    expect(rect).toEqual({ left: 1, top: 1, right: 3, bottom: 2 });
    expect(Array.from(rgba)).toEqual([5, 5, 5, 255, 6, 6, 6, 128]);
  });

  it('refuses a result of the wrong size', () => {
    const job = prepareLayerStyle(read(), { content: 10, style: 20 }, { mode: 'photo-style', quality: 'preview' });
    const out: JobOutput = { jobId: 1, width: 3, height: 3, channels: 3, bitsPerChannel: 8, data: new Uint8Array(27), device: 'cpu', seconds: 1 };
    expect(() => resultLayerPixels(job, out)).toThrow(expect.objectContaining({ code: 'SIZE_MISMATCH' }));
  });
});
