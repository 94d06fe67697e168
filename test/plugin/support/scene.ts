// The test scene shared by the panel's unit and end-to-end tests: a painting (background
// layer with a deterministic pattern), a pasted object on its own layer, optionally a selection
// around the object. Runs in Node and in the browser.
import type { FakeDocument, FakeDocumentSpec, FakePhotoshop, FakeRect, RGBA } from '../fake-photoshop.js';

export interface SceneOptions {
  width?: number;
  height?: number;
  bits?: 8 | 16;
  /** The pasted object's opaque rectangle. */
  object?: FakeRect;
  /** Selection around the object (default: 2 px margin); null: no selection. */
  selection?: FakeRect | null;
  mode?: FakeDocumentSpec['mode'];
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

export function addScene(fake: FakePhotoshop, opts: SceneOptions = {}): Scene {
  const width = opts.width ?? 64;
  const height = opts.height ?? 48;
  const object = opts.object ?? { left: 22, top: 16, right: 42, bottom: 30 };
  const selection = opts.selection === undefined ? { left: object.left - 2, top: object.top - 2, right: object.right + 2, bottom: object.bottom + 2 } : opts.selection;
  const doc = fake.addDocument({
    title: 'Harbour.psd',
    width,
    height,
    bits: opts.bits ?? 8,
    mode: opts.mode,
    layers: [
      { name: 'Pasted object', fill: objectColour(object) },
      { name: 'Painting', background: true, fill: paintingColour },
    ],
    active: 'Pasted object',
    ...(selection ? { selection } : {}),
  });
  return { doc, object, selection };
}
