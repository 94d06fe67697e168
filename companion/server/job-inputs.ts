// A checked submission's planes as the pipelines take them, shared by the companion (planes
// uploaded over its socket) and a queue worker (planes fetched from Redis): how many channels each
// plane keeps, which inputs they make, and the depth the result goes back at.
import type { BitsPerChannel, InputPlaneName } from '../../shared/frames.js';
import type { PlaneDeclaration } from '../../shared/protocol.js';
import type { CheckedSubmit } from '../../shared/validate.js';
import type { Image } from '../image/image.js';
import type { HarmonizeInputs, PhotoStyleInputs } from '../pipeline/types.js';

/** Channels a plane is decoded into: alpha is dropped but for the pasted layer of a job in parts, whose alpha is its shape. */
export function decodedChannels(decl: PlaneDeclaration): number {
  return decl.channels === 1 ? 1 : decl.plane === 'pasted' ? 4 : 3;
}

/** A job's planes as harmonize takes them: a whole document, or the parts of one with their places. */
export function harmonizeInputs(checked: CheckedSubmit, images: Map<InputPlaneName, Image>): HarmonizeInputs {
  if (!checked.document) return { painting: images.get('painting')!, composite: images.get('composite')!, mask: images.get('mask')!, dilatedMask: images.get('dilatedMask') };
  const part = (name: InputPlaneName) => {
    const d = checked.planes.get(name)!;
    return { region: { x0: d.left!, y0: d.top!, width: d.width, height: d.height }, image: images.get(name)! };
  };
  return { document: checked.document, painting: images.get('painting')!, window: part('paintingWindow'), pasted: part('pasted'), mask: part('mask') };
}

export function photoStyleInputs(images: Map<InputPlaneName, Image>): PhotoStyleInputs {
  return { content: images.get('content')!, style: images.get('style')!, contentLabels: images.get('contentLabels'), styleLabels: images.get('styleLabels') };
}

/** The depth a result goes back at: the depth of the image it replaces. */
export function resultBits(checked: CheckedSubmit): BitsPerChannel {
  const plane: InputPlaneName = checked.options.mode === 'photo-style' ? 'content' : checked.document ? 'painting' : 'composite';
  return checked.planes.get(plane)?.bitsPerChannel ?? 8;
}
