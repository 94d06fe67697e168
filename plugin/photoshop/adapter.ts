// The only module that touches Photoshop (`photoshop`) and UXP (`uxp`). It implements
// PhotoshopHost: short modal reads and writes, every imaging object disposed, one history step
// for the result. Rules: Adobe's UXP reference for `core.executeAsModal`, `imaging` and the
// document and layer DOM; the panel's developer notes are in docs/panel.md.
import { PanelError } from '../errors.js';
import type { DocumentSummary, LayerPixels, LayerSummary, PhotoshopHost, PixelRead, ReadRequest, Rect, ResultLayerRequest, SelectionPixels } from './host.js';
import type { PhotoshopModule, PsBounds, PsDocument, PsExecutionContext, PsImageData, PsLayer, UxpModule } from './uxp-types.js';

const TOKEN_KEY = 'painterly.pairingToken';

/** Photoshop events after which the panel re-reads the document (layers, selection, undo). */
const CHANGE_EVENTS = ['select', 'make', 'delete', 'set', 'open', 'close', 'move', 'show', 'hide', 'paste', 'duplicate'];

export interface HostModules {
  photoshop: PhotoshopModule;
  uxp: UxpModule;
}

/** UXP hands out its host modules through `require`; the bundle keeps these two external. */
function loadModules(): HostModules {
  return { photoshop: require('photoshop') as PhotoshopModule, uxp: require('uxp') as UxpModule };
}

