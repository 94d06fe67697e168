// `painterly harmonize`: the harmonization pipeline on files, with a progress bar and Ctrl-C.
import { PainterlyError } from '../../shared/errors.js';
import { readImage, readMask } from '../image/io.js';
import { pipelineRunners, type Runners } from '../pipeline/runners.js';
import type { Command } from './command.js';
import { probeDevice } from './device-probe.js';
import { showJobProgress } from './job-progress.js';
import { jobFlagConfig, jobOptionsFromFlags, jobOptionsHelp, parseOptions } from './options.js';
import { withInterrupt } from './interrupt.js';
import { tauChoiceText, writeJobOutputs } from './job-output.js';

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

/** The command, running its job with `runners` (tests hand it recording ones). */
export function harmonizeCommand(runners: Runners = pipelineRunners()): Command {
  return {
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
      const job = jobOptionsFromFlags('harmonize', v, 'harmonize').resolved;
      if (!/\.(png|jpe?g)$/i.test(v.out!)) throw new PainterlyError('BAD_ARGUMENT', `--out must end in .png or .jpg, got '${v.out}'.`);
      const run = runners.harmonize;
      if (!run) throw new PainterlyError('MODE_UNAVAILABLE', 'This build does not offer harmonize.');
      const options = { ...job, device: (await probeDevice(v.device ?? 'auto')).device, weightsFile: v.weights };

      const [painting, composite, mask, dilatedMask] = await Promise.all([
        readImage(v.painting!), readImage(v.composite!), readMask(v.mask!), v['dilated-mask'] ? readMask(v['dilated-mask']) : Promise.resolve(undefined),
      ]);
      return withInterrupt(async (signal, bar) => {
        const result = await run({ painting, composite, mask, dilatedMask }, options, { signal, onProgress: (p) => showJobProgress(bar, p) });
        bar.done(`Harmonized on ${result.device}${result.auto ? `, ${tauChoiceText(result.auto)}` : ''}.`);
        await writeJobOutputs(v.out!, result.image, result.stages, v['save-stages']);
        return 0;
      });
    },
  };
}

export const command: Command = harmonizeCommand();
