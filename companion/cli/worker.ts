// `painterly worker --queue URL`: a studio's GPU machine serving the queue (companion/queue/). It
// loads each backbone's model once, says which device and models it serves, takes one job at a
// time and listens on no port. Ctrl-C / SIGTERM hand a running job back to the queue.
import { hostname } from 'node:os';
import { BACKBONES, type BackboneName } from '../../shared/catalogue.js';
import { PainterlyError } from '../../shared/errors.js';
import { pipelineRunners, type Runners } from '../pipeline/runners.js';
import type { Command } from './command.js';
import { probeDevice } from './device-probe.js';
import { parseOptions } from './options.js';
import { queueFlagConfig, queueTargetFromFlags, QUEUE_FLAGS_HELP } from './queue-flags.js';

const HELP = `Usage: painterly worker --queue URL [--backbone B]... [--weights FILE] [--device D]

Takes harmonize and photo-style jobs from a studio's Redis queue (BullMQ) and runs them on this
machine's device, one at a time, with each model loaded once. Companions started with
\`painterly serve --queue URL\` and \`painterly batch … --queue URL\` send jobs there. Listens
on no port.

${QUEUE_FLAGS_HELP}
Serving:
  --backbone B          a backbone whose jobs to take (repeatable; default: every installed one)
  --weights FILE        a safetensors weights file for the one --backbone (instead of the cache)
  --device D            auto | cpu | cuda | dml | coreml | webgpu (default auto)
  --name NAME           this worker's name in the panel and the logs (default: the host name)
  --lock-seconds N      how long a job stays this worker's without it answering (default 30):
                        a worker that dies gives its job back within about twice this
  -h, --help            show this help

Ctrl-C (or SIGTERM) stops taking jobs and hands a running job back to the queue.`;

export function workerCommand(runners: Runners = pipelineRunners()): Command {
  return {
    summary: 'Serve a studio queue: run jobs from Redis on this machine (painterly worker --queue URL).',
    async run(argv) {
      const { values: v } = parseOptions('worker', {
        args: argv,
        options: {
          ...queueFlagConfig(),
          backbone: { type: 'string', multiple: true },
          weights: { type: 'string' },
          device: { type: 'string' },
          name: { type: 'string' },
          'lock-seconds': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
      });
      if (v.help) {
        console.log(HELP);
        return 0;
      }
      const target = queueTargetFromFlags(v, 'worker', true)!;
      for (const b of v.backbone ?? []) {
        if (!(BACKBONES as readonly string[]).includes(b)) throw new PainterlyError('UNKNOWN_BACKBONE', `Unknown backbone '${b}' for --backbone; known: ${BACKBONES.join(', ')}.`);
      }
      const lockSeconds = v['lock-seconds'] === undefined ? 30 : Number(v['lock-seconds']);
      if (!Number.isFinite(lockSeconds) || lockSeconds < 1 || lockSeconds > 3600) throw new PainterlyError('BAD_ARGUMENT', `Expected seconds from 1 to 3600 for --lock-seconds, got '${v['lock-seconds']}'.`);
      let backbones = (v.backbone ?? []) as BackboneName[];
      if (v.weights !== undefined && backbones.length !== 1) throw new PainterlyError('BAD_ARGUMENT', '--weights needs exactly one --backbone: the backbone those weights are for.');
      if (backbones.length === 0) {
        const { installedBackbones } = await import('./serve.js');
        backbones = (await installedBackbones()).present;
        if (backbones.length === 0) throw new PainterlyError('MODEL_MISSING', 'No model is installed: install one (`npx painterly models fetch vgg19`) or name one with --backbone B --weights FILE.');
      }
      const device = (await probeDevice(v.device ?? 'auto')).device;
      const name = v.name ?? hostname();
      if (!runners.preload) throw new PainterlyError('INTERNAL', 'These runners cannot load a model ahead of the jobs.');
      let ranOn = device;
      for (const b of backbones) ranOn = (await runners.preload(b, { device, weightsFile: v.weights })).device;

      const { startWorker } = await import('../queue/worker.js');
      const stamp = () => new Date().toTimeString().slice(0, 8);
      const worker = await startWorker({
        target,
        backbones,
        runners,
        device: ranOn,
        weightsFile: v.weights,
        name,
        timings: { lockMs: lockSeconds * 1000 },
        log: (line) => console.error(`[${stamp()}] ${line}`),
      });
      await worker.ready;
      // Announced, so that gateways tell their panels what the studio serves.
      const [{ Redis }, { announceWorker }, { VERSION }] = await Promise.all([import('ioredis'), import('../queue/registry.js'), import('../../shared/version.js')]);
      const registry = new Redis(target.connection);
      registry.on('error', () => {});
      const withdraw = announceWorker(registry, { name, device: ranOn, backbones, version: VERSION });
      console.log(`Painterly worker ${name} serving ${target.shown}`);
      console.log(`  device:    ${ranOn}`);
      console.log(`  backbones: ${backbones.join(', ')}${v.weights ? ` (from ${v.weights})` : ''}`);
      console.log('Press Ctrl-C to stop (a running job goes back to the queue).');
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) process.exit(130);
          stopping = true;
          console.error(`${signal}: stopping (handing any running job back to the queue)…`);
          void worker
            .close()
            .then(withdraw)
            .finally(() => {
              registry.disconnect();
              resolve();
            });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      console.error('Worker stopped.');
      return 0;
    },
  };
}

export const command: Command = workerCommand();
