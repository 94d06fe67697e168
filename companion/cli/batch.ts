// `painterly batch JOBS`: many harmonizations with the model loaded once. Reads the jobs
// (batch-jobs.ts), loads the network, runs them in order (batch-run.ts) and prints a summary;
// exits 1 when a job failed, 130 after Ctrl-C (the job running then writes nothing).
import { PainterlyError } from '../../shared/errors.js';
import type { HarmonizeJobOptions } from '../../shared/protocol.js';
import { pipelineRunners, type Runners } from '../pipeline/runners.js';
import type { Command } from './command.js';
import { readBatchJobs, type BatchJob } from './batch-jobs.js';
import { runBatch, summaryLines, type JobResult } from './batch-run.js';
import { queueFlagConfig, queueTargetFromFlags, QUEUE_FLAGS_HELP } from './queue-flags.js';
import type { QueueTarget } from '../queue/connection.js';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { probeDevice } from './device-probe.js';
import { jobFlagConfig, jobOptionsFromFlags, jobOptionsHelp, parseOptions } from './options.js';

const HELP = `Usage: painterly batch JOBS [--out DIR] [--force] [--queue URL] [job options]

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

On a studio's queue (docs/studio.md): with --queue the jobs run on its workers
(\`painterly worker\`), several at a time, and this machine only reads and writes the files.
A rerun skips finished outputs and waits for jobs it finds still queued or running there
(within 5 minutes of the last run stopping; after that the workers drop them).
  --queue-window N      jobs in the queue at once (default 16)
${QUEUE_FLAGS_HELP}

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
          help: { type: 'boolean', short: 'h' }, ...jobFlagConfig(['harmonize']), ...queueFlagConfig(), 'queue-window': { type: 'string' },
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
      const target = queueTargetFromFlags(v, 'batch');
      if (target) return queuedBatch(jobs, target, v, parsed.positionals[0]);
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
              return { image: result.image, ...(result.auto ? { tau: result.auto } : {}) };
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

/** How long a batch's jobs stay wanted after it stops answering: a rerun within this takes them back. */
const BATCH_OWNER_SECONDS = 300;

/** The batch on a studio's queue: read here, run on the workers, written here. */
async function queuedBatch(jobs: BatchJob[], target: QueueTarget, v: Record<string, string | boolean | undefined>, jobsPath: string): Promise<number> {
  const window = v['queue-window'] === undefined ? 16 : Number(v['queue-window']);
  if (!Number.isInteger(window) || window < 1 || window > 1000) throw new PainterlyError('BAD_ARGUMENT', `Expected an integer from 1 to 1000 for --queue-window, got '${String(v['queue-window'])}'.`);
  if (v.weights !== undefined) console.error('painterly: note: --weights applies on the workers (painterly worker --weights FILE); the queue runs the backbone the workers serve.');
  const [{ QueueClient }, { runQueuedBatch }, { readImage, readMask, writeImage }, { withInterrupt }] = await Promise.all([
    import('../queue/client.js'), import('./batch-queue.js'), import('../image/io.js'), import('./interrupt.js'),
  ]);
  // The owner is this batch on this machine: a rerun of the same JOBS keeps the same jobs wanted.
  const owner = `batch-${createHash('sha256').update(`${hostname()}\n${resolve(jobsPath)}`).digest('hex').slice(0, 24)}`;
  const client = new QueueClient({ target, owner, by: `batch on ${hostname()}`, timings: { ownerSeconds: BATCH_OWNER_SECONDS } });
  const started = Date.now();
  let results: JobResult[];
  try {
    await client.ping();
    console.error(`${jobs.length} job${jobs.length === 1 ? '' : 's'}; sending them to ${target.shown} (${jobs[0].options.backbone}), ${window} at a time.`);
    results = await withInterrupt(
      (signal) =>
        runQueuedBatch(jobs, {
          client,
          force: v.force === true,
          signal,
          window,
          print: (line) => console.error(line),
          write: writeImage,
          read: async (job) => {
            const [painting, composite, mask, dilatedMask] = await Promise.all([
              readImage(job.painting), readImage(job.composite), readMask(job.mask), job.dilatedMask ? readMask(job.dilatedMask) : Promise.resolve(undefined),
            ]);
            return [
              { plane: 'painting', image: painting, channels: 3 },
              { plane: 'composite', image: composite, channels: 3 },
              { plane: 'mask', image: mask, channels: 1 },
              ...(dilatedMask ? [{ plane: 'dilatedMask' as const, image: dilatedMask, channels: 1 }] : []),
            ];
          },
        }),
      '\nStopping: cancelling the jobs still in the queue (a rerun sends them again)…\n',
    );
  } finally {
    // Stopped by Ctrl-C, the jobs are cancelled; otherwise none is left.
    await client.close();
  }
  for (const l of summaryLines(results, (Date.now() - started) / 1000)) console.log(l);
  if (results.some((r) => r.status === 'cancelled')) return 130;
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

export const command: Command = batchCommand();
