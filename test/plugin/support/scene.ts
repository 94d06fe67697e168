// The test scenes shared by the panel's unit and end-to-end tests and the bench: a painting
// (background layer with a deterministic pattern), a pasted object on its own layer (optionally
// masked, faded, blended, a smart object, locked), optionally a selection around the object; a
// second document; and the bench's big scene. Runs in Node and in the browser.
import type { FakeDocument, FakeDocumentSpec, FakeLayerSpec, FakePhotoshop, FakeRect, RGBA } from '../fake-photoshop.js';

/** How the pasted layer differs from a plain pixel layer. */
export interface PastedOptions {
  /** A user mask, 0..1 (1 shows the layer); see halfMask. */
  mask?: (x: number, y: number) => number;
  /** 0–100. */
  opacity?: number;
  /** 0–100. */
  fillOpacity?: number;
  /** A constants.BlendMode value, e.g. 'multiply'. */
  blendMode?: string;
  /** A smart object (getPixels gives its rendered pixels; putPixels refuses it). */
  smartObject?: boolean;
  /** Lock all. */
  locked?: boolean;
}

export interface SceneOptions {
  width?: number;
  height?: number;
  bits?: 8 | 16;
  /** The pasted object's opaque rectangle. */
  object?: FakeRect;
  /** Selection around the object (default: 2 px margin); null: no selection. */
  selection?: FakeRect | null;
  mode?: FakeDocumentSpec['mode'];
  /** Default 'Harbour.psd'. */
  title?: string;
  pasted?: PastedOptions;
  /** Make the new document the active one, as opening it does (default true). */
  activate?: boolean;
}

export interface Scene {
  doc: FakeDocument;
  object: FakeRect;
  selection: FakeRect | null;
}

export function paintingColour(x: number, y: number): RGBA {
  return [((x * 7) % 64) / 63, ((y * 5) % 48) / 47, ((x + 2 * y) % 32) / 31, 1];
}

/** The pasted object: a warm rectangle whose 1-px rim is half transparent. */
export function objectColour(object: FakeRect): (x: number, y: number) => RGBA | undefined {
  return (x, y) => {
    if (x < object.left || x >= object.right || y < object.top || y >= object.bottom) return undefined;
    const rim = x === object.left || x === object.right - 1 || y === object.top || y === object.bottom - 1;
    return [0.92, 0.35 + 0.01 * (x - object.left), 0.18, rim ? 0.5 : 1];
  };
}

/** A user mask that shows the object's left half and hides its right half (and everything right of it). */
export function halfMask(object: FakeRect): (x: number, y: number) => number {
  const middle = Math.floor((object.left + object.right) / 2);
  return (x) => (x < middle ? 1 : 0);
}

function pastedLayer(object: FakeRect, p: PastedOptions = {}): FakeLayerSpec {
  return {
    name: 'Pasted object',
    fill: objectColour(object),
    area: object,
    ...(p.smartObject ? { kind: 'smartObject' } : {}),
    ...(p.mask ? { mask: p.mask } : {}),
    ...(p.opacity !== undefined ? { opacity: p.opacity } : {}),
    ...(p.fillOpacity !== undefined ? { fillOpacity: p.fillOpacity } : {}),
    ...(p.blendMode ? { blendMode: p.blendMode } : {}),
    ...(p.locked ? { locked: true } : {}),
  };
}

export function addScene(fake: FakePhotoshop, opts: SceneOptions = {}): Scene {
  const width = opts.width ?? 64;
  const height = opts.height ?? 48;
  const object = opts.object ?? { left: 22, top: 16, right: 42, bottom: 30 };
  const selection = opts.selection === undefined ? { left: object.left - 2, top: object.top - 2, right: object.right + 2, bottom: object.bottom + 2 } : opts.selection;
  const doc = fake.addDocument({
    title: opts.title ?? 'Harbour.psd',
    width,
    height,
    bits: opts.bits ?? 8,
    mode: opts.mode,
    layers: [pastedLayer(object, opts.pasted), { name: 'Painting', background: true, fill: paintingColour }],
    active: 'Pasted object',
    ...(selection ? { selection } : {}),
    ...(opts.activate === false ? { activate: false } : {}),
  });
  return { doc, object, selection };
}

/** A second open document ('Study.psd', 80×60, its object elsewhere); it becomes the active one unless `activate: false`. */
export function addSecondDocument(fake: FakePhotoshop, opts: SceneOptions = {}): Scene {
  return addScene(fake, { title: 'Study.psd', width: 80, height: 60, object: { left: 10, top: 30, right: 34, bottom: 50 }, ...opts });
}

export interface BigSceneOptions {
  /** Default 8000 × 6000. */
  width?: number;
  height?: number;
  /** Default 16. */
  bits?: 8 | 16;
  /** The pasted object's rectangle; default 2000 × 2000 at (3000, 2000). */
  object?: FakeRect;
  /** The selection's margin around the object; default 16 px. */
  margin?: number;
  /** Store the painting (8000 × 6000 × 3 × 2 bytes = 288 MB) instead of computing its rows on every read. */
  storedPainting?: boolean;
}

/**
 * The bench's scene: an 8000 × 6000 16-bit painting (a cheap deterministic pattern on gradients,
 * procedural: it takes no memory), a 2000 × 2000 pasted object with a soft 1-px rim (stored over
 * its bounds: 32 MB), and a selection around it (stored over its bounds: about 8 MB). Builds in
 * well under a second.
 */
export function bigScene(fake: FakePhotoshop, opts: BigSceneOptions = {}): Scene {
  const width = opts.width ?? 8000;
  const height = opts.height ?? 6000;
  const object = opts.object ?? { left: 3000, top: 2000, right: 5000, bottom: 4000 };
  const margin = opts.margin ?? 16;
  const selection = { left: Math.max(0, object.left - margin), top: Math.max(0, object.top - margin), right: Math.min(width, object.right + margin), bottom: Math.min(height, object.bottom + margin) };
  const painting = (y: number, row: Float32Array, left: number) => {
    for (let i = 0; i < row.length / 4; i++) {
      const x = left + i;
      row[i * 4] = 0.2 + (0.5 * x) / width + (0.1 * ((x * 7) % 64)) / 63;
      row[i * 4 + 1] = 0.25 + (0.4 * y) / height + (0.1 * ((y * 5) % 48)) / 47;
      row[i * 4 + 2] = 0.45 + (0.15 * ((x + 2 * y) % 32)) / 31;
      row[i * 4 + 3] = 1;
    }
  };
  const ow = object.right - object.left;
  const pasted = (y: number, row: Float32Array, left: number) => {
    const rimRow = y === object.top || y === object.bottom - 1;
    for (let i = 0; i < row.length / 4; i++) {
      const x = left + i;
      const rim = rimRow || x === object.left || x === object.right - 1;
      row[i * 4] = 0.92;
      row[i * 4 + 1] = 0.35 + (0.3 * (x - object.left)) / ow;
      row[i * 4 + 2] = 0.18 + (0.2 * (y - object.top)) / ow;
      row[i * 4 + 3] = rim ? 0.5 : 1;
    }
  };
  const doc = fake.addDocument({
    title: 'Big.psd',
    width,
    height,
    bits: opts.bits ?? 16,
    layers: [
      { name: 'Pasted object', fillRows: pasted, area: object },
      { name: 'Painting', background: true, fillRows: painting, procedural: !opts.storedPainting },
    ],
    active: 'Pasted object',
    selection,
  });
  return { doc, object, selection };
}
