// A nearest-neighbour field: for each patch of an image A, the patch of an image B it matched
// (PatchMatch makes it, voting reads it).
export interface Nnf {
  /** A's size. */
  width: number;
  height: number;
  patchSize: number;
  /** Matched B patch centre per A pixel; meaningful only where `active` is 1. */
  x: Int32Array;
  y: Int32Array;
  /** SSD of the match over the patch, on 0–255 values. */
  dist: Int32Array;
  /** 1 for the A patch centres that were matched. */
  active: Uint8Array;
}