export function createPhotoshopHost(modules: HostModules = loadModules()): PhotoshopHost {
  const ps = modules.photoshop;
  const { imaging, constants } = ps;
  const storage = modules.uxp.storage.secureStorage;

  const modeNames = new Map<string, string>([
    [constants.DocumentMode.RGB, 'RGB'],
    [constants.DocumentMode.CMYK, 'CMYK'],
    [constants.DocumentMode.LAB, 'Lab'],
    [constants.DocumentMode.GRAYSCALE, 'Grayscale'],
    [constants.DocumentMode.INDEXEDCOLOR, 'Indexed Color'],
    [constants.DocumentMode.BITMAP, 'Bitmap'],
    [constants.DocumentMode.DUOTONE, 'Duotone'],
    [constants.DocumentMode.MULTICHANNEL, 'Multichannel'],
  ]);
  const bitDepths = new Map<string, number>([
    [constants.BitsPerChannelType.ONE, 1],
    [constants.BitsPerChannelType.EIGHT, 8],
    [constants.BitsPerChannelType.SIXTEEN, 16],
    [constants.BitsPerChannelType.THIRTYTWO, 32],
  ]);

  function refusalOf(mode: string, bits: number): string | undefined {
    if (mode !== 'RGB') return `This document is in ${mode} mode. Painterly works on RGB documents: convert a copy with Image › Mode › RGB Color.`;
    if (bits !== 8 && bits !== 16) return `This document has ${bits} bits per channel. Painterly works on 8- and 16-bit documents: convert a copy with Image › Mode › 16 Bits/Channel.`;
    return undefined;
  }

  function flatten(layers: readonly PsLayer[] | null | undefined, depth: number, out: LayerSummary[]): LayerSummary[] {
    for (const l of layers ?? []) {
      out.push({ id: l.id, name: l.name, kind: l.kind, visible: l.visible, isBackground: l.isBackgroundLayer, depth });
      if (l.layers) flatten(l.layers, depth + 1, out);
    }
    return out;
  }

  function findLayer(layers: readonly PsLayer[] | null | undefined, id: number): PsLayer | undefined {
    for (const l of layers ?? []) {
      if (l.id === id) return l;
      const inner = findLayer(l.layers, id);
      if (inner) return inner;
    }
    return undefined;
  }

  function activeDocumentOrNull(): PsDocument | null {
    try {
      return ps.app.activeDocument ?? null;
    } catch {
      return null; // some Photoshop versions throw instead of returning null when nothing is open
    }
  }

  function documentById(id: number): PsDocument {
    const docs = ps.app.documents;
    for (let i = 0; i < docs.length; i++) if (docs[i].id === id) return docs[i];
    throw new PanelError('DOCUMENT_CHANGED', 'The document was closed while Painterly worked; nothing was written.');
  }

  function depthOf(doc: PsDocument): 8 | 16 {
    const mode = modeNames.get(doc.mode) ?? doc.mode;
    const bits = bitDepths.get(doc.bitsPerChannel) ?? 0;
    const refusal = refusalOf(mode, bits);
    if (refusal) throw new PanelError('UNSUPPORTED_DOCUMENT', refusal);
    return bits as 8 | 16;
  }

  /** executeAsModal with Photoshop's failures turned into panel errors. */
  async function modal<T>(commandName: string, fn: (ctx: PsExecutionContext) => Promise<T>): Promise<T> {
    try {
      return await ps.core.executeAsModal(fn, { commandName });
    } catch (e) {
      if (e instanceof PanelError) throw e;
      if ((e as { number?: number })?.number === 9) throw new PanelError('PHOTOSHOP_BUSY');
      throw new PanelError('PHOTOSHOP_FAILED', `Photoshop refused “${commandName}”: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  const toRect = (b: PsBounds): Rect => ({ left: b.left, top: b.top, right: b.right, bottom: b.bottom });

  /** Reads an imaging result's samples in the full 16-bit range and always disposes it. */
  async function takeData(imageData: PsImageData): Promise<Uint8Array | Uint16Array> {
    try {
      const data = await imageData.getData({ chunky: true, fullRange: true });
      if (!(data instanceof Uint8Array) && !(data instanceof Uint16Array)) throw new PanelError('UNSUPPORTED_DOCUMENT', 'Photoshop returned 32-bit pixels; Painterly works on 8- and 16-bit documents.');
      return data;
    } finally {
      imageData.dispose();
    }
  }

  async function readLayer(doc: PsDocument, layerId: number, bits: 8 | 16): Promise<LayerPixels> {
    const layer = findLayer(doc.layers, layerId);
    if (!layer) throw new PanelError('LAYER_MISSING', 'A layer the job needs was deleted: choose the layers again.');
    const b = layer.boundsNoEffects;
    if (b.right <= b.left || b.bottom <= b.top) return { layerId, rect: toRect(b), components: 4, data: new Uint8Array(0) };
    const got = await imaging.getPixels({ documentID: doc.id, layerID: layerId, componentSize: bits, colorSpace: 'RGB' });
    const { components, width, height } = got.imageData;
    const data = await takeData(got.imageData);
    if ((components !== 3 && components !== 4) || data.length !== width * height * components) {
      throw new PanelError('PHOTOSHOP_FAILED', `Photoshop returned ${components}-component pixels for layer “${layer.name}”; expected RGB or RGBA.`);
    }
    // Trimmed to where the layer has pixels: the returned bounds, not the request, place them.
    return { layerId, rect: toRect(got.sourceBounds), components, data };
  }

  async function readSelection(doc: PsDocument): Promise<SelectionPixels | undefined> {
    if (!doc.selection.bounds) return undefined;
    const got = await imaging.getSelection({ documentID: doc.id });
    return { rect: toRect(got.sourceBounds), data: await takeData(got.imageData) };
  }

  return {
    async activeDocument(): Promise<DocumentSummary | undefined> {
      const doc = activeDocumentOrNull();
      if (!doc) return undefined;
      const mode = modeNames.get(doc.mode) ?? doc.mode;
      const bits = bitDepths.get(doc.bitsPerChannel) ?? 0;
      const refusal = refusalOf(mode, bits);
      return {
        id: doc.id,
        title: doc.title,
        width: doc.width,
        height: doc.height,
        bits,
        mode,
        layers: flatten(doc.layers, 0, []),
        activeLayerIds: doc.activeLayers.map((l) => l.id),
        hasSelection: doc.selection?.bounds != null,
        ...(refusal ? { refusal } : {}),
      };
    },

    async readPixels(req: ReadRequest): Promise<PixelRead> {
      // Only the imaging calls run inside the modal scope; conversions happen after it is released.
      return modal('Painterly: read layers', async () => {
        const doc = documentById(req.documentId);
        const bits = depthOf(doc);
        const layers: LayerPixels[] = [];
        for (const id of req.layerIds) layers.push(await readLayer(doc, id, bits));
        const selection = req.selection ? await readSelection(doc) : undefined;
        return { documentId: doc.id, width: doc.width, height: doc.height, bits, layers, ...(selection ? { selection } : {}) };
      });
    },

    async addResultLayer(req: ResultLayerRequest): Promise<number> {
      return modal('Painterly: add result layer', async (ctx) => {
        const doc = documentById(req.documentId);
        const above = findLayer(doc.layers, req.aboveLayerId);
        if (!above) throw new PanelError('DOCUMENT_CHANGED', 'The pasted layer was deleted while Painterly worked; nothing was written.');
        if (depthOf(doc) !== req.bits) throw new PanelError('DOCUMENT_CHANGED', 'The document’s bit depth changed while Painterly worked; nothing was written.');
        const width = req.rect.right - req.rect.left;
        const height = req.rect.bottom - req.rect.top;
        // Everything below is one history step; a failure rolls it all back.
        const suspension = await ctx.hostControl.suspendHistory({ documentID: doc.id, name: req.historyName });
        let committed = false;
        try {
          const layer = await doc.createPixelLayer({ name: req.layerName });
          if (!layer) throw new PanelError('PHOTOSHOP_FAILED', 'Photoshop did not create the result layer.');
          await layer.move(above, constants.ElementPlacement.PLACEBEFORE);
          const imageData = await imaging.createImageDataFromBuffer(req.rgba, { width, height, components: 4, colorSpace: 'RGB', chunky: true, fullRange: req.bits === 16 });
          try {
            await imaging.putPixels({ documentID: doc.id, layerID: layer.id, imageData, replace: true, targetBounds: { left: req.rect.left, top: req.rect.top } });
          } finally {
            imageData.dispose();
          }
          await ctx.hostControl.resumeHistory(suspension, true);
          committed = true;
          return layer.id;
        } finally {
          if (!committed) await ctx.hostControl.resumeHistory(suspension, false).catch(() => {});
        }
      });
    },

    async setLayerVisible(documentId: number, layerId: number, visible: boolean): Promise<void> {
      await modal(visible ? 'Painterly: show result' : 'Painterly: hide result', async () => {
        const layer = findLayer(documentById(documentId).layers, layerId);
        if (!layer) throw new PanelError('LAYER_MISSING', 'The result layer is gone.');
        layer.visible = visible;
      });
    },

    async previewUrl(rgb: Uint8Array, width: number, height: number): Promise<string> {
      const imageData = await imaging.createImageDataFromBuffer(rgb, { width, height, components: 3, colorSpace: 'RGB', chunky: true });
      try {
        const encoded = await imaging.encodeImageData({ imageData, base64: true });
        return `data:image/jpeg;base64,${typeof encoded === 'string' ? encoded : bytesToBase64(encoded)}`;
      } finally {
        imageData.dispose();
      }
    },

    async loadToken(): Promise<string | undefined> {
      let bytes: Uint8Array | null | undefined;
      try {
        bytes = await storage.getItem(TOKEN_KEY);
      } catch {
        return undefined; // secure storage may be lost (see its caveats): the user pairs again
      }
      if (!bytes || bytes.length === 0) return undefined;
      const token = String.fromCharCode(...bytes).trim();
      return token || undefined;
    },

    async saveToken(token: string): Promise<void> {
      await storage.setItem(TOKEN_KEY, token);
    },

    onDocumentChange(listener: () => void): () => void {
      const action = ps.action;
      if (!action) return () => {};
      const handler = () => listener();
      void Promise.resolve(action.addNotificationListener(CHANGE_EVENTS, handler)).catch(() => {});
      return () => void Promise.resolve(action.removeNotificationListener(CHANGE_EVENTS, handler)).catch(() => {});
    },
  };
}

function bytesToBase64(bytes: number[]): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += chars[(n >> 18) & 63] + chars[(n >> 12) & 63] + (i + 1 < bytes.length ? chars[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? chars[n & 63] : '=');
  }
  return out;
}
