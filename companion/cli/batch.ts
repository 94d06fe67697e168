// `painterly batch JOBS`: many harmonizations with the model loaded once. Reads the jobs
// (batch-jobs.ts), loads the network, runs them in order (batch-run.ts) and prints a summary;
// exits 1 when a job failed, 130 after Ctrl-C (the job running then writes nothing).
import { PainterlyError } from '../../shared/errors.js';
import type { HarmonizeJobOptions } from '../../shared/protocol.js';
import { pipelineRunners, type Runners } from '../pipeline/runners.js';
import type { Command } from './command.js';
import { readBatchJobs } from './batch-jobs.js';
import { runBatch, summaryLines } from './batch-run.js';
import { probeDevice } from './device-probe.js';
import { jobFlagConfig, jobOptionsFromFlags, jobOptionsHelp, parseOptions } from './options.js';

const HELP = `Usage: painterly batch JOBS [--out DIR] [--force] [job options]

Harmonizes many composites with the model loaded once, in order, one line per job.

JOBS is
  a folder of NAME_painting, NAME_composite and NAME_mask images (.png, .jpg, .tif, .webp;
  optionally NAME_dilated-mask): one job per NAME, written to DIR/NAME.png; or
  a .json manifest: a list of jobs (or {"jobs": [...]}), each
    {"name": "cat", "painting": "p.jpg", "composite": "c.jpg", "mask": "m.png",
     "dilatedMask": "d.png", "out": "cat.png", "tau": 8, "size": 350, ...}
  (name, dilatedMask and out optional; paths relative to the manifest; any job option below
  by its name: quality, size, tau, pass1Iters, pass2Iters, postProcess); or
  a .csv manifest with a header row of the same names (empty cells: not set).
Options of a job override the command line's; the backbone is the batch's.

Output:
  --out DIR             where jobs without an "out" write NAME.png (default JOBS/harmonized,
                        or harmonized/ beside the manifest)
  --force               redo jobs whose output exists (default: skip them)
Job options (for every job):
${jobOptionsHelp(['harmonize'])}
Running:
  --weights FILE        a safetensors weights file instead of the model cache
  --device D            auto | cpu | cuda | dml | coreml | webgpu (default auto)
  -h, --help            show this help

Ctrl-C stops after the current iteration; that job writes nothing. Exit code: 0 when every
job was done or skipped, 1 when one failed, 130 when stopped.`;

/** The command, running its jobs with `runners` (tests hand it recording ones). */
export function batchCommand(runners: Runners = pipelineRunners()): Command {
  return {
    summary: 'Harmonize many composites (a folder or a JSON/CSV manifest) with the model loaded once.',
    async run(argv) {
      const parsed = parseOptions('batch', {
        args: argv,
        options: {
          out: { type: 'string' }, force: { type: 'boolean' }, weights: { type: 'string' }, device: { type: 'string' },
          help: { type: 'boolean', short: 'h' }, ...jobFlagConfig(['harmonize']),
        },
        allowPositionals: true,
        strict: true,
      });
      const v = parsed.values as Record<string, string | boolean | undefined>;
      if (v.help) {
        console.log(HELP);
        return 0;
      }
      if (parsed.positionals.length !== 1) throw new PainterlyError('BAD_ARGUMENT', 'Name one JOBS folder or manifest. See `painterly batch --help`.');
      const base: HarmonizeJobOptions = jobOptionsFromFlags('harmonize', v, 'batch').given;
      const jobs = readBatchJobs(parsed.positionals[0], base, typeof v.out === 'string' ? v.out : undefined);
      const run = runners.harmonize;
      if (!run) throw new PainterlyError('MODE_UNAVAILABLE', 'This build does not offer harmonize.');
      const backbone = jobs[0].options.backbone;

      const started = Date.now();
      console.error(`${jobs.length} job${jobs.length === 1 ? '' : 's'}; loading ${backbone}…`);
      const weightsFile = typeof v.weights === 'string' ? v.weights : undefined;
      const probed = (await probeDevice(typeof v.device === 'string' ? v.device : 'auto')).device;
      // The model is loaded once, here: a missing one fails the batch before any job, and every job finds it loaded.
      const device = runners.preload ? (await runners.preload(backbone, { device: probed, weightsFile })).device : probed;
      const [{ readImage, readMask, writeImage }, { withInterrupt }] = await Promise.all([import('../image/io.js'), import('./interrupt.js')]);
      const results = await withInterrupt(
        (signal) => {
          console.error(`Loaded ${backbone} on ${device}; running ${jobs.length} job${jobs.length === 1 ? '' : 's'}.`);
          return runBatch(jobs, {
            force: v.force === true,
            signal,
            progress: process.stderr,
            write: writeImage,
            harmonizeJob: async (job, hooks) => {
              const [painting, composite, mask, dilatedMask] = await Promise.all([
                readImage(job.painting), readImage(job.composite), readMask(job.mask), job.dilatedMask ? readMask(job.dilatedMask) : Promise.resolve(undefined),
              ]);
              const result = await run({ painting, composite, mask, dilatedMask }, { ...job.options, device, weightsFile }, hooks);
              return result.image;
            },
          });
        },
        '\nStopping after the current iteration (the current job writes nothing)…\n',
      );
      for (const l of summaryLines(results, (Date.now() - started) / 1000)) console.log(l);
      if (results.some((r) => r.status === 'cancelled')) return 130;
      return results.some((r) => r.status === 'failed') ? 1 : 0;
    },
  };
}

export const command: Command = batchCommand();
