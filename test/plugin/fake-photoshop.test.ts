// The fake must hold the adapter to Photoshop's rules; these tests pin the rules themselves.
import { describe, expect, it } from 'vitest';
import type { PsExecutionContext } from '../../plugin/photoshop/uxp-types.js';
import { createFakePhotoshop, ModalRuleError, type FakePhotoshop } from './fake-photoshop.js';
import { addScene, addSecondDocument, bigScene } from './support/scene.js';

/** Runs `fn` in a modal scope of `fake`. */
const modal = <T>(fake: FakePhotoshop, fn: (ctx: PsExecutionContext) => Promise<T>) => fake.photoshop.core.executeAsModal(fn, { commandName: 'test' });

describe('fake photoshop: the modal rule', () => {
  it('refuses document changes outside executeAsModal', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    await expect(doc.createPixelLayer({ name: 'x' })).rejects.toBeInstanceOf(ModalRuleError);
    expect(() => (fake.layer(doc, 'Pasted object').visible = false)).toThrow(ModalRuleError);
    await expect(fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Painting').id })).rejects.toBeInstanceOf(ModalRuleError);
  });

  it('requires a commandName and rejects a second modal scope with error number 9', async () => {
    const fake = createFakePhotoshop();
    const core = fake.photoshop.core;
    await expect(core.executeAsModal(async () => 1, { commandName: '' })).rejects.toThrow(/commandName/);
    let inner: unknown;
    await core.executeAsModal(async () => {
      inner = await core.executeAsModal(async () => 2, { commandName: 'inner' }).catch((e) => e);
    }, { commandName: 'outer' });
    expect((inner as { number: number }).number).toBe(9);
    fake.blockModal(true);
    await expect(core.executeAsModal(async () => 3, { commandName: 'x' })).rejects.toMatchObject({ number: 9 });
  });

  it('waits up to timeOut for another modal scope to end, as Photoshop 25.10 does', async () => {
    const fake = createFakePhotoshop();
    fake.blockModal(true);
    setTimeout(() => fake.blockModal(false), 30);
    await expect(fake.photoshop.core.executeAsModal(async () => 'ran', { commandName: 'x', timeOut: 1000 })).resolves.toBe('ran');
    fake.blockModal(true);
    await expect(fake.photoshop.core.executeAsModal(async () => 'ran', { commandName: 'x', timeOut: 50 })).rejects.toMatchObject({ number: 9 });
  });
});

describe('fake photoshop: history', () => {
  it('records one state per change, and one for a whole suspended scope', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    const before = doc.historyStates.length;
    await fake.photoshop.core.executeAsModal(async () => {
      await doc.createPixelLayer({ name: 'a' });
      fake.layer(doc, 'a').visible = false;
    }, { commandName: 'two steps' });
    expect(doc.historyStates.length).toBe(before + 2);
    await fake.photoshop.core.executeAsModal(async (ctx) => {
      const id = await ctx.hostControl.suspendHistory({ documentID: doc.id, name: 'Grouped' });
      await doc.createPixelLayer({ name: 'b' });
      fake.layer(doc, 'b').visible = false;
      await ctx.hostControl.resumeHistory(id, true);
    }, { commandName: 'grouped' });
    expect(doc.historyStates.map((s) => s.name).slice(before)).toEqual(['New Layer', 'Hide Layer', 'Grouped']);
  });

  it('rolls a suspended scope back when it throws', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    const before = { layers: doc.allLayers().map((l) => l.id), history: doc.historyStates.length, active: [...doc.activeIds] };
    await expect(
      fake.photoshop.core.executeAsModal(async (ctx) => {
        await ctx.hostControl.suspendHistory({ documentID: doc.id, name: 'Doomed' });
        await doc.createPixelLayer({ name: 'temp' });
        throw new Error('boom');
      }, { commandName: 'doomed' }),
    ).rejects.toThrow('boom');
    expect(doc.allLayers().map((l) => l.id)).toEqual(before.layers);
    expect(doc.historyStates.length).toBe(before.history);
    expect(doc.activeIds).toEqual(before.active);
  });
});

