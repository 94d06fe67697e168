import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../shared/limits.js';
import { nativeWindow, objectRegion, paperPaintingSide, paperSize } from '../../shared/native-window.js';
import type { PlaneDeclaration, SubmitMessage } from '../../shared/protocol.js';
import { checkSubmit, parseClientMessage } from '../../shared/validate.js';
import { fails } from '../support/fails.js';

const limits = resolveLimits();
const doc = { width: 8000, height: 6000 };
/** A 2000×2000 object in an 8000×6000 document at the Preview's 350 px. */
const planes = (): PlaneDeclaration[] => [
  { plane: 'painting', width: 700, height: 525, channels: 3, bitsPerChannel: 16 },
  { plane: 'pasted', width: 2000, height: 2000, channels: 4, bitsPerChannel: 16, left: 3000, top: 2000 },
  { plane: 'mask', width: 2004, height: 2004, channels: 1, bitsPerChannel: 8, left: 2998, top: 1998 },
  { plane: 'paintingWindow', width: 4000, height: 4000, channels: 3, bitsPerChannel: 16, left: 2000, top: 1000 },
];
const submit = (p = planes(), extra: Partial<SubmitMessage> = {}): SubmitMessage => ({ type: 'submit', jobId: 7, options: { mode: 'harmonize', quality: 'preview' }, planes: p, document: doc, ...extra });

describe('a harmonize job in parts', () => {
  it('passes with its document, its four planes and their places', () => {
    const c = checkSubmit(submit(), limits);
    expect(c.document).toEqual(doc);
    expect(c.planes.get('pasted')).toMatchObject({ left: 3000, top: 2000 });
  });

  it('parses document and left/top from the wire, and refuses a malformed document', () => {
    const msg = parseClientMessage(JSON.stringify(submit()), limits);
    expect(msg).toMatchObject({ document: doc, planes: expect.arrayContaining([expect.objectContaining({ plane: 'mask', left: 2998, top: 1998 })]) });
    expect(fails(() => parseClientMessage(JSON.stringify(submit(planes(), { document: { width: 0, height: 5 } })), limits)).message).toMatch(/`document`/);
    expect(fails(() => parseClientMessage(JSON.stringify({ ...submit(), planes: [{ ...planes()[1], left: -1 }] }), limits)).message).toMatch(/planes\[0\]\.left/);
  });

  it('needs the whole painting at the paper\'s size: the working size, or 700 px for the noise, never more than the document', () => {
    expect(paperPaintingSide(doc, 350)).toBe(700);
    expect(paperPaintingSide(doc, 1400)).toBe(1400);
    expect(paperPaintingSide({ width: 500, height: 300 }, 350)).toBe(500);
    expect(paperSize(doc, 700)).toEqual({ width: 700, height: 525 });
    const wrong = planes();
    wrong[0] = { ...wrong[0], width: 350, height: 262 };
    expect(fails(() => checkSubmit(submit(wrong), limits))).toMatchObject({ code: 'SIZE_MISMATCH', message: expect.stringMatching(/at 700×525/) });
  });

  it('refuses a missing or a foreign plane, a placed plane without its place, one outside the document, and photo style', () => {
    expect(fails(() => checkSubmit(submit(planes().slice(0, 3)), limits)).message).toBe("A harmonize job in parts needs plane 'paintingWindow'.");
    expect(fails(() => checkSubmit(submit([...planes().slice(0, 3), { plane: 'composite', width: 10, height: 10, channels: 3, bitsPerChannel: 8 }]), limits)).message).toMatch(/takes planes painting, paintingWindow, pasted, mask; got 'composite'/);
    const unplaced = planes();
    delete unplaced[2].left;
    expect(fails(() => checkSubmit(submit(unplaced), limits)).message).toBe("Plane 'mask' needs its left and top in the document.");
    const outside = planes();
    outside[3] = { ...outside[3], left: 5000 };
    expect(fails(() => checkSubmit(submit(outside), limits)).message).toMatch(/reaches outside the 8000×6000 document/);
    expect(fails(() => checkSubmit({ ...submit(), options: { mode: 'photo-style' }, planes: [] }, limits)).message).toMatch(/parts|takes planes/);
  });

  it('refuses a pasted layer without alpha, and a left/top on a whole-document job', () => {
    const opaque = planes();
    opaque[1] = { ...opaque[1], channels: 3 };
    expect(fails(() => checkSubmit(submit(opaque), limits)).message).toMatch(/`pasted\.channels`/);
    const whole: SubmitMessage = { type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: [{ plane: 'painting', width: 8, height: 8, channels: 3, bitsPerChannel: 8, left: 0, top: 0 }, { plane: 'composite', width: 8, height: 8, channels: 3, bitsPerChannel: 8 }, { plane: 'mask', width: 8, height: 8, channels: 1, bitsPerChannel: 8 }] };
    expect(fails(() => checkSubmit(whole, limits)).message).toMatch(/only planes of a job in parts/);
  });
});

describe('nativeWindow', () => {
  it('grows the object\'s rectangle by half its longer side and a paper pixel of slack, inside the document', () => {
    const bounds = { x0: 3000, y0: 2000, width: 2000, height: 2000 };
    // The margin: 32 + 4 × 8000 / 350 = 123.4 → 124 document pixels.
    expect(objectRegion(doc, bounds, 350)).toEqual({ x0: 2876, y0: 1876, width: 2248, height: 2248 });
    // Half of 2248, and the slack: a paper pixel is 8000 / 350 ≈ 22.9 → 23 document pixels, + 1.
    expect(nativeWindow(doc, bounds, 350)).toEqual({ x0: 2876 - 1124 - 24, y0: 1876 - 1124 - 24, width: 2248 + 2 * 1148, height: 2248 + 2 * 1148 });
    expect(nativeWindow(doc, { x0: 0, y0: 0, width: 7000, height: 5000 }, 350)).toEqual({ x0: 0, y0: 0, width: 8000, height: 6000 });
  });
});
