// `painterly harmonize`: the harmonization pipeline on files, with a progress bar and Ctrl-C.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PainterlyError } from '../../shared/errors.js';
import { BACKBONE_NAMES, getBackbone } from '../compute/backbones/index.js';
import { parseDevice } from '../compute/device.js';
import { readImage, readMask, writeImage } from '../image/io.js';
import type { BackboneName } from '../pipeline/types.js';
import type { Command } from './main.js';
import { numberOption, parseOptions } from './options.js';
import { withInterrupt } from './interrupt.js';

const HELP = `Usage: painterly harmonize --painting P --composite C --mask M --out OUT.png [options]

Repaints the pasted object of a composite in the painting's style (Deep Painterly Harmonization).

Inputs (JPEG or PNG, all the same size):
  --painting P          the painting (background)
  --composite C         the painting with the object pasted in (the naive composite)
  --mask M              white where the pasted object is (the tight mask)
  --dilated-mask D      optional looser mask; made from --mask when left out
Output:
  --out OUT.png         the harmonized image (.png or .jpg)
  --save-stages DIR     also write pass1.png, pass2.png and final.png (working size) to DIR
Options:
  --backbone NAME       ${BACKBONE_NAMES.join(' | ')} (default vgg19)
  --weights FILE        a safetensors weights file instead of the model cache
  --size N              working size, longer side in pixels (default 700)
  --tau T               style strength: 1 realistic, 5 impressionist, 10 expressive (default 5)
  --pass1-iters N       pass-1 iterations (default 1000)
  --pass2-iters N       pass-2 iterations (default 1000)
  --no-post             skip post-processing (chroma denoising, patch synthesis)
  --device D            auto | cpu | cuda | dml | coreml | webgpu (default auto)
  -h, --help            show this help`;

export const command: Command = {
  summary: 'Harmonize a pasted object into a painting.',
  async run(argv) {
    const parsed = parseOptions('harmonize', {
        args: argv,
        options: {
          painting: { type: 'string' }, composite: { type: 'string' }, mask: { type: 'string' }, 'dilated-mask': { type: 'string' },
          out: { type: 'string' }, 'save-stages': { type: 'string' }, backbone: { type: 'string' }, weights: { type: 'string' },
          size: { type: 'string' }, tau: { type: 'string' }, 'pass1-iters': { type: 'string' }, 'pass2-iters': { type: 'string' },
          'no-post': { type: 'boolean' }, device: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        },
        strict: true,
      });
    const v = parsed.values;
    if (v.help) {
      console.log(HELP);
      return 0;
    }
    for (const name of ['painting', 'composite', 'mask', 'out'] as const) {
      if (!v[name]) throw new PainterlyError('BAD_ARGUMENT', `--${name} is required. See \`painterly harmonize --help\`.`);
    }
    const backbone = getBackbone(v.backbone ?? 'vgg19').name as BackboneName;
    const device = parseDevice(v.device ?? 'auto');
    const options = {
      backbone, device, weightsFile: v.weights,
      size: numberOption(v.size, 'size', 700), tau: numberOption(v.tau, 'tau', 5),
      pass1Iters: numberOption(v['pass1-iters'], 'pass1-iters', 1000), pass2Iters: numberOption(v['pass2-iters'], 'pass2-iters', 1000),
      postProcess: !v['no-post'],
    };
    if (!/\.(png|jpe?g)$/i.test(v.out!)) throw new PainterlyError('BAD_ARGUMENT', `--out must end in .png or .jpg, got '${v.out}'.`);

    const [painting, composite, mask, dilatedMask] = await Promise.all([
      readImage(v.painting!), readImage(v.composite!), readMask(v.mask!), v['dilated-mask'] ? readMask(v['dilated-mask']) : Promise.resolve(undefined),
    ]);

    const { harmonize } = await import('../pipeline/harmonize.js');
    return withInterrupt(async (signal, bar) => {
      const result = await harmonize({ painting, composite, mask, dilatedMask }, options, {
        signal,
        onProgress: (p) => {
          if (p.total > 0) bar.update({ label: p.stage, current: p.iteration, total: p.total, etaSeconds: p.etaSeconds, unit: 'it' });
          else if (p.stage !== 'done') bar.update({ label: p.stage, current: 0, etaSeconds: p.etaSeconds });
        },
      });
      bar.done(`Harmonized on ${result.device}.`);
      await writeImage(v.out!, result.image);
      if (v['save-stages']) {
        await mkdir(v['save-stages'], { recursive: true });
        for (const [name, img] of Object.entries(result.stages)) if (img) await writeImage(join(v['save-stages'], `${name}.png`), img);
      }
      console.log(`Wrote ${v.out}`);
      return 0;
    });
  },
};
