// A faithful in-memory fake of Photoshop's `photoshop` module and the part of `uxp` the panel
// uses, for unit tests and for the panel running in Chromium. It enforces the real rules the
// adapter must live with (docs/photoshop-uxp.md in the team kit): document changes only inside
// executeAsModal, one modal scope at a time (error number 9), commandName required, history
// grouped by suspendHistory (rolled back on a throw or an Esc), getPixels trimmed to existing
// pixels and scaled by targetSize from a pyramid level, 16-bit data 0..32768 unless fullRange,
// image data tracked until disposed, new layers made in the active document only, locked and
// non-pixel layers refused by putPixels. Its pixel loops run in slices (fake/slicer.ts).
// Parts: fake/model.ts (documents, layers), fake/build.ts (specs), fake/imaging.ts (Imaging API),
// fake/composite.ts (what the user sees), fake/raster.ts (how pixels are kept).
import type { PhotoshopModule, PsDocument, PsExecutionContext, UxpModule } from '../../plugin/photoshop/uxp-types.js';
import { buildLayers, selectionRaster, type FakeDocumentSpec, type FakeRect } from './fake/build.js';
import { compositeOf } from './fake/composite.js';
import { CONSTANTS, ModalRuleError, userCancelled, type ModalSpan, type NativeData } from './fake/constants.js';
import { createFakeImaging } from './fake/imaging.js';
import { FakeDocument, FakeLayer, type FakeApp } from './fake/model.js';
import { Slicer, type SliceStats } from './fake/slicer.js';

export { CONSTANTS, ModalRuleError, nativeMax, userCancelled, type NativeData } from './fake/constants.js';
export { FakeDocument, FakeLayer } from './fake/model.js';
export type { FakeDocumentSpec, FakeLayerSpec, FakeRect, RGBA } from './fake/build.js';
export type { SliceStats } from './fake/slicer.js';

const MODES: Record<NonNullable<FakeDocumentSpec['mode']>, string> = {
  RGB: CONSTANTS.DocumentMode.RGB,
  CMYK: CONSTANTS.DocumentMode.CMYK,
  Lab: CONSTANTS.DocumentMode.LAB,
  Grayscale: CONSTANTS.DocumentMode.GRAYSCALE,
  Indexed: CONSTANTS.DocumentMode.INDEXEDCOLOR,
  Bitmap: CONSTANTS.DocumentMode.BITMAP,
};

export interface FakeOptions {
  /** How long one of the fake's pixel loops runs before it gives the thread back; default 10 ms. */
  sliceMs?: number;
}

export interface FakePhotoshop {
  photoshop: PhotoshopModule;
  uxp: UxpModule;
  /** Opens a document; it becomes the active one unless `activate: false`. */
  addDocument(spec: FakeDocumentSpec): FakeDocument;
  closeDocument(doc: FakeDocument): void;
  /** The user brings another document to the front (no modal rule; emits 'select'). */
  activateDocument(doc: FakeDocument): void;
  setActiveLayer(doc: FakeDocument, name: string): void;
  setSelection(doc: FakeDocument, selection: FakeDocumentSpec['selection'] | null): void;
  layer(doc: FakeDocument, name: string): FakeLayer;
  /** The flattened visible layers (mask, opacity × fill, blend modes), RGBA in Photoshop's native range, over `region` (default all). */
  composite(doc: FakeDocument, region?: FakeRect): NativeData;
  modalActive(): boolean;
  readonly modalLog: readonly ModalSpan[];
  /**
   * The user presses Esc: the running modal scope's context.isCancelled becomes true, its onCancel
   * runs, and every Photoshop call in it from now on (and a long one at its next slice) rejects
   * with "User cancelled the operation". False when no modal scope runs.
   */
  pressEscape(): boolean;
  /** PhotoshopImageData objects created and not yet disposed. */
  liveImageData(): number;
  /** Pretend another plugin or a dialog holds Photoshop's modal state. */
  blockModal(on: boolean): void;
  readonly secrets: Map<string, Uint8Array>;
  listenerCount(): number;
  /** Fires a Photoshop notification (as the user's actions would). */
  emit(event: string): void;
  /** How the fake's own pixel loops shared the thread so far. */
  slicing(): SliceStats;
  /** Bytes the open documents' pixels, masks and selections keep (memory the fake, not the panel, takes). */
  storedBytes(): number;
}

