// The fake Photoshop's document model: documents, layers with pixels, the selection, history
// states and the modal rule. Pixels are stored document-sized in Photoshop's own ranges
// (8-bit 0..255, 16-bit 0..32768), RGBA. Runs in Node (vitest) and in the browser (e2e).
import type { PsBounds, PsDocument, PsLayer } from '../../../plugin/photoshop/uxp-types.js';

export const CONSTANTS = {
  DocumentMode: {
    BITMAP: 'bitmapMode',
    CMYK: 'CMYKColorMode',
    DUOTONE: 'duotoneMode',
    GRAYSCALE: 'grayscaleMode',
    INDEXEDCOLOR: 'indexedColorMode',
    LAB: 'labColorMode',
    MULTICHANNEL: 'multichannelMode',
    RGB: 'RGBColorMode',
  },
  BitsPerChannelType: { ONE: 'bitDepth1', EIGHT: 'bitDepth8', SIXTEEN: 'bitDepth16', THIRTYTWO: 'bitDepth32' },
  ElementPlacement: { PLACEBEFORE: 'placeBefore', PLACEATBEGINNING: 'placeAtBeginning', PLACEATEND: 'placeAtEnd', PLACEAFTER: 'placeAfter', PLACEINSIDE: 'placeInside' },
  LayerKind: { NORMAL: 'pixel', GROUP: 'group', TEXT: 'text', SMARTOBJECT: 'smartObject', SOLIDFILL: 'solidColor', CURVES: 'curves' },
} as const;

export type NativeData = Uint8Array | Uint16Array;

/** Photoshop's top value for a depth: 16-bit is 0..32768 inside Photoshop. */
export const nativeMax = (bits: number): number => (bits === 16 ? 32768 : bits === 8 ? 255 : 1);

/** Thrown for document changes outside executeAsModal, as Photoshop refuses them. */
export class ModalRuleError extends Error {}

export interface ModalSpan {
  commandName: string;
  startedAt: number;
  endedAt?: number;
}

/** What the fake shares between its parts. */
export interface FakeApp {
  nextId(): number;
  assertModal(what: string): void;
  /** A document change: one history state, unless the document's history is suspended. */
  recordChange(doc: FakeDocument, name: string, event?: string): void;
  emit(event: string): void;
}

type Tree = FakeLayer[];

export class FakeLayer implements PsLayer {
  readonly id: number;
  private _name: string;
  private _visible: boolean;
  opacity: number;
  readonly kind: string;
  readonly isBackgroundLayer: boolean;
  /** Document-sized RGBA in native range; null for groups and non-pixel layers. */
  data: NativeData | null;
  children: FakeLayer[] | null;
  readonly doc: FakeDocument;

  constructor(doc: FakeDocument, init: { id: number; name: string; kind: string; background?: boolean; visible?: boolean; opacity?: number; children?: FakeLayer[] | null }) {
    this.doc = doc;
    this.id = init.id;
    this._name = init.name;
    this._visible = init.visible ?? true;
    this.opacity = init.opacity ?? 100;
    this.kind = init.kind;
    this.isBackgroundLayer = init.background ?? false;
    this.children = init.children ?? (init.kind === CONSTANTS.LayerKind.GROUP ? [] : null);
    this.data = init.kind === CONSTANTS.LayerKind.GROUP ? null : doc.emptyPlane(4);
  }

  get name(): string {
    return this._name;
  }
  set name(v: string) {
    this.doc.app.assertModal('Renaming a layer');
    this._name = v;
    this.doc.app.recordChange(this.doc, 'Layer Properties', 'set');
  }

  get visible(): boolean {
    return this._visible;
  }
  set visible(v: boolean) {
    this.doc.app.assertModal('Showing or hiding a layer');
    if (v === this._visible) return;
    this._visible = v;
    this.doc.app.recordChange(this.doc, v ? 'Show Layer' : 'Hide Layer', v ? 'show' : 'hide');
  }

  /** For test set-up: no modal rule, no history. */
  setVisibleQuietly(v: boolean): void {
    this._visible = v;
  }

  get layers(): FakeLayer[] | null {
    return this.children ? [...this.children] : null;
  }

  /** Bounds of the non-transparent pixels (Photoshop reports zeros for an empty layer). */
  get bounds(): PsBounds & { width: number; height: number } {
    const b = this.data ? alphaBounds(this.data, this.doc.width, this.doc.height) : undefined;
    const r = b ?? { left: 0, top: 0, right: 0, bottom: 0 };
    return { ...r, width: r.right - r.left, height: r.bottom - r.top };
  }

  get boundsNoEffects(): PsBounds & { width: number; height: number } {
    return this.bounds;
  }

  move(relative: PsLayer, placement: string): void {
    this.doc.app.assertModal('Moving a layer');
    if (this.isBackgroundLayer) throw new Error('The background layer cannot be moved.');
    const target = this.doc.find(relative.id);
    if (!target || target === this) throw new Error('Layer.move: unknown relative layer.');
    this.doc.detach(this);
    const [list, at] = this.doc.locate(target)!;
    if (placement === CONSTANTS.ElementPlacement.PLACEBEFORE) list.splice(at, 0, this);
    else if (placement === CONSTANTS.ElementPlacement.PLACEAFTER) list.splice(at + 1, 0, this);
    else throw new Error(`Layer.move: placement '${placement}' is not modelled by the fake.`);
    this.doc.app.recordChange(this.doc, 'Move', 'move');
  }
}

