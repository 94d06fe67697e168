// Inputs of a photo style job at working size: the content and style photos (each scaled so its
// longer side is at most `size`, never enlarged) and their label masks, decoded, checked and
// paired (spec §2.1). Runs before the model is loaded, so bad labels fail at once.
import { PainterlyError } from '../../../shared/errors.js';
import type { Image } from '../../image/image.js';
import { resize, workingSize } from '../../image/resize.js';
import { checkLabelSize, decodeLabels, pairLabels, singleLabel, LABEL_COLOURS, type LabelMasks, type LabelPairing } from './labels.js';

/** Smallest working side: below this the deepest style layers have no grid left. */
export const MIN_SIDE = 16;

export interface PhotoStyleImages {
  content: Image;
  style: Image;
  contentLabels?: Image;
  styleLabels?: Image;
}

export interface PreparedInputs {
  /** RGB, working size. */
  content: Image;
  style: Image;
  contentLabels: LabelMasks;
  styleLabels: LabelMasks;
  pairing: LabelPairing;
  /** Sentences for the user (labels in one image only). */
  notes: string[];
}

export function prepareInputs(inputs: PhotoStyleImages, size: number): PreparedInputs {
  const { contentLabels, styleLabels } = inputs;
  if (!contentLabels !== !styleLabels) {
    const missing = contentLabels ? 'style' : 'content';
    throw new PainterlyError('BAD_ARGUMENT', `Label images come in pairs: the ${missing} labels are missing. Give both or neither.`);
  }
  if (contentLabels) checkLabelSize(contentLabels, inputs.content, 'content');
  if (styleLabels) checkLabelSize(styleLabels, inputs.style, 'style');

  const content = toWorkingSize(inputs.content, size, 'content');
  const style = toWorkingSize(inputs.style, size, 'style');
  const cl = contentLabels ? decodeLabels(contentLabels, content.width, content.height) : singleLabel(content.width, content.height);
  const sl = styleLabels ? decodeLabels(styleLabels, style.width, style.height) : singleLabel(style.width, style.height);
  const pairing = pairLabels(cl, sl);
  if (pairing.used.length === 0) {
    const names = (m: LabelMasks): string => LABEL_COLOURS.filter((_, k) => m.counts[k] > 0).map((c) => c.name).join(', ') || 'none';
    throw new PainterlyError(
      'BAD_ARGUMENT',
      `The content and style labels share no label colour (content: ${names(cl)}; style: ${names(sl)}), so nothing would be restyled.`,
    );
  }
  return { content, style, contentLabels: cl, styleLabels: sl, pairing, notes: pairing.notes };
}

function toWorkingSize(img: Image, size: number, what: string): Image {
  const { width: w, height: h } = img;
  const ws = Math.max(w, h) > size ? workingSize(w, h, size) : { width: w, height: h };
  if (Math.min(ws.width, ws.height) < MIN_SIDE) {
    throw new PainterlyError('BAD_ARGUMENT', `The ${what} photo is ${ws.width}×${ws.height} at working size; each side needs at least ${MIN_SIDE} px.`);
  }
  return toRgb(ws.width === w && ws.height === h ? img : resize(img, ws.width, ws.height));
}

/** RGB view of a 3- or 4-channel image (alpha dropped); grey is replicated. */
export function toRgb(img: Image): Image {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const ch = img.channels;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = img.data[i * ch + (ch < 3 ? 0 : c)];
  return { width: img.width, height: img.height, channels: 3, data };
}
