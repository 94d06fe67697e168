// DPH post-processing (spec §5, the original `filt_cnn_artifact.m`): removes colour speckle and
// high-frequency CNN artefacts from the pass-2 result.
//   1. soft compositing mask sM from the tight mask;
//   2. chroma denoising: Lab a and b guided-filtered with the naive composite as guide → O1;
//   3. PatchMatch O1 → painting (7×7) and voting of the painting's pixels → O2_base;
//   4. O2 = O2_base + (O1 − gauss_σ1(O1)): colour from the painting, detail from O1;
//      (the blurs of steps 1 and 4 replicate the canvas edge; the original's zero padding fades
//      an object that reaches the edge and brightens its last pixels there);
//   5. out = O2·sM + painting·(1 − sM).
// Where the paper and the code differ we follow the code (spec §9 items 6–7): the guide is the
// naive composite's RGB (not its luminance), the detail split uses a 7×7 σ = 1 Gaussian (not a
// guided filter), and the mask blurs use MATLAB's true σ = 3 (not Torch's box-like kernel).
import { PainterlyError, throwIfCancelled } from '../../../shared/errors.js';
import { gaussianBlur } from '../../image/gaussian.js';
import { guidedFilterColor } from '../../image/guided-filter.js';
import type { Image } from '../../image/image.js';
import { labToRgb, rgbToLab } from '../../image/lab.js';
import { computeNnfAndVote } from '../../image/patchmatch.js';

export interface PostProcessOptions {
  signal?: AbortSignal;
  /** Called as each of its POST_STEPS steps starts (done = steps finished so far). */
  onStep?: (done: number, total: number) => void;
  /** PatchMatch worker threads (0 = this thread). */
  workers?: number;
  /** PatchMatch seed; the only randomness in DPH (default 0). */
  seed?: number;
}

/** Guided-filter settings of the original (its comments suggest r ∈ {2,4,8}, eps ∈ {0.1²,0.2²,0.4²}). */
const GUIDED_RADIUS = 2;
const GUIDED_EPS = 0.1 * 0.1;
const POST_STEPS = 4;

/**
 * The whole of §5. All images share one size; `pass2`, `naive`, `painting` are RGB in [0, 1],
 * `tightMask` has 1 or 3 channels (a 3-channel mask blends per channel, as MATLAB does).
 * Returns an RGB image in [0, 1]; outside the soft mask it equals `painting` exactly.
 */
export async function postProcess(
  pass2: Image,
  naive: Image,
  painting: Image,
  tightMask: Image,
  opts: PostProcessOptions = {},
): Promise<Image> {
  checkInputs(pass2, naive, painting, tightMask);
  const { width: w, height: h } = painting;
  const n = w * h;
  let done = 0;
  // The steps: the soft mask, chroma denoising, PatchMatch and voting, recombination.
  const step = (): void => {
    throwIfCancelled(opts.signal, 'Post-processing was cancelled.');
    opts.onStep?.(done++, POST_STEPS);
  };

  step();
  const soft = softCompositingMask(tightMask);
  const mc = soft.channels;
  const region = votingRegion(soft);
  if (!region.data.includes(1)) return { width: w, height: h, channels: 3, data: painting.data.slice() };

  step();
  const o1 = denoiseChroma(pass2, naive);

  step();
  const { voted: o2Base } = await computeNnfAndVote(o1, painting, region, painting, o1, {
    seed: opts.seed ?? 0,
    workers: opts.workers,
    signal: opts.signal,
  });

  step();
  const o1Base = gaussianBlur(o1, 7, 1, 'replicate');
  const out = new Float32Array(n * 3);
  const p = painting.data;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const j = 3 * i + c;
      const m = soft.data[mc === 1 ? i : j];
      if (m === 0) {
        out[j] = p[j];
        continue;
      }
      const o2 = o2Base.data[j] + (o1.data[j] - o1Base.data[j]);
      const v = o2 * m + p[j] * (1 - m);
      out[j] = v > 0 ? (v < 1 ? v : 1) : 0;
    }
  }
  return { width: w, height: h, channels: 3, data: out };
}

/** Half the side of the original's PatchMatch patches (7×7). */
const PATCH_HALF = 3;

