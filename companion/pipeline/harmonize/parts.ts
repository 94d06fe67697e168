// A document given in parts (the panel: types.ts HarmonizeParts) turned into what the job reads:
// the inputs at the working size (§1) and views of the document's own pixels for native detail
// and the enlargement. Each is what the whole document gives, computed from the parts: the masks
// exactly (the Torch resize of the zero-padded document-sized mask, computed only where it is not
// 0), the painting as the panel resampled it, and the naive composite up to its formula at the
// pasted layer's partly transparent edges (naiveComposite).
import { firstChannel, toRgb, type Image } from '../../image/image.js';
import type { Size } from '../../image/planar.js';
import { padToCanvas, resize, resizeZeroPadded } from '../../image/resize.js';
import type { DocumentPart, HarmonizeParts } from '../types.js';
import { refuseOutside, zeroOutside, type DocumentView } from './document-view.js';
import { dilationSize, holdObject, looseMask, workingSizeOf, type WorkingImages } from './setup.js';

/** §1 for a document in parts: the working-size painting, naive composite, tight and loose masks. */
export function partsWorkingImages(parts: HarmonizeParts, size: number): WorkingImages {
  const doc = parts.document;
  const { width: W, height: H } = workingSizeOf(doc, size);
  // The panel's painting is on the paper's canvas (shared/native-window.ts paperPaintingSide):
  // the working size itself (then this is a copy), or 700 px when the working size is smaller
  // (the noise is measured there), or the document when it is smaller still.
  const painting = toRgb(resize(parts.painting, W, H));
  const tight = maskAt(parts.mask, doc, { width: W, height: H });
  const dilated = looseMask(maskAt(parts.mask, doc, dilationSize(doc)), W, H);
  holdObject(tight, dilated);
  return { painting, naive: naiveComposite(parts.pasted, doc, painting), tight, dilated };
}

/** The document's painting (refused outside the window the panel sent) and tight mask (0 outside its region), as native detail reads them. */
export function partsViews(parts: HarmonizeParts): { painting: DocumentView; mask: DocumentView } {
  return {
    painting: refuseOutside(parts.window, parts.document, 'the painting window'),
    mask: zeroOutside({ region: parts.mask.region, image: firstChannel(parts.mask.image) }, parts.document, 'the mask'),
  };
}

/** The tight mask at `at`: Torch's resize of the document-sized mask (0 outside its part), exact, computed only where it is not 0. */
function maskAt(mask: DocumentPart, doc: Size, at: Size): Image {
  return padToCanvas(resizeZeroPadded({ region: mask.region, image: firstChannel(mask.image) }, doc, at.width, at.height), at);
}

/**
 * The working-size naive composite, resize(a·p + (1 − a)·P) for the pasted layer's colour p and
 * alpha a over the document's painting P, from the pasted layer and the working-size painting.
 * The resize is linear, so that is resize(a·p) + resize((1 − a)·P); the panel does not send P
 * under all of the pasted layer, so the second term is taken as (1 − resize(a)) times the
 * working-size painting (resize(P) when the panel's painting is the working size). The
 * two agree exactly wherever a is the same (0 or 1) over every document pixel a working pixel
 * averages: there 1 − a factors out of the average (and the float operations are those of the
 * whole resize: 1·p = p, 0·p = 0, and an average of 1s is 1). At a working pixel across an edge
 * of the layer — a soft or partly transparent one, or a hard one off the working grid — they
 * differ by how a and P vary together across the pixel: small where the painting is smooth at
 * the working pixel's scale.
 */
function naiveComposite(pasted: DocumentPart, doc: Size, painting: Image): Image {
  const { width: W, height: H } = painting;
  const { image, region } = pasted;
  // a·p in the colour channels, a in the fourth: resized together, each channel on its own.
  const premultiplied = new Float32Array(image.data.length);
  for (let i = 0; i < image.data.length; i += 4) {
    const a = image.data[i + 3];
    for (let c = 0; c < 3; c++) premultiplied[i + c] = a * image.data[i + c];
    premultiplied[i + 3] = a;
  }
  // Only the working pixels that read the layer's region; elsewhere both terms are 0 and the composite is the painting.
  const { region: r, image: small } = resizeZeroPadded({ region, image: { ...image, data: premultiplied } }, doc, W, H);
  const out: Image = { ...painting, data: painting.data.slice() };
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const k = (y * r.width + x) * 4;
      const i = ((r.y0 + y) * W + r.x0 + x) * 3;
      for (let c = 0; c < 3; c++) out.data[i + c] = small.data[k + c] + (1 - small.data[k + 3]) * painting.data[i + c];
    }
  }
  return out;
}
