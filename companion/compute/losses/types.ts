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
  /** See ContentHead. */
  maskOwnGradient?: boolean;
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
  /**
   * Whether the head multiplies its own gradient by the tap's mask before the step graph adds
   * it to the upstream gradient and masks the sum (default true: M⊙(M⊙u + up), DPH pass 2 and
   * photo style). DPH pass 1 sets false: `neural_gram.lua`'s modules hand back the plain
   * gradient u (its style u is ∂L/∂(F⊙M), its content u unmasked), masked once: M⊙(u + up).
   */
  maskOwnGradient?: boolean;
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

/**
 * A loss module whose own term is negligible and is not computed (DPH pass 2's histogram term
 * for smooth paintings, weight ≈ 3e-6·τ): the original still inserts the module, and its
 * backward still multiplies everything coming from deeper layers by the tap's mask.
 */
export interface MaskOnlyHead {
  kind: 'maskOnly';
  weight: 0;
}

export type LossHead = GramHead | ContentHead | HistogramHead | MaskOnlyHead;
