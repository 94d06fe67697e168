// The adapter against the fake `photoshop` module: what it reads, what it writes, and that it
// keeps Photoshop's rules (short modal scopes, one history step, every image disposed).
import { describe, expect, it } from 'vitest';
import { PanelError } from '../../../plugin/errors.js';
import { createPhotoshopHost } from '../../../plugin/photoshop/adapter.js';
import { createFakePhotoshop, nativeMax } from '../fake-photoshop.js';
import { addScene, objectColour, paintingColour } from '../support/scene.js';

function setUp(opts: Parameters<typeof addScene>[1] = {}) {
  const fake = createFakePhotoshop();
  const scene = addScene(fake, opts);
  const host = createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp });
  return { fake, host, ...scene };
}

describe('activeDocument', () => {
  it('summarises layers topmost first, the active layer and the selection', async () => {
    const { host, doc, fake } = setUp();
    const s = await host.activeDocument();
    expect(s).toMatchObject({ id: doc.id, width: 64, height: 48, bits: 8, mode: 'RGB', hasSelection: true });
    expect(s!.layers.map((l) => [l.name, l.kind, l.isBackground])).toEqual([
      ['Pasted object', 'pixel', false],
      ['Painting', 'pixel', true],
    ]);
    expect(s!.activeLayerIds).toEqual([fake.layer(doc, 'Pasted object').id]);
    expect(s!.refusal).toBeUndefined();
  });

  it('is undefined when no document is open', async () => {
    const fake = createFakePhotoshop();
    expect(await createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }).activeDocument()).toBeUndefined();
  });

  it.each([
    ['CMYK', 8, /CMYK mode.*RGB Color/],
    ['Lab', 8, /Lab mode/],
    ['Indexed', 8, /Indexed Color mode/],
    ['RGB', 32, /32 bits per channel.*16 Bits\/Channel/],
  ] as const)('refuses a %s %i-bit document in plain words', async (mode, bits, sentence) => {
    const fake = createFakePhotoshop();
    fake.addDocument({ width: 8, height: 8, mode, bits, layers: [{ name: 'Background', background: true }] });
    const host = createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp });
    expect((await host.activeDocument())!.refusal).toMatch(sentence);
    const id = (await host.activeDocument())!.id;
    await expect(host.readPixels({ documentId: id, layerIds: [], selection: false })).rejects.toMatchObject({ code: 'UNSUPPORTED_DOCUMENT' });
  });
});

describe('readPixels', () => {
  it('returns each layer with the trimmed bounds Photoshop placed it by, in one short modal scope', async () => {
    const { host, fake, doc, object } = setUp();
    const pasted = fake.layer(doc, 'Pasted object').id;
    const painting = fake.layer(doc, 'Painting').id;
    const read = await host.readPixels({ documentId: doc.id, layerIds: [pasted, painting], selection: true });
    expect(read).toMatchObject({ documentId: doc.id, width: 64, height: 48, bits: 8 });
    const [obj, paint] = read.layers;
    expect(obj.rect).toEqual(object);
    expect(obj.components).toBe(4);
    expect(paint.components).toBe(3);
    // A pixel in the object's rim: (left, top), alpha one half.
    expect(Array.from(obj.data.slice(0, 4))).toEqual(objectColour(object)(object.left, object.top)!.map((v) => Math.round(v * 255)));
    expect(Array.from(paint.data.slice(((5 * 64) + 9) * 3, ((5 * 64) + 9) * 3 + 3))).toEqual(paintingColour(9, 5).slice(0, 3).map((v) => Math.round(v * 255)));
    expect(read.selection!.rect).toEqual({ left: object.left - 2, top: object.top - 2, right: object.right + 2, bottom: object.bottom + 2 });
    expect(Math.max(...read.selection!.data)).toBe(255);
    expect(fake.modalLog.map((m) => m.commandName)).toEqual(['Painterly: read layers']);
    expect(fake.modalActive()).toBe(false);
    expect(fake.liveImageData()).toBe(0);
  });

  it('reads 16-bit documents in the full 0..65535 range', async () => {
    const { host, fake, doc } = setUp({ bits: 16 });
    const read = await host.readPixels({ documentId: doc.id, layerIds: [fake.layer(doc, 'Painting').id], selection: true });
    expect(read.bits).toBe(16);
    expect(read.layers[0].data).toBeInstanceOf(Uint16Array);
    const native = fake.layer(doc, 'Painting').data!;
    expect(read.layers[0].data[3]).toBe(Math.round((native[4] * 65535) / nativeMax(16)));
    expect(Math.max(...read.selection!.data)).toBe(65535);
  });

  it('leaves out the selection when there is none, and reads an empty layer without asking Photoshop for pixels', async () => {
    const { host, fake, doc } = setUp({ selection: null });
    await fake.photoshop.core.executeAsModal(async () => void (await doc.createPixelLayer({ name: 'Empty' })), { commandName: 'setup' });
    const read = await host.readPixels({ documentId: doc.id, layerIds: [fake.layer(doc, 'Empty').id], selection: true });
    expect(read.selection).toBeUndefined();
    expect(read.layers[0].rect.right - read.layers[0].rect.left).toBe(0);
  });

  it('does not change the document', async () => {
    const { host, fake, doc } = setUp();
    const before = { history: doc.historyStates.length, composite: fake.composite(doc) };
    await host.readPixels({ documentId: doc.id, layerIds: doc.allLayers().map((l) => l.id), selection: true });
    expect(doc.historyStates.length).toBe(before.history);
    expect(fake.composite(doc)).toEqual(before.composite);
  });

  it('says Photoshop is busy when another modal scope holds it', async () => {
    const { host, fake, doc } = setUp();
    fake.blockModal(true);
    await expect(host.readPixels({ documentId: doc.id, layerIds: [], selection: true })).rejects.toMatchObject({ code: 'PHOTOSHOP_BUSY' });
  });
});