describe('fake photoshop: imaging', () => {
  it('trims getPixels to the pixels that exist and reports where they are', async () => {
    const fake = createFakePhotoshop();
    const { doc, object } = addScene(fake);
    const got = await fake.photoshop.core.executeAsModal(
      () => fake.photoshop.imaging.getPixels({ documentID: doc.id, layerID: fake.layer(doc, 'Pasted object').id }),
      { commandName: 'read' },
    );
    expect(got.sourceBounds).toEqual(object);
    expect(got.imageData.width).toBe(object.right - object.left);
    expect(got.imageData.components).toBe(4);
    got.imageData.dispose();
  });

  it('gives the background layer without alpha', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    const got = await fake.photoshop.core.executeAsModal(() => fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Painting').id }), { commandName: 'read' });
    expect(got.imageData.components).toBe(3);
    expect(got.sourceBounds).toEqual({ left: 0, top: 0, right: doc.width, bottom: doc.height });
    got.imageData.dispose();
  });

  it('returns 16-bit data in 0..32768, or 0..65535 with fullRange', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { bits: 16 });
    const got = await fake.photoshop.core.executeAsModal(() => fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Painting').id }), { commandName: 'read' });
    const native = (await got.imageData.getData()) as Uint16Array;
    const full = (await got.imageData.getData({ fullRange: true })) as Uint16Array;
    expect(Math.max(...native)).toBe(32768);
    expect(Math.max(...full)).toBe(65535);
    expect(full[5]).toBe(Math.round((native[5] * 65535) / 32768));
    got.imageData.dispose();
  });

  it('tracks image data until it is disposed and refuses it afterwards', async () => {
    const fake = createFakePhotoshop();
    const img = await fake.photoshop.imaging.createImageDataFromBuffer(new Uint8Array(12), { width: 2, height: 2, components: 3, colorSpace: 'RGB' });
    expect(fake.liveImageData()).toBe(1);
    img.dispose();
    expect(fake.liveImageData()).toBe(0);
    await expect(img.getData()).rejects.toThrow(/disposed/);
  });

  it('refuses a buffer whose length does not match its size', async () => {
    const fake = createFakePhotoshop();
    await expect(fake.photoshop.imaging.createImageDataFromBuffer(new Uint8Array(11), { width: 2, height: 2, components: 3, colorSpace: 'RGB' })).rejects.toThrow(/needs 12/);
  });

  it('reports no selection as null bounds and refuses getSelection then', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake, { selection: null });
    expect(doc.selection.bounds).toBeNull();
    await expect(fake.photoshop.core.executeAsModal(() => fake.photoshop.imaging.getSelection({ documentID: doc.id }), { commandName: 'sel' })).rejects.toThrow(/no selection/);
  });
});

