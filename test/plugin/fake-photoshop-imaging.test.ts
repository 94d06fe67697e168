// The fake's Imaging API beyond plain reads: targetSize (pyramid levels, box averages), layer
// masks, and the composite the user sees (mask, opacity × fill, blend modes), smart objects, locks.
import { describe, expect, it } from 'vitest';
import type { PsExecutionContext } from '../../plugin/photoshop/uxp-types.js';
import { createFakePhotoshop, type FakePhotoshop } from './fake-photoshop.js';
import { addScene, halfMask } from './support/scene.js';

/** The default scene's object. */
const OBJECT = { left: 22, top: 16, right: 42, bottom: 30 };

/** Runs `fn` in a modal scope of `fake`. */
const modal = <T>(fake: FakePhotoshop, fn: (ctx: PsExecutionContext) => Promise<T>) => fake.photoshop.core.executeAsModal(fn, { commandName: 'test' });

describe('fake photoshop: targetSize', () => {
  it('scales to the target size from the pyramid level a cache would read, with bounds in that level and box-averaged values', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    const got = await modal(fake, () => fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Painting').id, targetSize: { width: 16 } }));
    // 64 × 48 → 16 × 12: level 2 (a quarter) is the smallest that still has 16 × 12 pixels.
    expect([got.imageData.width, got.imageData.height, got.level]).toEqual([16, 12, 2]);
    expect(got.sourceBounds).toEqual({ left: 0, top: 0, right: 16, bottom: 12 });
    const data = await got.imageData.getData();
    // Red is round(255 · ((7x) mod 64) / 63): x = 4…7 give 113, 142, 170, 198 (mean 155.75); x = 8…11 give 227, 255, 24, 53 (139.75).
    expect(data[(1 * 16 + 1) * 3]).toBe(156);
    expect(data[(0 * 16 + 2) * 3]).toBe(140);
    got.imageData.dispose();
  });

  it('keeps the other side in proportion when one is given, and reads level 0 for a target larger than the region', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    const layerID = fake.layer(doc, 'Painting').id;
    const half = await modal(fake, () => fake.photoshop.imaging.getPixels({ layerID, targetSize: { height: 24 } }));
    expect([half.imageData.width, half.imageData.height, half.level]).toEqual([32, 24, 1]);
    const big = await modal(fake, () => fake.photoshop.imaging.getPixels({ layerID, targetSize: { width: 100 } }));
    expect([big.imageData.width, big.imageData.height, big.level]).toEqual([100, 75, 0]);
    expect(big.sourceBounds).toEqual({ left: 0, top: 0, right: 64, bottom: 48 });
    half.imageData.dispose();
    big.imageData.dispose();
  });

  it('trims to the pixels first, then scales the trimmed region, colour weighted by alpha', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake); // object (22, 16)–(42, 30), 1-px rim at alpha 128
    const got = await modal(fake, () =>
      fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Pasted object').id, sourceBounds: { left: 10, top: 10, right: 40, bottom: 40 }, targetSize: { width: 9 } }),
    );
    // Trimmed to (22, 16)–(40, 30), 18 × 14 → 9 × 7 at level 1, whose bounds are the trimmed ones halved and rounded outward.
    expect([got.imageData.width, got.imageData.height, got.level]).toEqual([9, 7, 1]);
    expect(got.sourceBounds).toEqual({ left: 11, top: 8, right: 20, bottom: 15 });
    const data = await got.imageData.getData();
    // Pixel (0, 0) averages (22…23, 16…17): three rim pixels (alpha 128) and one inside (255), alpha (3·128 + 255) / 4 = 159.75;
    // green 89, 92, 89, 92 weighted by those alphas = 58020 / 639 = 90.8.
    expect(Array.from(data.slice(0, 4))).toEqual([235, 91, 46, 160]);
    got.imageData.dispose();
  });

  it('scales the selection too', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake); // selection (20, 14)–(44, 32)
    const got = await modal(fake, () => fake.photoshop.imaging.getSelection({ documentID: doc.id, targetSize: { width: 6 } }));
    expect([got.imageData.width, got.imageData.height]).toEqual([6, 5]);
    expect(got.sourceBounds).toEqual({ left: 5, top: 3, right: 11, bottom: 8 });
    expect(Math.min(...(await got.imageData.getData()))).toBe(255);
    got.imageData.dispose();
  });
});

describe('fake photoshop: layer masks', () => {
  it('gives a user mask as one grey channel over the requested bounds, not trimmed by value', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { pasted: { mask: halfMask(OBJECT) } });
    const got = await modal(fake, () => fake.photoshop.imaging.getLayerMask({ layerID: fake.layer(doc, 'Pasted object').id, sourceBounds: { left: 28, top: 20, right: 36, bottom: 22 } }));
    expect(got.sourceBounds).toEqual({ left: 28, top: 20, right: 36, bottom: 22 });
    expect([got.imageData.width, got.imageData.height, got.imageData.components]).toEqual([8, 2, 1]);
    expect(Array.from((await got.imageData.getData()).slice(0, 8))).toEqual([255, 255, 255, 255, 0, 0, 0, 0]); // the middle is x = 32
    got.imageData.dispose();
  });

  it('scales a mask to a target size like pixels', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { pasted: { mask: halfMask(OBJECT) } });
    const got = await modal(fake, () =>
      fake.photoshop.imaging.getLayerMask({ layerID: fake.layer(doc, 'Pasted object').id, sourceBounds: { left: 28, top: 20, right: 36, bottom: 22 }, targetSize: { width: 4 } }),
    );
    // uxp-types.ts declares no `level` on getLayerMask's answer; the fake gives it as getPixels does.
    expect([got.imageData.width, got.imageData.height, (got as { level?: number }).level]).toEqual([4, 1, 1]);
    expect(got.sourceBounds).toEqual({ left: 14, top: 10, right: 18, bottom: 11 });
    expect(Array.from(await got.imageData.getData())).toEqual([255, 255, 0, 0]);
    got.imageData.dispose();
  });

  it('rejects for a layer without a mask, and for a vector mask, which the fake does not model', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { pasted: { mask: () => 1 } });
    const imaging = fake.photoshop.imaging;
    await expect(modal(fake, () => imaging.getLayerMask({ layerID: fake.layer(doc, 'Painting').id }))).rejects.toThrow(/no user mask/);
    await expect(modal(fake, () => imaging.getLayerMask({ layerID: fake.layer(doc, 'Pasted object').id, kind: 'vector' }))).rejects.toThrow(/no vector mask/);
  });
});

