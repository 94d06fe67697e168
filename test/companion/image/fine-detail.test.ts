import { describe, it, expect } from 'vitest';
import { detailField, meanAbsWhere } from '../../../companion/image/fine-detail.js';
import type { Image } from '../../../companion/image/image.js';
import { mulberry32 } from '../../../shared/seeded-random.js';
import { slowFineDetail } from '../../support/slow-fine-detail.js';

describe('fine detail (issue 12\'s measure)', () => {
  it('matches the slow 2-D transcription on random RGB images, over any selection', () => {
    const r = mulberry32(11);
    const img: Image = { width: 23, height: 17, channels: 3, data: Float32Array.from({ length: 23 * 17 * 3 }, () => r()) };
    const field = detailField(img);
    const interior = (i: number) => { const x = i % 23, y = Math.floor(i / 23); return x > 0 && y > 0 && x < 22 && y < 16; };
    expect(meanAbsWhere(field, interior)).toBeCloseTo(slowFineDetail(img, () => true), 6);
    expect(meanAbsWhere(field, (i) => interior(i) && i % 23 < 8)).toBeCloseTo(slowFineDetail(img, (x) => x < 8), 6);
  });
  it('is linear in the image: the field of a + 2b is field(a) + 2·field(b)', () => {
    const r = mulberry32(12);
    const mk = (): Image => ({ width: 12, height: 10, channels: 3, data: Float32Array.from({ length: 360 }, () => r()) });
    const a = mk(), b = mk();
    const sum = detailField({ ...a, data: a.data.map((v, i) => v + 2 * b.data[i]) });
    const fa = detailField(a), fb = detailField(b);
    for (let i = 0; i < sum.length; i++) expect(sum[i]).toBeCloseTo(fa[i] + 2 * fb[i], 5);
  });
});
