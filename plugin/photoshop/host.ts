// What the panel needs from Photoshop, as plain data. The adapter (adapter.ts) implements it
// with the `photoshop` and `uxp` modules; nothing else in the panel touches them.

/** A rectangle in document pixels; right and bottom are exclusive. */
export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export type Samples = Uint8Array | Uint16Array;

export interface LayerSummary {
  id: number;
  name: string;
  /** 'pixel', 'group', 'text', 'smartObject', … (constants.LayerKind values). */
  kind: string;
  visible: boolean;
  isBackground: boolean;
  /** Nesting depth: 0 for top-level layers. */
  depth: number;
  /** 0–100, and the fill opacity 0–100: the layer's pixels show at their product. */
  opacity: number;
  fillOpacity: number;
  /** A constants.BlendMode value: 'normal', 'multiply', … */
  blendMode: string;
  /** Fully locked, or its pixels locked (the background is). */
  locked: boolean;
  /** Where its pixels lie (without effects); empty for an empty layer. May reach past the canvas. */
  bounds: Rect;
}

export interface DocumentSummary {
  id: number;
  title: string;
  width: number;
  height: number;
  /** 8 or 16 when supported; else the depth Photoshop reports (1, 32). */
  bits: number;
  /** 'RGB', 'CMYK', 'Lab', 'Grayscale', 'Indexed', 'Bitmap', 'Duotone', 'Multichannel'. */
  mode: string;
  /** Every layer, topmost first, groups before their children. */
  layers: LayerSummary[];
  /** The active (targeted) layers' ids. */
  activeLayerIds: number[];
  hasSelection: boolean;
  /** The selection's bounds, as Photoshop reports them (may reach past the canvas). */
  selectionBounds?: Rect;
  /** Why Painterly cannot work on this document, in plain words; absent when it can. */
  refusal?: string;
}

/** Pixels of one layer as Photoshop returned them (trimmed to where the layer has pixels). */
export interface LayerPixels {
  layerId: number;
  /** Empty (right <= left) when the layer has no pixels. */
  rect: Rect;
  /** 3 (opaque background) or 4 (RGBA). */
  components: 3 | 4;
  /** Interleaved; 16-bit data uses the full range 0..65535. */
  data: Samples;
}

export interface SelectionPixels {
  rect: Rect;
  /** One value a pixel; 8-bit 0..255 or 16-bit 0..65535. */
  data: Samples;
}

export interface PixelRead {
  documentId: number;
  width: number;
  height: number;
  bits: 8 | 16;
  layers: LayerPixels[];
  /** Present when the request asked for it and the document has a selection. */
  selection?: SelectionPixels;
}

export interface ReadRequest {
  documentId: number;
  layerIds: number[];
  selection: boolean;
}

/** Where pixels come from: a layer's own pixels, a layer's user mask, or the selection. */
export type PixelSource = { layer: number } | { layerMask: number } | { selection: true };

export interface RegionRequest {
  documentId: number;
  source: PixelSource;
  /** Document pixels to read. */
  rect: Rect;
  /** Scaled down to this size (the whole painting at the paper's scale); Photoshop may read a cached level. */
  targetSize?: { width: number; height: number };
}

/** Pixels Photoshop returned for a region: trimmed to where there are any. */
export interface RegionPixels {
  /** Document pixels they cover (for a scaled read, the trimmed area in document coordinates). */
  rect: Rect;
  width: number;
  height: number;
  /** 1 (a mask or the selection), 3 (opaque) or 4 (RGBA). */
  components: 1 | 3 | 4;
  /** Interleaved; 16-bit data uses the full range 0..65535. */
  data: Samples;
}

export interface ResultLayerRequest {
  documentId: number;
  /** The new layer goes directly above this one. */
  aboveLayerId: number;
  layerName: string;
  /** The name of the single history step. */
  historyName: string;
  /** Where the pixels go, in document coordinates. */
  rect: Rect;
  bits: 8 | 16;
  /** RGBA, interleaved, rect-sized; 16-bit data in the full range. */
  rgba: Samples;
}

export interface PhotoshopHost {
  /** The active document, or undefined when none is open. */
  activeDocument(): Promise<DocumentSummary | undefined>;
  /** One short modal read of the layers (and the selection), clipped to the canvas. */
  readPixels(request: ReadRequest): Promise<PixelRead>;
  /** One short modal read of one region; undefined when there are no pixels there (or the layer has no user mask). */
  readRegion(request: RegionRequest): Promise<RegionPixels | undefined>;
  /** One short modal write: a new layer with these pixels, as one history step. Returns its id. */
  addResultLayer(request: ResultLayerRequest): Promise<number>;
  setLayerVisible(documentId: number, layerId: number, visible: boolean): Promise<void>;
  /** A data URL an <img> can show, for 8-bit RGB preview pixels. */
  previewUrl(rgb: Uint8Array, width: number, height: number): Promise<string>;
  loadToken(): Promise<string | undefined>;
  saveToken(token: string): Promise<void>;
  /** A panel preference kept across sessions (e.g. the companion's port). */
  loadPreference(key: string): string | undefined;
  savePreference(key: string, value: string): void;
  /** Calls `listener` when the user changes documents, layers or the selection; returns an unsubscribe. */
  onDocumentChange(listener: () => void): () => void;
}
