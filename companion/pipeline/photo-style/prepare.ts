// Inputs of a photo style job at working size: the content and style photos (each scaled so its
// longer side is at most `size`, never enlarged) and their label masks, decoded, checked and
// paired (spec §2.1). Runs before the model is loaded, so bad labels fail at once.
import { PainterlyError } from '../../../shared/errors.js';
import { toRgb, type Image } from '../../image/image.js';
import { resize, workingSize } from '../../image/resize.js';
import { checkLabelSize, decodeLabels, pairLabels, singleLabel, LABEL_COLOURS, type LabelMasks, type LabelPairing } from './labels.js';

/** Smallest working side: below this the deepest style layers have no grid left. */
const MIN_SIDE = 16;

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