describe('addResultLayer', () => {
  const rect = { left: 20, top: 14, right: 44, bottom: 32 };
  const rgba8 = () => {
    const data = new Uint8Array(24 * 18 * 4);
    for (let p = 0; p < 24 * 18; p++) data.set([10, 200, 30, p === 5 ? 0 : 255], p * 4);
    return data;
  };

  it('adds the layer directly above the pasted one, with the pixels at the rect, as one history step', async () => {
    const { host, fake, doc } = setUp();
    fake.setActiveLayer(doc, 'Painting'); // Photoshop creates new layers above the active one: the adapter must move it
    const pasted = fake.layer(doc, 'Pasted object');
    const before = doc.historyStates.length;
    const id = await host.addResultLayer({ documentId: doc.id, aboveLayerId: pasted.id, layerName: 'Harmonized', historyName: 'Harmonize', rect, bits: 8, rgba: rgba8() });
    expect(doc.layers.map((l) => l.name)).toEqual(['Harmonized', 'Pasted object', 'Painting']);
    const layer = doc.find(id)!;
    expect(layer.bounds).toMatchObject(rect);
    const p = (rect.top * 64 + rect.left + 1) * 4;
    expect(Array.from(layer.data!.slice(p, p + 4))).toEqual([10, 200, 30, 255]);
    expect(doc.historyStates.slice(before).map((s) => s.name)).toEqual(['Harmonize']);
    expect(fake.liveImageData()).toBe(0);
    expect(fake.modalActive()).toBe(false);
  });

  it('writes 16-bit pixels from the full range', async () => {
    const { host, fake, doc } = setUp({ bits: 16 });
    const data = new Uint16Array(24 * 18 * 4).fill(65535);
    data[0] = 32768;
    const id = await host.addResultLayer({ documentId: doc.id, aboveLayerId: fake.layer(doc, 'Pasted object').id, layerName: 'Harmonized', historyName: 'Harmonize', rect, bits: 16, rgba: data });
    const layer = doc.find(id)!;
    const p = (rect.top * 64 + rect.left) * 4;
    expect(layer.data![p]).toBe(16384);
    expect(layer.data![p + 3]).toBe(32768);
  });

  it('rolls everything back when Photoshop refuses the pixels', async () => {
    const { host, fake, doc } = setUp();
    const before = { ids: doc.allLayers().map((l) => l.id), history: doc.historyStates.length };
    const bad = new Uint8Array(7);
    await expect(
      host.addResultLayer({ documentId: doc.id, aboveLayerId: fake.layer(doc, 'Pasted object').id, layerName: 'Harmonized', historyName: 'Harmonize', rect, bits: 8, rgba: bad }),
    ).rejects.toBeInstanceOf(PanelError);
    expect(doc.allLayers().map((l) => l.id)).toEqual(before.ids);
    expect(doc.historyStates.length).toBe(before.history);
    expect(fake.liveImageData()).toBe(0);
  });

  it('writes nothing when the document was closed or the pasted layer deleted meanwhile', async () => {
    const { host, fake, doc } = setUp();
    const req = { documentId: doc.id, aboveLayerId: 999_999, layerName: 'Harmonized', historyName: 'Harmonize', rect, bits: 8 as const, rgba: rgba8() };
    await expect(host.addResultLayer(req)).rejects.toMatchObject({ code: 'DOCUMENT_CHANGED' });
    expect(doc.layers.length).toBe(2);
    fake.closeDocument(doc);
    await expect(host.addResultLayer({ ...req, aboveLayerId: fake.layer(doc, 'Pasted object').id })).rejects.toMatchObject({ code: 'DOCUMENT_CHANGED' });
  });
});

describe('the rest of the host', () => {
  it('shows and hides a layer inside a modal scope', async () => {
    const { host, fake, doc } = setUp();
    const layer = fake.layer(doc, 'Pasted object');
    await host.setLayerVisible(doc.id, layer.id, false);
    expect(layer.visible).toBe(false);
    expect(doc.historyStates.at(-1)!.name).toBe('Hide Layer');
    await host.setLayerVisible(doc.id, layer.id, true);
    expect(layer.visible).toBe(true);
  });

  it('encodes a preview as an image data URL and disposes what it made', async () => {
    const { host, fake } = setUp();
    const url = await host.previewUrl(new Uint8Array(4 * 3 * 3).fill(128), 4, 3);
    expect(url).toMatch(/^data:image\/jpeg;base64,Qk/); // the fake's BMP ('BM')
    expect(fake.liveImageData()).toBe(0);
  });

  it('keeps the pairing token in secure storage', async () => {
    const { host, fake } = setUp();
    expect(await host.loadToken()).toBeUndefined();
    await host.saveToken('ab'.repeat(32));
    expect(await host.loadToken()).toBe('ab'.repeat(32));
    expect(fake.secrets.size).toBe(1);
  });

  it('reports document changes until unsubscribed', async () => {
    const { host, fake, doc } = setUp();
    let calls = 0;
    const stop = host.onDocumentChange(() => calls++);
    await new Promise((r) => setTimeout(r, 0));
    fake.setActiveLayer(doc, 'Painting');
    await new Promise((r) => setTimeout(r, 5));
    expect(calls).toBe(1);
    stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.listenerCount()).toBe(0);
  });
});