describe('fake photoshop: what the user sees', () => {
  const inside = { x: 25, y: 20 }; // left half of the object, not on its rim
  const hidden = { x: 35, y: 20 }; // right half

  it('applies the user mask in the composite, while getPixels gives the layer unmasked', async () => {
    const fake = createFakePhotoshop();
    const { doc, object } = addScene(fake, { pasted: { mask: halfMask(OBJECT) } });
    const at = (p: { x: number; y: number }) => Array.from(fake.composite(doc, { left: p.x, top: p.y, right: p.x + 1, bottom: p.y + 1 }));
    expect(at(hidden)).toEqual(fake.layer(doc, 'Painting').pixel(hidden.x, hidden.y));
    expect(at(inside)).toEqual(fake.layer(doc, 'Pasted object').pixel(inside.x, inside.y));
    const got = await modal(fake, () => fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Pasted object').id }));
    expect(got.sourceBounds).toEqual(object);
    const data = await got.imageData.getData();
    const p = ((hidden.y - object.top) * (object.right - object.left) + hidden.x - object.left) * 4;
    expect(Array.from(data.slice(p, p + 4))).toEqual(fake.layer(doc, 'Pasted object').pixel(hidden.x, hidden.y));
    got.imageData.dispose();
  });

  it('fades the layer by opacity × fill opacity', () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { pasted: { opacity: 50, fillOpacity: 50 } });
    const o = fake.layer(doc, 'Pasted object').pixel(inside.x, inside.y);
    const p = fake.layer(doc, 'Painting').pixel(inside.x, inside.y);
    const got = fake.composite(doc, { left: inside.x, top: inside.y, right: inside.x + 1, bottom: inside.y + 1 });
    for (let c = 0; c < 3; c++) expect(Math.abs(got[c] - (0.25 * o[c] + 0.75 * p[c]))).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(got[3]).toBe(255);
  });

  it('multiplies and screens with the blend modes, and refuses one it does not model', () => {
    const colours = (blendMode: string) => {
      const fake = createFakePhotoshop();
      const { doc } = addScene(fake, { pasted: { blendMode } });
      const o = fake.layer(doc, 'Pasted object').pixel(inside.x, inside.y);
      const p = fake.layer(doc, 'Painting').pixel(inside.x, inside.y);
      return { o, p, got: fake.composite(doc, { left: inside.x, top: inside.y, right: inside.x + 1, bottom: inside.y + 1 }) };
    };
    const m = colours('multiply');
    for (let c = 0; c < 3; c++) expect(Math.abs(m.got[c] - (m.o[c] * m.p[c]) / 255)).toBeLessThanOrEqual(0.5 + 1e-9);
    const s = colours('screen');
    for (let c = 0; c < 3; c++) expect(Math.abs(s.got[c] - (s.o[c] + s.p[c] - (s.o[c] * s.p[c]) / 255))).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(() => colours('overlay')).toThrow(/not model blend mode 'overlay'/);
  });

  it('reads a smart object like a pixel layer and refuses to put pixels into it', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { pasted: { smartObject: true } });
    const layer = fake.layer(doc, 'Pasted object');
    expect(layer.kind).toBe('smartObject');
    const got = await modal(fake, () => fake.photoshop.imaging.getPixels({ layerID: layer.id }));
    expect(got.sourceBounds).toEqual(OBJECT);
    await expect(modal(fake, () => fake.photoshop.imaging.putPixels({ layerID: layer.id, imageData: got.imageData }))).rejects.toThrow(/not a pixel layer/);
    got.imageData.dispose();
  });

  it('reports a locked layer as locked and refuses to put pixels into it or move it', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { pasted: { locked: true } });
    const layer = fake.layer(doc, 'Pasted object');
    expect([layer.allLocked, layer.pixelsLocked]).toEqual([true, true]);
    const img = await fake.photoshop.imaging.createImageDataFromBuffer(new Uint8Array(4), { width: 1, height: 1, components: 4, colorSpace: 'RGB' });
    await expect(modal(fake, () => fake.photoshop.imaging.putPixels({ layerID: layer.id, imageData: img }))).rejects.toThrow(/locked/);
    await expect(modal(fake, async () => layer.move(fake.layer(doc, 'Painting'), 'placeAfter'))).rejects.toThrow(/locked/);
    img.dispose();
  });

  it('reports a background layer as locked (all, not its pixels)', () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    const bg = fake.layer(doc, 'Painting');
    expect([bg.isBackgroundLayer, bg.allLocked, bg.pixelsLocked, bg.blendMode, bg.fillOpacity]).toEqual([true, true, false, 'normal', 100]);
  });
});
