// A faithful in-memory fake of Photoshop's `photoshop` module and the part of `uxp` the panel
// uses, for unit tests and for the panel running in Chromium. It enforces the real rules the
// adapter must live with (docs/photoshop-uxp.md in the team kit): document changes only inside
// executeAsModal, one modal scope at a time (error number 9), commandName required, history
// grouped by suspendHistory (rolled back on a throw), getPixels trimmed to existing pixels,
// 16-bit data 0..32768 unless fullRange, image data tracked until disposed.
import type { PhotoshopModule, PsExecutionContext, UxpModule } from '../../plugin/photoshop/uxp-types.js';
import { compositeOf, createFakeImaging, FakeImageData } from './fake/imaging.js';
import { CONSTANTS, FakeDocument, FakeLayer, ModalRuleError, nativeMax, type FakeApp, type ModalSpan, type NativeData } from './fake/model.js';

export { CONSTANTS, FakeDocument, FakeLayer, ModalRuleError, nativeMax, type NativeData } from './fake/model.js';

export type RGBA = readonly [number, number, number, number];

export interface FakeLayerSpec {
  name: string;
  /** constants.LayerKind value; default 'pixel'. */
  kind?: string;
  background?: boolean;
  visible?: boolean;
  opacity?: number;
  /** Colour at (x, y) as floats 0..1, or undefined for transparent. */
  fill?: (x: number, y: number) => RGBA | undefined;
  children?: FakeLayerSpec[];
}

export interface FakeRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface FakeDocumentSpec {
  title?: string;
  width: number;
  height: number;
  bits?: 1 | 8 | 16 | 32;
  mode?: 'RGB' | 'CMYK' | 'Lab' | 'Grayscale' | 'Indexed' | 'Bitmap';
  profile?: string;
  /** Topmost first. */
  layers: FakeLayerSpec[];
  /** Name of the active layer; default the topmost. */
  active?: string;
  selection?: FakeRect | ((x: number, y: number) => number);
}

const MODES: Record<NonNullable<FakeDocumentSpec['mode']>, string> = {
  RGB: CONSTANTS.DocumentMode.RGB,
  CMYK: CONSTANTS.DocumentMode.CMYK,
  Lab: CONSTANTS.DocumentMode.LAB,
  Grayscale: CONSTANTS.DocumentMode.GRAYSCALE,
  Indexed: CONSTANTS.DocumentMode.INDEXEDCOLOR,
  Bitmap: CONSTANTS.DocumentMode.BITMAP,
};

export interface FakePhotoshop {
  photoshop: PhotoshopModule;
  uxp: UxpModule;
  addDocument(spec: FakeDocumentSpec): FakeDocument;
  closeDocument(doc: FakeDocument): void;
  setActiveLayer(doc: FakeDocument, name: string): void;
  setSelection(doc: FakeDocument, selection: FakeDocumentSpec['selection'] | null): void;
  layer(doc: FakeDocument, name: string): FakeLayer;
  /** The flattened visible layers, RGBA in Photoshop's native range. */
  composite(doc: FakeDocument): NativeData;
  modalActive(): boolean;
  readonly modalLog: readonly ModalSpan[];
  /** PhotoshopImageData objects created and not yet disposed. */
  liveImageData(): number;
  /** Pretend another plugin or a dialog holds Photoshop's modal state. */
  blockModal(on: boolean): void;
  readonly secrets: Map<string, Uint8Array>;
  listenerCount(): number;
  /** Fires a Photoshop notification (as the user's actions would). */
  emit(event: string): void;
}

