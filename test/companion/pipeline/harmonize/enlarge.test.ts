import { describe, expect, it } from 'vitest';
import { toInputResolution, toInputResolutionOver } from '../../../../companion/pipeline/harmonize/enlarge.js';
import { refuseOutside, wholeDocument } from '../../../../companion/pipeline/harmonize/document-view.js';
import { firstChannel } from '../../../../companion/image/image.js';
import { resize } from '../../../../companion/image/resize.js';
import { cut } from '../../../support/document-parts.js';
import { expectSameBits } from '../../../support/same-bits.js';
import { syntheticScene } from '../../../support/synthetic-scene.js';

describe('toInputResolutionOver (--detail paper over the object\'s rectangle)', () => {
  // A 200×160 document at 64 px (×3.1): the "result" is the composite at 64 px.
  const scene = syntheticScene(200, 160, { x: 0, y: 55, w: 50, h: 40 });
  const final = resize(scene.composite, 64, 51);
  const tight = resize(firstChannel(scene.mask), 64, 51);
  const whole = toInputResolution(final, scene.painting, tight, 200, 160);

  it('is that rectangle of the whole enlargement, bit for bit, over the whole painting or the window the panel sent', () => {
    for (const rect of [{ x0: 0, y0: 23, width: 82, height: 104 }, { x0: 13, y0: 7, width: 150, height: 151 }, { x0: 0, y0: 0, width: 200, height: 160 }]) {
      const window = { x0: 0, y0: 0, width: Math.min(200, rect.x0 + rect.width + 9), height: Math.min(160, rect.y0 + rect.height + 5) };
      expectSameBits(toInputResolutionOver(final, wholeDocument(scene.painting), tight, rect), cut(whole, rect));
      expectSameBits(toInputResolutionOver(final, refuseOutside({ region: window, image: cut(scene.painting, window) }, { width: 200, height: 160 }, 'the painting window'), tight, rect), cut(whole, rect));
    }
  });

  it('refuses with BAD_MESSAGE a window that does not hold the rectangle', () => {
    const window = { x0: 10, y0: 10, width: 100, height: 100 };
    const view = refuseOutside({ region: window, image: cut(scene.painting, window) }, { width: 200, height: 160 }, 'the painting window');
    expect(() => toInputResolutionOver(final, view, tight, { x0: 5, y0: 20, width: 60, height: 60 })).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE', message: expect.stringContaining('The enlargement (--detail paper) reads the painting window over columns 5–64, rows 20–79') }));
  });
});
