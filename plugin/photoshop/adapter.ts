// The only module that touches Photoshop (`photoshop`) and UXP (`uxp`). It implements
// PhotoshopHost: short modal reads and writes, every imaging object disposed, one history step
// for the result. Rules: Adobe's UXP reference for `core.executeAsModal`, `imaging` and the
// document and layer DOM; the panel's developer notes are in docs/panel.md.
import { PainterlyError } from '../../shared/errors.js';
import { PanelError } from '../errors.js';
import type { DocumentSummary, LayerPixels, LayerSummary, PhotoshopHost, PixelRead, ReadRequest, Rect, RegionPixels, RegionRequest, ResultLayerRequest, SelectionPixels } from './host.js';
import type { PhotoshopModule, PsBounds, PsDocument, PsExecutionContext, PsImageData, PsLayer, UxpModule } from './uxp-types.js';

const TOKEN_KEY = 'painterly.pairingToken';
const PREFERENCE_PREFIX = 'painterly.';
/** How long executeAsModal waits for another plugin's modal scope to end before giving up (Photoshop 25.10+; older ignore it). */
const MODAL_WAIT_MS = 3000;

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
      out.push({
        id: l.id, name: l.name, kind: l.kind, visible: l.visible, isBackground: l.isBackgroundLayer, depth,
        opacity: l.opacity ?? 100, fillOpacity: l.fillOpacity ?? 100, blendMode: l.blendMode ?? constants.BlendMode.NORMAL,
        locked: Boolean(l.allLocked || l.pixelsLocked || l.isBackgroundLayer),
        bounds: toRect(l.boundsNoEffects),
      });
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

  /**
   * executeAsModal with Photoshop's failures turned into panel errors. Esc ends a scope with an
   * exception at the next Photoshop call and `isCancelled` set: that is the user cancelling.
   */
  async function modal<T>(commandName: string, fn: (ctx: PsExecutionContext) => Promise<T>): Promise<T> {
    let context: PsExecutionContext | undefined;
    try {
      return await ps.core.executeAsModal((ctx) => fn((context = ctx)), { commandName, timeOut: MODAL_WAIT_MS });
    } catch (e) {
      if (context?.isCancelled) throw new PainterlyError('CANCELLED', 'Cancelled in Photoshop (Esc); nothing was changed.');
      if (e instanceof PanelError || e instanceof PainterlyError) throw e;
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

  /** getPixels of a layer, with a smart object's failure said in words (File › Place makes them). */
  async function layerPixels(doc: PsDocument, layer: PsLayer, options: { sourceBounds: PsBounds; targetSize?: { width: number; height: number }; componentSize: 8 | 16 }) {
    try {
      return await imaging.getPixels({ documentID: doc.id, layerID: layer.id, colorSpace: 'RGB', ...options });
    } catch (e) {
      if (layer.kind === constants.LayerKind.SMARTOBJECT) {
        throw new PanelError('UNSUPPORTED_LAYER', `Photoshop could not give the pixels of the smart object “${layer.name}”: rasterize it (Layer › Rasterize › Smart Object), then try again.`);
      }
      throw e;
    }
  }

  async function readLayer(doc: PsDocument, layerId: number, bits: 8 | 16): Promise<LayerPixels> {
    const layer = findLayer(doc.layers, layerId);
    if (!layer) throw new PanelError('LAYER_MISSING', 'A layer the job needs was deleted: choose the layers again.');
    const canvas = { left: 0, top: 0, right: doc.width, bottom: doc.height };
    const b = intersect(layer.boundsNoEffects, canvas);
    if (b.right <= b.left || b.bottom <= b.top) return { layerId, rect: b, components: 4, data: new Uint8Array(0) };
    // Only the part on the canvas: a layer may reach past it, and what lies outside is not in the picture.
    const got = await layerPixels(doc, layer, { sourceBounds: canvas, componentSize: bits });
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

  /** Document coordinates of a (possibly scaled) read: the level's bounds times the level's scale. */
  const levelToDocument = (b: PsBounds, level: number): Rect => {
    const f = 2 ** level;
    return { left: b.left * f, top: b.top * f, right: b.right * f, bottom: b.bottom * f };
  };

  async function readRegionIn(doc: PsDocument, req: RegionRequest): Promise<RegionPixels | undefined> {
    const bits = depthOf(doc);
    const canvas = { left: 0, top: 0, right: doc.width, bottom: doc.height };
    const rect = intersect(req.rect, canvas);
    if (rect.right <= rect.left || rect.bottom <= rect.top) return undefined;
    const scaled = req.targetSize ? { targetSize: req.targetSize } : {};
    const src = req.source;
    let got: { imageData: PsImageData; sourceBounds: PsBounds; level?: number };
    if ('selection' in src) {
      if (!doc.selection.bounds) return undefined;
      got = await imaging.getSelection({ documentID: doc.id, sourceBounds: rect, ...scaled });
    } else if ('layerMask' in src) {
      if (!findLayer(doc.layers, src.layerMask)) throw new PanelError('LAYER_MISSING', 'A layer the job needs was deleted: choose the layers again.');
      try {
        got = await imaging.getLayerMask({ documentID: doc.id, layerID: src.layerMask, kind: 'user', sourceBounds: rect, ...scaled });
      } catch {
        // Undocumented: Photoshop rejects a layer without a user mask. (A cancel still ends the scope: its next call throws.)
        return undefined;
      }
    } else {
      const layer = findLayer(doc.layers, src.layer);
      if (!layer) throw new PanelError('LAYER_MISSING', 'A layer the job needs was deleted: choose the layers again.');
      const b = intersect(layer.boundsNoEffects, rect);
      if (b.right <= b.left || b.bottom <= b.top) return undefined;
      got = await layerPixels(doc, layer, { sourceBounds: rect, componentSize: bits, ...scaled });
    }
    const { width, height, components } = got.imageData;
    const data = await takeData(got.imageData);
    if ((components !== 1 && components !== 3 && components !== 4) || data.length !== width * height * components) {
      throw new PanelError('PHOTOSHOP_FAILED', `Photoshop returned ${components}-component pixels (${data.length} values for ${width}×${height}); expected grey, RGB or RGBA.`);
    }
    // A mask or selection read comes back at the document's depth or as asked; the panel works in one depth.
    const rectBack = req.targetSize ? levelToDocument(got.sourceBounds, got.level ?? 0) : toRect(got.sourceBounds);
    return { rect: rectBack, width, height, components, data: data instanceof Uint16Array || bits === 8 ? data : widen(data) };
  }

  /** The result layer in `doc`, as one history step (rolled back on any failure). */
  async function writeResult(ctx: PsExecutionContext, doc: PsDocument, req: ResultLayerRequest): Promise<number> {
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
        ...(doc.selection?.bounds ? { selectionBounds: toRect(doc.selection.bounds) } : {}),
        ...(refusal ? { refusal } : {}),
      };
    },

    async readRegion(req: RegionRequest): Promise<RegionPixels | undefined> {
      return modal('Painterly: read pixels', async () => readRegionIn(documentById(req.documentId), req));
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
        // Photoshop makes new layers in the active document: if the user switched documents while
        // the job ran, the job's own comes to the front for the write and goes back after it.
        const userDoc = activeDocumentOrNull();
        if (userDoc?.id !== doc.id) ps.app.activeDocument = doc;
        try {
          return await writeResult(ctx, doc, req);
        } finally {
          if (userDoc && userDoc.id !== doc.id) ps.app.activeDocument = userDoc;
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

    loadPreference(key: string): string | undefined {
      try {
        return globalThis.localStorage?.getItem(PREFERENCE_PREFIX + key) ?? undefined;
      } catch {
        return undefined;
      }
    },

    savePreference(key: string, value: string): void {
      try {
        globalThis.localStorage?.setItem(PREFERENCE_PREFIX + key, value);
      } catch {
        /* a preference that cannot be kept is asked again next time */
      }
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

function intersect(a: PsBounds, b: PsBounds): Rect {
  return { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
}

/** 8-bit samples as full-range 16-bit (a selection or mask Photoshop returned at 8 bits in a 16-bit document). */
function widen(data: Uint8Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * 257;
  return out;
}