/**
 * The patch centres PatchMatch matches and votes with: every centre whose 7×7 patch touches a
 * pixel where sM (any channel) is > 0, i.e. {sM > 0} grown by 3 px (PatchMatch then moves
 * centres inward so patches lie inside the image). The original matches every patch of the
 * image; the blend only reads pixels with sM > 0, and each of those then gets the votes of all
 * the patches that cover it, as in the original — not only of the patches centred inside.
 */
export function votingRegion(soft: Image): Image {
  const { width: w, height: h, channels: mc } = soft;
  const inside = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) for (let k = 0; k < mc; k++) if (soft.data[i * mc + k] > 0) inside[i] = 1;
  // Chebyshev dilation, separable: rows, then columns.
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!inside[y * w + x]) continue;
    for (let dx = Math.max(-PATCH_HALF, -x); dx <= Math.min(PATCH_HALF, w - 1 - x); dx++) rows[y * w + x + dx] = 1;
  }
  const out: Image = { width: w, height: h, channels: 1, data: new Float32Array(w * h) };
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!rows[y * w + x]) continue;
    for (let dy = Math.max(-PATCH_HALF, -y); dy <= Math.min(PATCH_HALF, h - 1 - y); dy++) out.data[(y + dy) * w + x] = 1;
  }
  return out;
}

/**
 * Step 1: blur the tight mask (7×7, σ = 3), set > 0.01 to 1 and < 0.01 to 0 (a dilation of about
 * 3 px), blur again. Exactly 0 far from the mask, so the blend leaves the painting's pixels
 * untouched there. The blurs replicate the image's edge where the original pads with zeros: an
 * object cut off by the canvas edge would otherwise fade into the painting under it there (41 %
 * painting on the edge pixel, 65 % in a corner).
 */
export function softCompositingMask(tightMask: Image): Image {
  const once = gaussianBlur(tightMask, 7, 3, 'replicate');
  const d = once.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] > 0.01) d[i] = 1;
    else if (d[i] < 0.01) d[i] = 0;
  }
  return gaussianBlur(once, 7, 3, 'replicate');
}

/**
 * Step 2: replace Lab a and b of `img` by their colour-guided filtering with `guide` (the naive
 * composite RGB, r = 2, eps = 0.1²); L is kept. Back to RGB as the original's colorspace.m:
 * an out-of-gamut colour is desaturated (white added in linear light), then clipped to [0, 1].
 */
export function denoiseChroma(img: Image, guide: Image): Image {
  const lab = rgbToLab(img);
  const n = img.width * img.height;
  const ab: Image = { width: img.width, height: img.height, channels: 2, data: new Float32Array(2 * n) };
  for (let i = 0; i < n; i++) {
    ab.data[2 * i] = lab.data[3 * i + 1];
    ab.data[2 * i + 1] = lab.data[3 * i + 2];
  }
  const filtered = guidedFilterColor(guide, ab, GUIDED_RADIUS, GUIDED_EPS);
  for (let i = 0; i < n; i++) {
    lab.data[3 * i + 1] = filtered.data[2 * i];
    lab.data[3 * i + 2] = filtered.data[2 * i + 1];
  }
  const rgb = labToRgb(lab, { gamut: 'desaturate' });
  const d = rgb.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] > 0 ? (d[i] < 1 ? d[i] : 1) : 0;
  return rgb;
}

function checkInputs(pass2: Image, naive: Image, painting: Image, mask: Image): void {
  const named: [string, Image][] = [['pass-2 result', pass2], ['naive composite', naive], ['painting', painting], ['tight mask', mask]];
  for (const [name, img] of named) {
    if (img.width !== painting.width || img.height !== painting.height) {
      throw new PainterlyError(
        'SIZE_MISMATCH',
        `The ${name} is ${img.width}×${img.height} but the painting is ${painting.width}×${painting.height}.`,
      );
    }
    const want = img === mask ? [1, 3] : [3];
    if (!want.includes(img.channels)) {
      throw new PainterlyError('BAD_ARGUMENT', `The ${name} has ${img.channels} channels; expected ${want.join(' or ')}.`);
    }
  }
}
