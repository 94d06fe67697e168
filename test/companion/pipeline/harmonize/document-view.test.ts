import { describe, expect, it } from 'vitest';
import { boundsInDocument, cropView, refuseOutside, wholeDocument, zeroOutside } from '../../../../companion/pipeline/harmonize/document-view.js';
import type { Image } from '../../../../companion/image/image.js';
import { padToCanvas } from '../../../../companion/image/resize.js';
import { cut } from '../../../support/document-parts.js';
import { expectSameBits } from '../../../support/same-bits.js';

const doc = { width: 40, height: 30 };
const ramp = (width: number, height: number, channels: number): Image => ({ width, height, channels, data: Float32Array.from({ length: width * height * channels }, (_, i) => (i % 97) / 97) });

describe('document views', () => {
  const region = { x0: 10, y0: 5, width: 12, height: 9 };
  const part = ramp(12, 9, 1);

  it('cut a mask\'s region out with 0 wherever its part does not reach, as the zero-padded document', () => {
    const padded = padToCanvas({ region, image: part }, doc);
    for (const r of [{ x0: 0, y0: 0, width: 40, height: 30 }, { x0: 15, y0: 10, width: 20, height: 20 }, { x0: 30, y0: 20, width: 5, height: 5 }]) {
      expectSameBits(cropView(zeroOutside({ region, image: part }, doc, 'the mask'), r, 'a test'), cut(padded, r));
    }
  });

  it('cut a painting\'s region out only where it was sent, refusing with a sentence otherwise', () => {
    const whole = ramp(40, 30, 3);
    const view = refuseOutside({ region, image: cut(whole, region) }, doc, 'the painting window');
    expectSameBits(cropView(view, { x0: 11, y0: 6, width: 10, height: 8 }, 'a test'), cut(whole, { x0: 11, y0: 6, width: 10, height: 8 }));
    expect(() => cropView(view, { x0: 9, y0: 6, width: 10, height: 8 }, 'the blend')).toThrow(expect.objectContaining({
      code: 'BAD_MESSAGE',
      message: 'The blend reads the painting window over columns 9–18, rows 6–13 of the 40×30 document, but it was sent only over columns 10–21, rows 5–13: the panel sent too small a window.',
    }));
    expectSameBits(cropView(wholeDocument(whole), { x0: 0, y0: 0, width: 40, height: 30 }, 'a test'), whole);
  });

  it('find a mask\'s bounds in document pixels', () => {
    const m: Image = { width: 12, height: 9, channels: 1, data: new Float32Array(12 * 9) };
    m.data[2 * 12 + 3] = 0.5;
    m.data[6 * 12 + 7] = 0.02;
    expect(boundsInDocument(zeroOutside({ region, image: m }, doc, 'the mask'), 0.01)).toEqual({ x0: 13, y0: 7, width: 5, height: 5 });
    expect(boundsInDocument(zeroOutside({ region, image: m }, doc, 'the mask'), 0.5)).toBeUndefined();
  });
});
