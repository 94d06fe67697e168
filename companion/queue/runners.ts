// Runners whose jobs run on the studio's queue: what the companion uses as a gateway (`serve
// --queue`) and a batch with `--queue`. The pipeline's inputs become the protocol's planes (a whole
// document, or a document in parts with their places), exactly as the panel would send them.
import type { Image } from '../image/image.js';
import { isParts, type HarmonizeInputs, type PhotoStyleInputs } from '../pipeline/types.js';
import type { Runners } from '../pipeline/runners.js';
import type { QueueClient, RemotePlane } from './client.js';

const whole = (plane: RemotePlane['plane'], image: Image | undefined, channels: number): RemotePlane[] => (image ? [{ plane, image, channels }] : []);

export function harmonizePlanes(inputs: HarmonizeInputs): { planes: RemotePlane[]; document?: { width: number; height: number } } {
  if (!isParts(inputs)) {
    return { planes: [...whole('painting', inputs.painting, 3), ...whole('composite', inputs.composite, 3), ...whole('mask', inputs.mask, 1), ...whole('dilatedMask', inputs.dilatedMask, 1)] };
  }
  const part = (plane: RemotePlane['plane'], p: { region: { x0: number; y0: number }; image: Image }, channels: number): RemotePlane => ({ plane, image: p.image, channels, left: p.region.x0, top: p.region.y0 });
  return {
    document: inputs.document,
    planes: [...whole('painting', inputs.painting, 3), part('paintingWindow', inputs.window, 3), part('pasted', inputs.pasted, 4), part('mask', inputs.mask, 1)],
  };
}

function photoStylePlanes(inputs: PhotoStyleInputs): RemotePlane[] {
  return [...whole('content', inputs.content, 3), ...whole('style', inputs.style, 3), ...whole('contentLabels', inputs.contentLabels, 3), ...whole('styleLabels', inputs.styleLabels, 3)];
}

/** Runners that send each job to the queue, each under a new id. */
export function queueRunners(client: QueueClient): Runners {
  return {
    remote: true,
    harmonize: async (inputs, options, hooks) => {
      const { device: _device, weightsFile: _weights, ...resolved } = options;
      const r = await client.run({ options: resolved, ...harmonizePlanes(inputs) }, hooks);
      const tau = r.tau ?? (typeof resolved.tau === 'number' ? resolved.tau : Number.NaN);
      return { image: r.image, ...(r.region ? { region: r.region } : {}), stages: {}, device: `${r.device} on ${r.worker}`, restarts: [0, 0], tau, ...(r.auto ? { auto: r.auto } : {}) };
    },
    photoStyle: async (inputs, options, hooks) => {
      const { device: _device, weightsFile: _weights, ...resolved } = options;
      const r = await client.run({ options: resolved, planes: photoStylePlanes(inputs) }, hooks);
      return { image: r.image, stages: {}, device: `${r.device} on ${r.worker}`, restarts: [0, 0] };
    },
  };
}
