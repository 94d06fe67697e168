// The fake Photoshop's document model: documents, layers (pixels, user mask, opacity, fill
// opacity, blend mode, locks), the selection, history states and the modal rule. Pixels live in
// rasters (raster.ts): only over where a layer has them, in Photoshop's own ranges (8-bit 0..255,
// 16-bit 0..32768), never changed in place, so a history snapshot costs references only and
// bounds are cached. Runs in Node (vitest) and in the browser (e2e).
import type { PsBounds, PsDocument, PsLayer } from '../../../plugin/photoshop/uxp-types.js';
import { CONSTANTS, EMPTY_RECT, nativeArray, union, withSize, type ModalSpan, type NativeData } from './constants.js';
import { emptyRaster, readRegionNow, type Raster } from './raster.js';
import type { Slicer } from './slicer.js';

export { CONSTANTS, ModalRuleError, nativeMax, type ModalSpan, type NativeData } from './constants.js';

/** What the fake shares between its parts. */
export interface FakeApp {
  nextId(): number;
  /** Throws ModalRuleError outside executeAsModal, and Photoshop's user-cancel error in a scope the user cancelled (Esc). */
  assertModal(what: string): void;
  /**
   * For calls allowed outside a modal scope too (createImageDataFromBuffer, encodeImageData): the
   * user-cancel error while a cancelled scope runs. The fake cannot tell which async flow a call
   * comes from, so such a call made meanwhile from outside the scope is refused too.
   */
  assertNotCancelled(): void;
  /** A slicer for one call's pixel loops, tied to the cancellation of `scope` (default: the modal scope running now). */
  slicer(scope?: ModalSpan | null): Slicer;
  /** The modal scope running now, if any. */
  scope(): ModalSpan | null;
  /** A document change: one history state, unless the document's history is suspended. */
  recordChange(doc: FakeDocument, name: string, event?: string): void;
  emit(event: string): void;
  /** The open document with this id; the active one for undefined or a negative id. */
  document(id?: number): FakeDocument;
  /** The active document, where Photoshop makes new layers. */
  active(): FakeDocument | null;
  /** PhotoshopImageData objects made and not yet disposed. */
  readonly live: Set<object>;
}

type Tree = FakeLayer[];

export interface FakeLayerInit {
  id: number;
  name: string;
  kind: string;
  background?: boolean;
  visible?: boolean;
  opacity?: number;
  fillOpacity?: number;
  blendMode?: string;
  locked?: boolean;
  /** The layer's pixels; default empty (null for groups). */
  raster?: Raster | null;
  /** A user mask: one channel over the document, native range (max shows the layer). */
  mask?: Raster | null;
  children?: FakeLayer[] | null;
}

export class FakeLayer implements PsLayer {
  readonly id: number;
  private _name: string;
  private _visible: boolean;
  /** 0–100. The fake offers no setter through Photoshop's API; tests may change it. */
  opacity: number;
  /** 0–100: scales the pixels (the fake models no layer effects, so it acts like opacity). */
  fillOpacity: number;
  /** A constants.BlendMode value; 'normal' for layers, 'passThrough' for groups by default. */
  blendMode: string;
  readonly kind: string;
  readonly isBackgroundLayer: boolean;
  /** The layer's "lock all" (set at creation). */
  readonly locked: boolean;
  /** The layer's pixels as Photoshop gives them (no mask, no opacity); null for groups. Replaced, never changed in place. */
  raster: Raster | null;
  /** The user mask, or null when the layer has none. */
  mask: Raster | null;
  children: FakeLayer[] | null;
  readonly doc: FakeDocument;