export function createFakePhotoshop(): FakePhotoshop {
  let ids = 100;
  let modal: ModalSpan | null = null;
  let blocked = false;
  const modalLog: ModalSpan[] = [];
  const documents: FakeDocument[] = [];
  let activeDoc: FakeDocument | null = null;
  const live = new Set<FakeImageData>();
  const listeners: { events: string[]; fn: (event: string, descriptor: unknown) => void }[] = [];

  const emit = (event: string) => {
    for (const l of listeners) if (l.events.includes(event)) setTimeout(() => l.fn(event, {}), 0);
  };

  const app: FakeApp & { document(id?: number): FakeDocument; live: Set<FakeImageData> } = {
    live,
    nextId: () => ++ids,
    assertModal(what) {
      if (!modal) throw new ModalRuleError(`${what} is only allowed inside executeAsModal: Photoshop refuses document changes outside a modal scope.`);
    },
    recordChange(doc, name, event) {
      if (doc.suspension) doc.suspension.changed = true;
      else doc.historyStates.push({ id: ids++, name });
      if (event) emit(event);
    },
    emit,
    document(id) {
      if (id === undefined || id < 0) {
        if (!activeDoc) throw new Error('There is no active document.');
        return activeDoc;
      }
      const doc = documents.find((d) => d.id === id);
      if (!doc) throw new Error(`No document with id ${id}.`);
      return doc;
    },
  };

  function finishSuspension(doc: FakeDocument, commit: boolean): void {
    const s = doc.suspension!;
    doc.suspension = undefined;
    if (!commit) doc.restore(s.snapshot);
    else if (s.changed) doc.historyStates.push({ id: ids++, name: s.name });
  }

  const photoshop: PhotoshopModule = {
    app: {
      get activeDocument() {
        return activeDoc;
      },
      get documents() {
        return [...documents];
      },
    },
    core: {
      async executeAsModal(fn, options) {
        if (!options || typeof options.commandName !== 'string' || options.commandName === '') {
          throw new Error('executeAsModal: options.commandName is required.');
        }
        if (modal || blocked) {
          throw Object.assign(new Error(`The host is in a modal state${modal ? ` (“${modal.commandName}”)` : ''}.`), { number: 9 });
        }
        const span: ModalSpan = { commandName: options.commandName, startedAt: Date.now() };
        modalLog.push(span);
        modal = span;
        const suspended: FakeDocument[] = [];
        const context: PsExecutionContext = {
          isCancelled: false,
          reportProgress: () => {},
          hostControl: {
            async suspendHistory({ documentID, name }) {
              app.assertModal('hostControl.suspendHistory');
              const doc = app.document(documentID);
              if (doc.suspension) throw new Error('The history of this document is already suspended.');
              if (typeof name !== 'string' || !name) throw new Error('suspendHistory: a name is required.');
              doc.suspension = { id: ++ids, name, changed: false, snapshot: doc.snapshot() };
              suspended.push(doc);
              return doc.suspension.id;
            },
            async resumeHistory(id, commit = true) {
              app.assertModal('hostControl.resumeHistory');
              const doc = suspended.find((d) => d.suspension?.id === id);
              if (!doc) throw new Error(`No suspended history with id ${id}.`);
              finishSuspension(doc, commit);
            },
          },
        };
        try {
          const result = await fn(context);
          // Unresumed suspensions commit when the scope returns normally …
          for (const d of suspended) if (d.suspension) finishSuspension(d, true);
          return result;
        } catch (e) {
          // … and roll back when it throws.
          for (const d of suspended) if (d.suspension) finishSuspension(d, false);
          throw e;
        } finally {
          span.endedAt = Date.now();
          modal = null;
        }
      },
    },
    imaging: createFakeImaging(app),
    constants: CONSTANTS,
    action: {
      async addNotificationListener(events, fn) {
        if (!Array.isArray(events) || events.some((e) => typeof e !== 'string')) throw new Error('addNotificationListener: events must be an array of event names.');
        listeners.push({ events: [...events], fn });
      },
      async removeNotificationListener(events, fn) {
        const at = listeners.findIndex((l) => l.fn === fn && l.events.join() === events.join());
        if (at >= 0) listeners.splice(at, 1);
      },
    },
  };

  const secrets = new Map<string, Uint8Array>();
  const uxp: UxpModule = {
    storage: {
      secureStorage: {
        async getItem(key) {
          const v = secrets.get(key);
          return v ? v.slice() : null;
        },
        async setItem(key, value) {
          const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(ArrayBuffer.isView(value) ? value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) : value);
          if (bytes.length === 0) throw new Error('secureStorage.setItem: the value is empty.');
          secrets.set(key, bytes);
        },
        async removeItem(key) {
          if (!secrets.delete(key)) throw new Error(`secureStorage.removeItem: no value for '${key}'.`);
        },
      },
    },
  };

  function fillLayer(doc: FakeDocument, layer: FakeLayer, spec: FakeLayerSpec): void {
    if (!layer.data) return;
    const m = nativeMax(doc.bits);
    for (let y = 0; y < doc.height; y++) {
      for (let x = 0; x < doc.width; x++) {
        let c = spec.fill?.(x, y);
        if (spec.background) c = c ? [c[0], c[1], c[2], 1] : [1, 1, 1, 1];
        if (!c) continue;
        const p = (y * doc.width + x) * 4;
        for (let k = 0; k < 4; k++) layer.data[p + k] = Math.round(Math.min(1, Math.max(0, c[k])) * m);
      }
    }
  }

  function build(doc: FakeDocument, specs: FakeLayerSpec[]): FakeLayer[] {
    return specs.map((spec) => {
      const kind = spec.kind ?? (spec.children ? CONSTANTS.LayerKind.GROUP : CONSTANTS.LayerKind.NORMAL);
      const layer = new FakeLayer(doc, { id: ++ids, name: spec.name, kind, background: spec.background, visible: spec.visible, opacity: spec.opacity });
      if (spec.children) layer.children = build(doc, spec.children);
      fillLayer(doc, layer, spec);
      return layer;
    });
  }

  function setSelection(doc: FakeDocument, sel: FakeDocumentSpec['selection'] | null): void {
    if (!sel) {
      doc.selectionData = null;
    } else {
      const data = doc.emptyPlane(1);
      const m = nativeMax(doc.bits);
      for (let y = 0; y < doc.height; y++) {
        for (let x = 0; x < doc.width; x++) {
          const v = typeof sel === 'function' ? sel(x, y) : x >= sel.left && x < sel.right && y >= sel.top && y < sel.bottom ? 1 : 0;
          data[y * doc.width + x] = Math.round(Math.min(1, Math.max(0, v)) * m);
        }
      }
      doc.selectionData = data;
    }
    emit('set');
  }

  const find = (doc: FakeDocument, name: string) => {
    const l = doc.allLayers().find((x) => x.name === name);
    if (!l) throw new Error(`The fake document has no layer '${name}'.`);
    return l;
  };

  return {
    photoshop,
    uxp,
    addDocument(spec) {
      const doc = new FakeDocument(app, {
        id: ++ids,
        title: spec.title ?? 'Untitled-1',
        width: spec.width,
        height: spec.height,
        mode: MODES[spec.mode ?? 'RGB'],
        bits: spec.bits ?? 8,
        profile: spec.profile ?? 'sRGB IEC61966-2.1',
      });
      doc.tree = build(doc, spec.layers);
      doc.activeIds = [find(doc, spec.active ?? spec.layers[0].name).id];
      if (spec.selection) setSelection(doc, spec.selection);
      documents.push(doc);
      activeDoc = doc;
      emit('open');
      return doc;
    },
    closeDocument(doc) {
      documents.splice(documents.indexOf(doc), 1);
      doc.closed = true;
      if (activeDoc === doc) activeDoc = documents[documents.length - 1] ?? null;
      emit('close');
    },
    setActiveLayer(doc, name) {
      doc.activeIds = [find(doc, name).id];
      emit('select');
    },
    setSelection,
    layer: find,
    composite: compositeOf,
    modalActive: () => modal !== null,
    modalLog,
    liveImageData: () => live.size,
    blockModal(on) {
      blocked = on;
    },
    secrets,
    listenerCount: () => listeners.length,
    emit,
  };
}