/** Bounds of the pixels whose alpha (every 4th value) is not zero. */
export function alphaBounds(data: NativeData, width: number, height: number): PsBounds | undefined {
  return nonZeroBounds((i) => data[i * 4 + 3], width, height);
}

export function nonZeroBounds(value: (pixel: number) => number, width: number, height: number): PsBounds | undefined {
  let left = width;
  let top = height;
  let right = 0;
  let bottom = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (value(y * width + x) === 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
    }
  }
  return right > left ? { left, top, right, bottom } : undefined;
}

interface Snapshot {
  tree: { layer: FakeLayer; name: string; visible: boolean; data: NativeData | null; children: Snapshot['tree'] | null }[];
  active: number[];
  selection: NativeData | null;
}

export class FakeDocument implements PsDocument {
  readonly id: number;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly mode: string;
  readonly bitsPerChannel: string;
  readonly colorProfileName: string;
  readonly bits: number;
  readonly app: FakeApp;
  tree: Tree = [];
  activeIds: number[] = [];
  /** Document-sized, one value a pixel, native range; null when nothing is selected. */
  selectionData: NativeData | null = null;
  readonly historyStates: { id: number; name: string }[] = [{ id: 0, name: 'Open' }];
  suspension?: { id: number; name: string; changed: boolean; snapshot: Snapshot };
  closed = false;

  constructor(app: FakeApp, init: { id: number; title: string; width: number; height: number; mode: string; bits: number; profile: string }) {
    this.app = app;
    this.id = init.id;
    this.title = init.title;
    this.width = init.width;
    this.height = init.height;
    this.mode = init.mode;
    this.bits = init.bits;
    this.bitsPerChannel = ({ 1: 'bitDepth1', 8: 'bitDepth8', 16: 'bitDepth16', 32: 'bitDepth32' } as Record<number, string>)[init.bits];
    this.colorProfileName = init.profile;
  }

  emptyPlane(channels: number): NativeData {
    const n = this.width * this.height * channels;
    return this.bits === 16 ? new Uint16Array(n) : new Uint8Array(n);
  }

  get layers(): FakeLayer[] {
    return [...this.tree];
  }

  get activeLayers(): FakeLayer[] {
    return this.activeIds.map((id) => this.find(id)).filter((l): l is FakeLayer => l !== undefined);
  }

  get selection(): { readonly bounds: PsBounds | null } {
    const doc = this;
    return {
      get bounds() {
        const s = doc.selectionData;
        return (s && nonZeroBounds((i) => s[i], doc.width, doc.height)) ?? null;
      },
    };
  }

  /** Every layer, topmost first, groups before their children. */
  allLayers(list: Tree = this.tree, out: FakeLayer[] = []): FakeLayer[] {
    for (const l of list) {
      out.push(l);
      if (l.children) this.allLayers(l.children, out);
    }
    return out;
  }

  find(id: number): FakeLayer | undefined {
    return this.allLayers().find((l) => l.id === id);
  }

  locate(layer: FakeLayer, list: Tree = this.tree): [Tree, number] | undefined {
    const at = list.indexOf(layer);
    if (at >= 0) return [list, at];
    for (const l of list) {
      const inner = l.children && this.locate(layer, l.children);
      if (inner) return inner;
    }
    return undefined;
  }

  detach(layer: FakeLayer): void {
    const found = this.locate(layer);
    if (found) found[0].splice(found[1], 1);
  }

  /** Like Photoshop: a new empty pixel layer directly above the active layer, which it becomes. */
  async createPixelLayer(options: { name?: string; opacity?: number } = {}): Promise<FakeLayer> {
    this.app.assertModal('Creating a layer');
    const layer = new FakeLayer(this, { id: this.app.nextId(), name: options.name ?? 'Layer', kind: CONSTANTS.LayerKind.NORMAL, opacity: options.opacity });
    const active = this.activeLayers[0];
    const place = active ? this.locate(active) : undefined;
    if (place) place[0].splice(place[1], 0, layer);
    else this.tree.unshift(layer);
    this.activeIds = [layer.id];
    this.app.recordChange(this, 'New Layer', 'make');
    return layer;
  }

  snapshot(): Snapshot {
    const take = (list: Tree): Snapshot['tree'] =>
      list.map((layer) => ({ layer, name: layer.name, visible: layer.visible, data: layer.data?.slice() ?? null, children: layer.children ? take(layer.children) : null }));
    return { tree: take(this.tree), active: [...this.activeIds], selection: this.selectionData?.slice() ?? null };
  }

  restore(s: Snapshot): void {
    const put = (entries: Snapshot['tree']): Tree =>
      entries.map((e) => {
        const l = e.layer as unknown as { _name: string; _visible: boolean };
        l._name = e.name;
        l._visible = e.visible;
        e.layer.data = e.data;
        e.layer.children = e.children ? put(e.children) : null;
        return e.layer;
      });
    this.tree = put(s.tree);
    this.activeIds = s.active;
    this.selectionData = s.selection;
  }
}