  constructor(doc: FakeDocument, init: FakeLayerInit) {
    const group = init.kind === CONSTANTS.LayerKind.GROUP;
    this.doc = doc;
    this.id = init.id;
    this._name = init.name;
    this._visible = init.visible ?? true;
    this.opacity = init.opacity ?? 100;
    this.fillOpacity = init.fillOpacity ?? 100;
    this.blendMode = init.blendMode ?? (group ? CONSTANTS.BlendMode.PASSTHROUGH : CONSTANTS.BlendMode.NORMAL);
    this.kind = init.kind;
    this.isBackgroundLayer = init.background ?? false;
    this.locked = init.locked ?? false;
    this.children = init.children ?? (group ? [] : null);
    this.raster = group ? null : (init.raster ?? emptyRaster(doc.bits, this.isBackgroundLayer ? 3 : 4));
    this.mask = init.mask ?? null;
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

  /** Photoshop reports a background layer as locked (it cannot be moved or made transparent). */
  get allLocked(): boolean {
    return this.locked || this.isBackgroundLayer;
  }

  /** Lock all locks the pixels too; a background layer can be painted on. */
  get pixelsLocked(): boolean {
    return this.locked;
  }

  /** For test set-up: no modal rule, no history. */
  setVisibleQuietly(v: boolean): void {
    this._visible = v;
  }

  get layers(): FakeLayer[] | null {
    return this.children ? [...this.children] : null;
  }

  /** Bounds of the non-transparent pixels, cached with the pixels; zeros for an empty layer; a group's span its children's. */
  get bounds(): PsBounds & { width: number; height: number } {
    const b = this.raster ? this.raster.content() : (this.children ?? []).reduce<PsBounds | undefined>((acc, l) => union(acc, l.bounds), undefined);
    return withSize(b ?? EMPTY_RECT);
  }

  get boundsNoEffects(): PsBounds & { width: number; height: number } {
    return this.bounds;
  }

  /**
   * For tests on small documents: the pixels as a document-sized RGBA copy (native range; a
   * background's alpha opaque); null for groups. Writing to it changes nothing.
   */
  get data(): NativeData | null {
    if (!this.raster) return null;
    return readRegionNow(this.raster, { left: 0, top: 0, right: this.doc.width, bottom: this.doc.height }, 4);
  }

  /** For tests: the RGBA samples (native range) of the pixel (x, y). */
  pixel(x: number, y: number): number[] {
    if (!this.raster) throw new Error(`Layer '${this._name}' is a group: it has no pixels.`);
    return Array.from(readRegionNow(this.raster, { left: x, top: y, right: x + 1, bottom: y + 1 }, 4));
  }

  move(relative: PsLayer, placement: string): void {
    this.doc.app.assertModal('Moving a layer');
    if (this.isBackgroundLayer) throw new Error('The background layer cannot be moved.');
    if (this.locked) throw new Error(`Could not move layer '${this._name}' because it is locked.`);
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

/** What a history snapshot holds: the layer tree and references to the (unchanging) rasters. */
interface Snapshot {
  tree: { layer: FakeLayer; name: string; visible: boolean; raster: Raster | null; mask: Raster | null; children: Snapshot['tree'] | null }[];
  active: number[];
  selection: Raster | null;
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
  /** One channel, native range, stored over the selection's bounds; null when nothing is selected. */
  selectionRaster: Raster | null = null;
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

  /** The whole canvas as a rectangle. */
  get rect(): PsBounds {
    return { left: 0, top: 0, right: this.width, bottom: this.height };
  }

  emptyPlane(channels: number): NativeData {
    return nativeArray(this.bits, this.width * this.height * channels);
  }

  get layers(): FakeLayer[] {
    return [...this.tree];
  }

  get activeLayers(): FakeLayer[] {
    return this.activeIds.map((id) => this.find(id)).filter((l): l is FakeLayer => l !== undefined);
  }

  /** Bounds of the selected pixels, cached with the selection; null when nothing is selected. */
  get selection(): { readonly bounds: PsBounds | null } {
    const doc = this;
    return {
      get bounds() {
        return doc.selectionRaster?.content() ?? null;
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

  /**
   * Like Photoshop: a new empty pixel layer directly above the active layer, which it becomes.
   * Photoshop makes new layers in the ACTIVE document whatever document the call names, so the
   * fake refuses the call on any other document rather than put the layer somewhere wrong.
   */
  async createPixelLayer(options: { name?: string; opacity?: number; blendMode?: string; fillNeutral?: boolean } = {}): Promise<FakeLayer> {
    this.app.assertModal('Creating a layer');
    if (this.closed) throw new Error(`The document '${this.title}' is closed.`);
    if (this.app.active() !== this) {
      throw new Error(`createPixelLayer on '${this.title}', which is not the active document: Photoshop makes new layers in the active document (set app.activeDocument first).`);
    }
    const layer = new FakeLayer(this, { id: this.app.nextId(), name: options.name ?? 'Layer', kind: CONSTANTS.LayerKind.NORMAL, opacity: options.opacity, blendMode: options.blendMode });
    const active = this.activeLayers[0];
    const place = active ? this.locate(active) : undefined;
    if (place) place[0].splice(place[1], 0, layer);
    else this.tree.unshift(layer);
    this.activeIds = [layer.id];
    this.app.recordChange(this, 'New Layer', 'make');
    return layer;
  }

  /** Bytes the document's pixels, masks and selection keep (procedural rasters: none). */
  storedBytes(): number {
    return this.allLayers().reduce((n, l) => n + (l.raster?.bytes ?? 0) + (l.mask?.bytes ?? 0), this.selectionRaster?.bytes ?? 0);
  }

  /** A history state: the tree and references to the pixels (they are never changed in place). */
  snapshot(): Snapshot {
    const take = (list: Tree): Snapshot['tree'] =>
      list.map((layer) => ({ layer, name: layer.name, visible: layer.visible, raster: layer.raster, mask: layer.mask, children: layer.children ? take(layer.children) : null }));
    return { tree: take(this.tree), active: [...this.activeIds], selection: this.selectionRaster };
  }

  restore(s: Snapshot): void {
    const put = (entries: Snapshot['tree']): Tree =>
      entries.map((e) => {
        const l = e.layer as unknown as { _name: string; _visible: boolean };
        l._name = e.name;
        l._visible = e.visible;
        e.layer.raster = e.raster;
        e.layer.mask = e.mask;
        e.layer.children = e.children ? put(e.children) : null;
        return e.layer;
      });
    this.tree = put(s.tree);
    this.activeIds = s.active;
    this.selectionRaster = s.selection;
  }
}