export function createFakePhotoshop(options: FakeOptions = {}): FakePhotoshop {
  let ids = 100;
  let modal: ModalSpan | null = null;
  let context: PsExecutionContext | null = null;
  let blocked = false;
  const modalLog: ModalSpan[] = [];
  const documents: FakeDocument[] = [];
  let activeDoc: FakeDocument | null = null;
  const live = new Set<object>();
  const listeners: { events: string[]; fn: (event: string, descriptor: unknown) => void }[] = [];
  const stats: SliceStats = { yields: 0, longestMs: 0 };
  const sliceMs = options.sliceMs ?? 10;

  const emit = (event: string) => {
    for (const l of listeners) if (l.events.includes(event)) setTimeout(() => l.fn(event, {}), 0);
  };

  const app: FakeApp = {
    live,
    nextId: () => ++ids,
    assertModal(what) {
      if (!modal) throw new ModalRuleError(`${what} is only allowed inside executeAsModal: Photoshop refuses document changes outside a modal scope.`);
      if (modal.cancelled) throw userCancelled();
    },
    assertNotCancelled() {
      if (modal?.cancelled) throw userCancelled();
    },
    slicer(span = modal) {
      return new Slicer(sliceMs, stats, () => span?.cancelled === true && span.endedAt === undefined);
    },
    scope: () => modal,
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
    active: () => activeDoc,
  };

  function finishSuspension(doc: FakeDocument, commit: boolean): void {
    const s = doc.suspension!;
    doc.suspension = undefined;
    if (!commit) doc.restore(s.snapshot);
    else if (s.changed) doc.historyStates.push({ id: ids++, name: s.name });
  }

  const photoshop: PhotoshopModule = {
    app: {
      get activeDocument(): PsDocument | null {
        return activeDoc;
      },
      /** Switching documents is a change to Photoshop's state: only inside executeAsModal. */
      set activeDocument(d: PsDocument | null) {
        app.assertModal('Setting app.activeDocument');
        const doc = documents.find((x) => x === d || x.id === d?.id);
        if (!doc) throw new Error('app.activeDocument: that document is not open.');
        if (doc === activeDoc) return;
        activeDoc = doc;
        emit('select');
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
        // With timeOut (Photoshop 25.10+), it waits that long for another modal scope to end.
        const deadline = Date.now() + (options.timeOut ?? 0);
        while ((modal || blocked) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
        if (modal || blocked) {
          throw Object.assign(new Error(`The host is in a modal state${modal ? ` (“${modal.commandName}”)` : ''}.`), { number: 9 });
        }
        const span: ModalSpan = { commandName: options.commandName, startedAt: Date.now() };
        modalLog.push(span);
        modal = span;
        const suspended: FakeDocument[] = [];
        const ctx: PsExecutionContext = {
          get isCancelled() {
            return span.cancelled === true;
          },
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
        context = ctx;
        try {
          const result = await fn(ctx);
          // Unresumed suspensions commit when the scope returns normally (roll back after an Esc) …
          for (const d of suspended) if (d.suspension) finishSuspension(d, !span.cancelled);
          return result;
        } catch (e) {
          // … and roll back when it throws.
          for (const d of suspended) if (d.suspension) finishSuspension(d, false);
          throw e;
        } finally {
          span.endedAt = Date.now();
          modal = null;
          context = null;
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

  function setSelection(doc: FakeDocument, sel: FakeDocumentSpec['selection'] | null): void {
    doc.selectionRaster = selectionRaster(doc, sel);
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
      doc.tree = buildLayers(doc, spec.layers, () => ++ids);
      doc.activeIds = [find(doc, spec.active ?? spec.layers[0].name).id];
      if (spec.selection) setSelection(doc, spec.selection);
      documents.push(doc);
      if (spec.activate !== false || !activeDoc) activeDoc = doc;
      emit('open');
      return doc;
    },
    closeDocument(doc) {
      documents.splice(documents.indexOf(doc), 1);
      doc.closed = true;
      if (activeDoc === doc) activeDoc = documents[documents.length - 1] ?? null;
      emit('close');
    },
    activateDocument(doc) {
      if (!documents.includes(doc)) throw new Error(`The document '${doc.title}' is not open.`);
      activeDoc = doc;
      emit('select');
    },
    setActiveLayer(doc, name) {
      doc.activeIds = [find(doc, name).id];
      emit('select');
    },
    setSelection,
    layer: find,
    composite: (doc, region) => compositeOf(doc, region),
    modalActive: () => modal !== null,
    modalLog,
    pressEscape() {
      if (!modal || !context) return false;
      if (!modal.cancelled) {
        modal.cancelled = true;
        context.onCancel?.();
      }
      return true;
    },
    liveImageData: () => live.size,
    blockModal(on) {
      blocked = on;
    },
    secrets,
    listenerCount: () => listeners.length,
    emit,
    slicing: () => ({ ...stats }),
    storedBytes: () => documents.reduce((n, d) => n + d.storedBytes(), 0),
  };
}
