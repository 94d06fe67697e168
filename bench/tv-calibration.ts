// TV calibration per backbone (§11): at the first evaluation of each pass, the ratio
// |network image gradient| / |TV image gradient| with the spec's (VGG-tuned) TV weight. A
// backbone's TV factor should bring its ratio to VGG's, i.e. factor = ratio / ratio(VGG);
// this prints the measured ratios, the factors they imply and the ones in the descriptions.
//   npm run bench -- tv [--backbones squeezenet,googlenet] [--examples 1,16] [--size 350] [--pass1-iters 100]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { harmonize } from '../companion/pipeline/harmonize/harmonize.js';
import { loadNetwork, type Network } from '../companion/compute/network.js';
import { openStep, type StepSpec } from '../companion/compute/graphs/step.js';
import { readImage, readMask } from '../companion/image/io.js';
import { KIT, kitWeights } from '../eval/shared-kit.js';
import type { PreparedPass } from '../companion/pipeline/harmonize/context.js';

async function gradNorm(net: Network, spec: StepSpec, x: Float32Array): Promise<number> {
  const s = await openStep(net, spec);
  try {
    const g = (await s.evaluate(x)).grad;
    return Math.sqrt(g.reduce((a, v) => a + v * v, 0));
  } finally {
    await s.release();
  }
}

/** |net| / |TV| for a prepared pass, with the TV weight the spec gives before any backbone factor. */
async function ratio(net: Network, p: PreparedPass, factor: number): Promise<number> {
  const network = await gradNorm(net, { ...p.step, tvWeight: 0 }, p.x.data);
  const noHeads = p.step.taps.map((t) => ({ ...t, heads: t.heads.map(() => ({ kind: 'maskOnly', weight: 0 }) as const) }));
  const tv = await gradNorm(net, { ...p.step, taps: noHeads, tvWeight: p.step.tvWeight / factor }, p.x.data);
  return network / tv;
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backbones: { type: 'string', default: 'vgg19-shallow,squeezenet,googlenet' }, examples: { type: 'string', default: '1,16' },
      size: { type: 'string', default: '350' }, 'pass1-iters': { type: 'string', default: '100' },
    },
  });
  const data = join(KIT, 'dph-examples', 'data');
  const table: Record<string, number[][]> = {};
  for (const backbone of v.backbones!.split(',')) {
    const net = await loadNetwork(backbone, { weightsFile: kitWeights(backbone), device: 'cpu' });
    table[backbone] = [];
    for (const k of v.examples!.split(',')) {
      const got: number[] = [];
      await harmonize({
        painting: await readImage(join(data, `${k}_target.jpg`)), composite: await readImage(join(data, `${k}_naive.jpg`)),
        mask: await readMask(join(data, `${k}_c_mask.jpg`)), dilatedMask: await readMask(join(data, `${k}_c_mask_dilated.jpg`)),
      }, { backbone: backbone as never, size: Number(v.size), pass1Iters: Number(v['pass1-iters']), pass2Iters: 0, postProcess: false, device: 'cpu' }, {}, {
        network: net,
        onPrepared: async (pass, p) => { got.push(await ratio(net, p, pass === 1 ? net.spec.tvScale.pass1 : net.spec.tvScale.pass2)); },
      });
      table[backbone].push(got);
      console.log(`${backbone} example ${k}: |net| / |TV| at the first evaluation: pass 1 ${got[0].toPrecision(3)}, pass 2 ${got[1].toPrecision(3)}`);
    }
  }
  const mean = (rows: number[][], i: number): number => Math.exp(rows.reduce((a, r) => a + Math.log(r[i]), 0) / rows.length);
  const ref = table['vgg19-shallow'];
  if (!ref) return;
  for (const [backbone, rows] of Object.entries(table)) {
    const net = await loadNetwork(backbone, { weightsFile: kitWeights(backbone), device: 'cpu' });
    console.log(`${backbone}: implied TV factors pass 1 ${(mean(rows, 0) / mean(ref, 0)).toPrecision(2)}, pass 2 ${(mean(rows, 1) / mean(ref, 1)).toPrecision(2)}; ` +
      `in the description ${net.spec.tvScale.pass1} / ${net.spec.tvScale.pass2}`);
  }
}
