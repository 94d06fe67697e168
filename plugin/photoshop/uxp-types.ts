// The part of Photoshop's `photoshop` and `uxp` modules that Painterly uses, typed by hand from
// Adobe's UXP reference (`photoshop.core`, `imaging`, `app`; @types/photoshop is not a
// dependency). The adapter and the test fake both implement against these shapes, so a drift
// shows up in `tsc`.

/** Imaging API rectangles: right and bottom are exclusive. */
export interface PsBounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export type PsComponentData = Uint8Array | Uint16Array | Float32Array;

export interface PsImageData {
  readonly width: number;
  readonly height: number;
  readonly colorSpace: 'RGB' | 'Grayscale' | 'Lab';
  readonly colorProfile: string;
  readonly hasAlpha: boolean;
  readonly components: number;
  readonly componentSize: 8 | 16 | 32;
  readonly pixelFormat: 'RGB' | 'RGBA' | 'Grayscale' | 'GrayscaleAlpha' | 'LAB' | 'LABAlpha';
  readonly isChunky: boolean;
  readonly type: string;
  /** 16-bit data is 0..32768 unless `fullRange` is true (then 0..65535). */
  getData(options?: { chunky?: boolean; fullRange?: boolean }): Promise<PsComponentData>;
  /** Frees the pixels now (synchronous). */
  dispose(): void;
}

export interface PsGetPixelsOptions {
  documentID?: number;
  layerID?: number;
  historyStateID?: number;
  sourceBounds?: PsBounds;
  targetSize?: { width?: number; height?: number };
  colorSpace?: 'RGB' | 'Grayscale' | 'Lab';
  colorProfile?: string;
  componentSize?: -1 | 8 | 16 | 32;
  applyAlpha?: boolean;
}

export interface PsPixelsResult {
  imageData: PsImageData;
  /**
   * Where the returned pixels lie: trimmed to the area that has pixels. With `targetSize`, in the
   * coordinates of the pyramid level Photoshop read (`level`: 0 the full canvas, 1 half, …), and
   * the image data is scaled to the target size.
   */
  sourceBounds: PsBounds;
  level: number;
}

export interface PsLayerMaskOptions {
  documentID?: number;
  layerID: number;
  /** 'user' (a pixel mask, the default) or 'vector'. */
  kind?: 'user' | 'vector';
  sourceBounds?: PsBounds;
  targetSize?: { width?: number; height?: number };
}

export interface PsImaging {
  getPixels(options: PsGetPixelsOptions): Promise<PsPixelsResult>;
  getSelection(options: { documentID?: number; sourceBounds?: PsBounds; targetSize?: { width?: number; height?: number } }): Promise<{ imageData: PsImageData; sourceBounds: PsBounds; level?: number }>;
  /** A layer's mask as one grey component (255 / 32768 shows the layer). Rejects when the layer has no mask of that kind. */
  getLayerMask(options: PsLayerMaskOptions): Promise<{ imageData: PsImageData; sourceBounds: PsBounds; level?: number }>;
  createImageDataFromBuffer(
    data: PsComponentData,
    options: { width: number; height: number; components: number; colorSpace: 'RGB' | 'Grayscale' | 'Lab'; chunky?: boolean; colorProfile?: string; fullRange?: boolean },
  ): Promise<PsImageData>;
  putPixels(options: { documentID?: number; layerID: number; imageData: PsImageData; replace?: boolean; targetBounds?: { left: number; top: number }; commandName?: string }): Promise<void>;
  /** JPEG bytes, or their base64 text when `base64` is true (RGB data only). */
  encodeImageData(options: { imageData: PsImageData; base64?: boolean }): Promise<number[] | string>;
}

export interface PsLayer {
  readonly id: number;
  name: string;
  visible: boolean;
  /** 0–100. */
  readonly opacity: number;
  /** 0–100; scales the pixels but not the layer's effects. */
  readonly fillOpacity: number;
  /** A constants.BlendMode value, e.g. 'normal'. */
  readonly blendMode: string;
  readonly kind: string;
  readonly isBackgroundLayer: boolean;
  readonly allLocked: boolean;
  readonly pixelsLocked: boolean;
  /** Bounds of the layer's pixels (with effects); all zero for an empty layer. */
  readonly bounds: PsBounds & { width: number; height: number };
  readonly boundsNoEffects: PsBounds & { width: number; height: number };
  /** Child layers of a group, else null/undefined. */
  readonly layers?: PsLayer[] | null;
  move(relativeObject: PsLayer, insertLocation: string): void | Promise<void>;
}

export interface PsDocument {
  readonly id: number;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  /** A constants.DocumentMode value, e.g. 'RGBColorMode'. */
  readonly mode: string;
  /** A constants.BitsPerChannelType value, e.g. 'bitDepth8'. */
  readonly bitsPerChannel: string;
  readonly colorProfileName: string;
  /** Top-level layers, topmost first. */
  readonly layers: PsLayer[];
  readonly activeLayers: PsLayer[];
  /** Photoshop 25.0+: `bounds` is null when nothing is selected. */
  readonly selection: { readonly bounds: PsBounds | null };
  createPixelLayer(options?: { name?: string; opacity?: number; blendMode?: string; fillNeutral?: boolean }): Promise<PsLayer | null>;
}

export interface PsHostControl {
  suspendHistory(options: { documentID: number; name: string }): Promise<number>;
  resumeHistory(suspensionID: number, commit?: boolean): Promise<void>;
}

export interface PsExecutionContext {
  readonly isCancelled: boolean;
  onCancel?: () => void;
  reportProgress(options: { value: number; commandName?: string }): void;
  readonly hostControl: PsHostControl;
}

export interface PhotoshopModule {
  app: {
    /** Null (or a throw, in some versions) when no document is open. Settable inside executeAsModal. */
    activeDocument: PsDocument | null;
    readonly documents: ArrayLike<PsDocument>;
  };
  core: {
    executeAsModal<T>(fn: (context: PsExecutionContext, descriptor?: unknown) => Promise<T>, options: { commandName: string; interactive?: boolean; timeOut?: number }): Promise<T>;
  };
  imaging: PsImaging;
  constants: {
    DocumentMode: { RGB: string; CMYK: string; LAB: string; GRAYSCALE: string; INDEXEDCOLOR: string; BITMAP: string; DUOTONE: string; MULTICHANNEL: string };
    BitsPerChannelType: { ONE: string; EIGHT: string; SIXTEEN: string; THIRTYTWO: string };
    ElementPlacement: { PLACEBEFORE: string; PLACEAFTER: string };
    LayerKind: { NORMAL: string; GROUP: string; SMARTOBJECT: string };
    BlendMode: { NORMAL: string; PASSTHROUGH: string; MULTIPLY: string; SCREEN: string };
  };
  action?: {
    addNotificationListener(events: string[], listener: (event: string, descriptor: unknown) => void): Promise<void> | void;
    removeNotificationListener(events: string[], listener: (event: string, descriptor: unknown) => void): Promise<void> | void;
  };
}

export interface UxpModule {
  storage: {
    secureStorage: {
      /** The value as bytes; null/undefined (or a rejection) when there is none. */
      getItem(key: string): Promise<Uint8Array | null | undefined>;
      setItem(key: string, value: string | ArrayBuffer | ArrayBufferView): Promise<void>;
      removeItem(key: string): Promise<void>;
    };
  };
}
