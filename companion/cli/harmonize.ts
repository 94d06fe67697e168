// `painterly harmonize`: the harmonization pipeline on files, with a progress bar and Ctrl-C.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PainterlyError } from '../../shared/errors.js';
import { readImage, readMask, writeImage } from '../image/io.js';
import type { Command } from './main.js';
import { probeDevice } from './device-probe.js';
import { jobFlagConfig, jobOptionsFromFlags, jobOptionsHelp, parseOptions } from './options.js';
import { withInterrupt } from './interrupt.js';
import { DETAIL_STAGE } from '../pipeline/detail/stage.js';

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
Job options:
${jobOptionsHelp(['harmonize'])}
Running:
  --weights FILE        a safetensors weights file instead of the model cache
  --device D            auto | cpu | cuda | dml | coreml | webgpu (default auto)
  -h, --help            show this help`;

export const command: Command = {
  summary: 'Harmonize a pasted object into a painting.',
  async run(argv) {
    const parsed = parseOptions('harmonize', {
        args: argv,
        options: {
          painting: { type: 'string' }, composite: { type: 'string' }, mask: { type: 'string' }, 'dilated-mask': { type: 'string' },
          out: { type: 'string' }, 'save-stages': { type: 'string' }, weights: { type: 'string' }, device: { type: 'string' },
          help: { type: 'boolean', short: 'h' }, ...jobFlagConfig(['harmonize']),
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
    const { mode: _mode, quality: _quality, ...job } = jobOptionsFromFlags('harmonize', v, 'harmonize').resolved;
    const options = { ...job, device: (await probeDevice(v.device ?? 'auto')).device, weightsFile: v.weights };
    if (!/\.(png|jpe?g)$/i.test(v.out!)) throw new PainterlyError('BAD_ARGUMENT', `--out must end in .png or .jpg, got '${v.out}'.`);

    const [painting, composite, mask, dilatedMask] = await Promise.all([
      readImage(v.painting!), readImage(v.composite!), readMask(v.mask!), v['dilated-mask'] ? readMask(v['dilated-mask']) : Promise.resolve(undefined),
    ]);

    const { harmonize } = await import('../pipeline/harmonize.js');
    return withInterrupt(async (signal, bar) => {
      const result = await harmonize({ painting, composite, mask, dilatedMask }, options, {
        signal,
        onProgress: (p) => {
          if (p.total > 0) bar.update({ label: p.stage, current: p.iteration, total: p.total, etaSeconds: p.etaSeconds, unit: p.stage === DETAIL_STAGE ? 'levels' : 'it' });
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
