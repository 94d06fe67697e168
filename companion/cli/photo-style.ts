// `painterly photo-style`: photo style transfer on files, with a progress bar and Ctrl-C.
import { PainterlyError } from '../../shared/errors.js';
import { readImage } from '../image/io.js';
import { checkLabelSize } from '../pipeline/photo-style/labels.js';
import { pipelineRunners, type Runners } from '../pipeline/runners.js';
import type { Command } from './command.js';
import { probeDevice } from './device-probe.js';
import { showJobProgress } from './job-progress.js';
import { jobFlagConfig, jobOptionsFromFlags, jobOptionsHelp, parseOptions } from './options.js';
import { withInterrupt } from './interrupt.js';
import { writeJobOutputs } from './job-output.js';

const HELP = `Usage: painterly photo-style --content C --style S --out OUT.png [options]

Gives a photo the look of a reference photo and keeps it photorealistic (Deep Photo Style Transfer).

Inputs (JPEG or PNG):
  --content C           the photo to restyle
  --style S             the reference photo (any size)
  --content-labels L    optional colour-coded labels of the content photo (its size)
  --style-labels L      optional colour-coded labels of the style photo (its size); give both or neither.
                        Colours: blue, green, black, white, red, yellow, grey, light blue (cyan), purple;
                        each region is restyled after the region of the same colour.
Output:
  --out OUT.png         the result, at the content photo's size (.png or .jpg)
  --save-stages DIR     also write stage1.png, stage2.png and final.png (working size) to DIR
Job options:
${jobOptionsHelp(['photo-style'])}
Running:
  --weights FILE        a safetensors weights file instead of the model cache
  --device D            auto | cpu | cuda | dml | coreml | webgpu (default auto)
  -h, --help            show this help`;

/** The command, running its job with `runners` (tests hand it recording ones). */
export function photoStyleCommand(runners: Runners = pipelineRunners()): Command {
  return {
    summary: 'Restyle a photo after a reference photo, keeping it photorealistic.',
    async run(argv) {
      const parsed = parseOptions('photo-style', {
        args: argv,
        options: {
          content: { type: 'string' }, style: { type: 'string' }, 'content-labels': { type: 'string' }, 'style-labels': { type: 'string' },
          out: { type: 'string' }, 'save-stages': { type: 'string' }, weights: { type: 'string' }, device: { type: 'string' },
          help: { type: 'boolean', short: 'h' }, ...jobFlagConfig(['photo-style']),
        },
        strict: true,
      });
      const v = parsed.values;
      if (v.help) {
        console.log(HELP);
        return 0;
      }
      for (const name of ['content', 'style', 'out'] as const) {
        if (!v[name]) throw new PainterlyError('BAD_ARGUMENT', `--${name} is required. See \`painterly photo-style --help\`.`);
      }
      if (!v['content-labels'] !== !v['style-labels']) {
        const missing = v['content-labels'] ? '--style-labels' : '--content-labels';
        throw new PainterlyError('BAD_ARGUMENT', `Label images come in pairs: ${missing} is missing. Give both or neither.`);
      }
      const job = jobOptionsFromFlags('photo-style', v, 'photo-style').resolved;
      if (!/\.(png|jpe?g)$/i.test(v.out!)) throw new PainterlyError('BAD_ARGUMENT', `--out must end in .png or .jpg, got '${v.out}'.`);
      const run = runners.photoStyle;
      if (!run) throw new PainterlyError('MODE_UNAVAILABLE', 'This build does not offer photo-style.');
      const options = { ...job, device: (await probeDevice(v.device ?? 'auto')).device, weightsFile: v.weights };

      const optional = (path: string | undefined) => (path ? readImage(path) : Promise.resolve(undefined));
      const [content, style, contentLabels, styleLabels] = await Promise.all([
        readImage(v.content!), readImage(v.style!), optional(v['content-labels']), optional(v['style-labels']),
      ]);

      // Before loading the pipeline (and ONNX Runtime): a label image that does not fit fails at once.
      if (contentLabels) checkLabelSize(contentLabels, content, 'content');
      if (styleLabels) checkLabelSize(styleLabels, style, 'style');

      return withInterrupt(async (signal, bar) => {
        const result = await run({ content, style, contentLabels, styleLabels }, options, {
          signal,
          onProgress: (p) => showJobProgress(bar, p),
          onNote: (sentence) => {
            bar.done();
            process.stderr.write(`Note: ${sentence}\n`);
          },
        });
        bar.done(`Restyled on ${result.device}.`);
        await writeJobOutputs(v.out!, result.image, result.stages, v['save-stages']);
        return 0;
      });
    },
  };
}

export const command: Command = photoStyleCommand();