describe('fake photoshop: copy-on-write history', () => {
  it('restores the pixels put by putPixels when the suspension rolls back, and a snapshot copies no pixels', async () => {
    const fake = createFakePhotoshop();
    const { doc, object } = addScene(fake);
    const layer = fake.layer(doc, 'Pasted object');
    const before = { raster: layer.raster, pixel: layer.pixel(30, 20), bounds: layer.bounds };
    expect(doc.snapshot().tree[0].raster).toBe(layer.raster); // a reference, not a copy
    const red = await fake.photoshop.imaging.createImageDataFromBuffer(new Uint8Array([255, 0, 0, 255]), { width: 1, height: 1, components: 4, colorSpace: 'RGB' });
    await expect(
      modal(fake, async (ctx) => {
        await ctx.hostControl.suspendHistory({ documentID: doc.id, name: 'Doomed' });
        await fake.photoshop.imaging.putPixels({ layerID: layer.id, imageData: red, targetBounds: { left: 30, top: 20 } });
        expect(layer.pixel(30, 20)).toEqual([255, 0, 0, 255]);
        expect(layer.bounds).toMatchObject({ left: 30, top: 20, right: 31, bottom: 21 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(layer.raster).toBe(before.raster);
    expect(layer.pixel(30, 20)).toEqual(before.pixel);
    expect(layer.bounds).toMatchObject(object);
    red.dispose();
  });
});

describe('fake photoshop: documents', () => {
  it('refuses createPixelLayer on a document that is not the active one', async () => {
    const fake = createFakePhotoshop();
    const first = addScene(fake).doc;
    addSecondDocument(fake); // opening it makes it the active one
    await expect(modal(fake, () => first.createPixelLayer({ name: 'Result' }))).rejects.toThrow(/new layers in the active document/);
    expect(first.layers.map((l) => l.name)).toEqual(['Pasted object', 'Painting']);
  });

  it('makes the layer once the scope has made its document the active one', async () => {
    const fake = createFakePhotoshop();
    const first = addScene(fake).doc;
    const second = addSecondDocument(fake).doc;
    await modal(fake, async () => {
      fake.photoshop.app.activeDocument = first;
      await first.createPixelLayer({ name: 'Result' });
    });
    expect(fake.photoshop.app.activeDocument).toBe(first);
    expect(first.layers.map((l) => l.name)).toEqual(['Result', 'Pasted object', 'Painting']);
    expect(second.layers).toHaveLength(2);
  });

  it('refuses to switch the active document outside a modal scope; the user switches with activateDocument', () => {
    const fake = createFakePhotoshop();
    const first = addScene(fake).doc;
    const second = addSecondDocument(fake).doc;
    expect(() => (fake.photoshop.app.activeDocument = first)).toThrow(ModalRuleError);
    expect(fake.photoshop.app.activeDocument).toBe(second);
    fake.activateDocument(first);
    expect(fake.photoshop.app.activeDocument).toBe(first);
  });
});

describe('fake photoshop: Esc', () => {
  it('cancels the scope: isCancelled turns true, the next call rejects, and the suspension rolls back', async () => {
    const fake = createFakePhotoshop();
    const { doc } = addScene(fake);
    const before = { ids: doc.allLayers().map((l) => l.id), history: doc.historyStates.length };
    let cancelled: boolean[] = [];
    await expect(
      modal(fake, async (ctx) => {
        await ctx.hostControl.suspendHistory({ documentID: doc.id, name: 'Harmonize' });
        await doc.createPixelLayer({ name: 'Result' });
        cancelled = [ctx.isCancelled];
        expect(fake.pressEscape()).toBe(true);
        cancelled.push(ctx.isCancelled);
        await fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Painting').id });
      }),
    ).rejects.toThrow('User cancelled the operation');
    expect(cancelled).toEqual([false, true]);
    expect(doc.allLayers().map((l) => l.id)).toEqual(before.ids);
    expect(doc.historyStates.length).toBe(before.history);
    expect(fake.modalActive()).toBe(false);
    expect(fake.pressEscape()).toBe(false);
  });

  it('stops a long call at its next slice', async () => {
    const fake = createFakePhotoshop({ sliceMs: 0 });
    const { doc } = addScene(fake);
    await expect(
      modal(fake, async () => {
        const read = fake.photoshop.imaging.getPixels({ layerID: fake.layer(doc, 'Painting').id });
        fake.pressEscape();
        await read;
      }),
    ).rejects.toThrow('User cancelled the operation');
  });
});

describe('fake photoshop: large documents', () => {
  /** A 1500 × 1200 painting from rows (fast to build). */
  const largeDoc = (fake: FakePhotoshop) =>
    fake.addDocument({
      width: 1500,
      height: 1200,
      layers: [{ name: 'Painting', background: true, fillRows: (y, row) => row.forEach((_, i) => (row[i] = i % 4 === 3 ? 1 : ((i * 7 + y) % 256) / 255)) }],
    });

  it('gives the thread back while a long getPixels works', async () => {
    const fake = createFakePhotoshop();
    const doc = largeDoc(fake);
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    // The composite of 1.8 Mpx takes the fake well over one 10 ms slice.
    const got = await modal(fake, () => fake.photoshop.imaging.getPixels({ documentID: doc.id }));
    clearInterval(timer);
    expect(turns).toBeGreaterThan(0); // timers ran before the call answered: it did not hold the thread in one task
    expect(fake.slicing().yields).toBeGreaterThan(0);
    expect([got.imageData.width, got.imageData.height]).toEqual([1500, 1200]);
    got.imageData.dispose();
  });

  it('builds the bench scene quickly, storing the pasted object and the selection over their bounds only', () => {
    const fake = createFakePhotoshop();
    const started = Date.now();
    const { doc, object, selection } = bigScene(fake);
    expect(Date.now() - started).toBeLessThan(5000);
    expect([doc.width, doc.height, doc.bitsPerChannel]).toEqual([8000, 6000, 'bitDepth16']);
    expect(fake.layer(doc, 'Pasted object').bounds).toMatchObject(object);
    expect(doc.selection.bounds).toEqual(selection);
    expect(fake.layer(doc, 'Pasted object').pixel(object.left, object.top)[3]).toBe(16384); // the soft rim
    // 2000 × 2000 RGBA and 2032 × 2032 grey, 16-bit: the painting is procedural.
    expect(fake.storedBytes()).toBe(2000 * 2000 * 4 * 2 + 2032 * 2032 * 2);
  });
});
