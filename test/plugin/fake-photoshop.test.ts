// The fake must hold the adapter to Photoshop's rules; these tests pin the rules themselves.
import { describe, expect, it } from 'vitest';
import { createFakePhotoshop, ModalRuleError } from './fake-photoshop.js';
import { addScene } from './support/scene.js';

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
