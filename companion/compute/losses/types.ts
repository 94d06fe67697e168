// Loss heads attached to a tapped layer of the step graph. Each head emits its loss value and
// its raw feature gradient u (§2.2, §3.5); the step graph weights or normalises u.

/** Masked Gram (style) loss: w·mean((G(F;M) − G_t)²), G(F;M) = (F⊙M)(F⊙M)ᵀ/(C·ΣM). */
export interface GramHead {
  kind: 'gram';
  weight: number;
  /** C×C target Gram matrix. */
  target: Float32Array;
  /**
   * The head's own mask on the layer grid (h×w), e.g. one semantic label in photo style
   * transfer; when absent the tap's mask is used.
   */
  mask?: Float32Array;
}

/** Content loss against fixed features; `maskedValue` masks the value too (pass 2). */
export interface ContentHead {
  kind: 'content';
  weight: number;
  /** C×h×w target features. */
  target: Float32Array;
  maskedValue: boolean;
  /**
   * The mean's denominator; default C·h·w of the tap. A crop passes the full image's count so
   * the loss (and, unnormalised, its weight against the others) does not depend on the crop.
   */
  count?: number;
}

/**
 * Histogram loss (§3.5, Risser et al. 2017): u = F − R at the positions I (mask > 0.1), where
 * R is the rank-based remap of F onto the reference histogram. Because the ranks run over the
 * fixed set I and the reference counts are fixed, the remapped value of the element of rank k
 * is a constant table entry: the graph sorts (TopK) and scatters `table` back by rank.
 */
export interface HistogramHead {
  kind: 'histogram';
  weight: number;
  /** Flat positions (y·w + x) of I on this layer's grid. */
  positions: Int32Array;
  /** C×|I|: entry [c, k] is the remapped value for rank k (ascending) in channel c. */
  table: Float32Array;
}

export type LossHead = GramHead | ContentHead | HistogramHead;
