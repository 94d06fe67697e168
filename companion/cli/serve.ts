// `painterly serve`: starts the companion the Photoshop panel talks to. Finds the device and the
// installed backbones, makes sure there is a pairing token, wires the pipelines in (loaded on the
// first job, so the server starts without them) and stops cleanly on Ctrl-C / SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PainterlyError } from '../../shared/errors.js';
import { DEFAULT_PORT, type CompanionCapabilities } from '../../shared/protocol.js';
import { BACKBONES, DEFAULT_MODEL, fetchCommandFor, type BackboneName } from '../../shared/catalogue.js';
import { VERSION } from '../../shared/version.js';
import { createModelService } from '../server/model-service.js';
import type { ServerLogEntry } from '../server/log.js';
import { createCompanionServer } from '../server/server.js';
import { modesOffered, pipelineRunners } from '../pipeline/runners.js';
import { ensureToken, tokenPath } from '../server/token.js';
import type { Command } from './command.js';
import { probeDevice } from './device-probe.js';
import { offerDefaultModel } from './first-start.js';
import { withInterrupt } from './interrupt.js';
import { bannerLines } from './serve-banner.js';
import { queueFlagConfig, queueTargetFromFlags, QUEUE_FLAGS_HELP } from './queue-flags.js';
import type { QueueTarget } from '../queue/connection.js';
import { hostname } from 'node:os';

const USAGE = `Usage: painterly serve [--port ${DEFAULT_PORT}] [--device auto] [--fetch-default] [--queue URL]

Starts the companion on ws://127.0.0.1:<port> (this machine only) and prints the pairing token
to paste into the Photoshop panel. Stop it with Ctrl-C. With no model installed it offers to
download the recommended one (${DEFAULT_MODEL}) when run on a terminal.

Options:
  --port N              port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --device NAME         auto, cpu, cuda, dml, coreml or webgpu (default auto: the fastest that works)
  --fetch-default       download the recommended model (${DEFAULT_MODEL}) first unless it is installed,
                        without asking (for scripts; a failed download ends with its error)
  --verbose             print why each device was not used (always in the debug log)
  --allow-origin VALUE  also accept WebSocket upgrades with this exact Origin (repeatable; only
                        for a Photoshop that turns out to send a browser-like Origin)
  --quiet               do not log connections and jobs
  -h, --help            show this help

As a gateway to a studio's queue (docs/studio.md): with --queue the panel still talks to this
companion on 127.0.0.1, and its jobs run on the queue's workers (\`painterly worker\`); the
panel is offered what the workers serve.
${QUEUE_FLAGS_HELP}`;

/** The installed backbones, read from the model cache each time (a model fetched while the companion runs shows up). */
export async function installedBackbones(dir?: string): Promise<CompanionCapabilities['backbones']> {
  const { listModels } = await import('../compute/weights/cache.js');
  const { BACKBONES_BY_MODEL } = await import('../compute/weights/resolve.js');
  const present = new Set<string>();
  for (const m of await listModels(dir)) for (const b of BACKBONES_BY_MODEL[m.name as keyof typeof BACKBONES_BY_MODEL] ?? []) present.add(b);
  return {
    present: BACKBONES.filter((b) => present.has(b)),
    missing: BACKBONES.filter((b) => !present.has(b)).map((name: BackboneName) => ({ name, fetchCommand: fetchCommandFor(name) })),
  };
}

/**
 * The device (`auto` tries each and checks it on a tiny graph against the CPU, in a child process
 * whose output goes to the debug log: device-probe.ts) and the installed backbones.
 */
export async function detectCapabilities(deviceRequest: string): Promise<CompanionCapabilities & { notes: string[]; logFile: string }> {
  const choice = await probeDevice(deviceRequest);
  return { device: choice.device, devices: [...new Set([choice.device, 'cpu'])], backbones: await installedBackbones(), notes: choice.notes, logFile: choice.logFile };
}

/** Asks one question on the terminal. */
async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

function describeLog(e: ServerLogEntry): string | undefined {
  switch (e.event) {
    case 'upgrade-refused':
      // Should this be the Photoshop panel, SECURITY.md ("If the panel is refused") says how to
      // report the value.
      return `refused a connection: ${String(e.reason)}${typeof e.origin === 'string' && String(e.reason).startsWith('Origin') ? ` (if this was the Photoshop panel, report this Origin and start with --allow-origin '${e.origin}')` : ''}`;
    case 'connected':
      return `connection opened${e.origin ? ` (Origin: ${String(e.origin)})` : ''}`;
    case 'paired':
      return `client paired${e.client ? `: ${JSON.stringify(e.client)}` : ''}`;
    case 'unauthorized':
      return 'a client gave a wrong pairing token';
    case 'disconnected':
      return 'connection closed';
    case 'job-started':
      return `job ${String(e.jobId)} started (${String(e.mode)})`;
    case 'job-done':
      return `job ${String(e.jobId)} done in ${Number(e.seconds).toFixed(1)} s`;
    case 'job-cancelled':
      return `job ${String(e.jobId)} cancelled`;
    case 'model-install-started':
      return `installing ${String(e.model)} for the panel`;
    case 'model-installed':
      return `installed ${String(e.model)} (from ${String(e.source)})`;
    case 'model-install-cancelled':
      return `install of ${String(e.model)} cancelled (what was downloaded is kept)`;
    case 'model-install-failed':
      return `install of ${String(e.model)} failed: ${String(e.message).split('\n')[0]}`;
    case 'internal-error':
    case 'server-error':
      return `error: ${String(e.message)}`;
    default:
      return undefined;
  }
}

/** Log lines for the terminal (only internal errors with --quiet). */
function serverLog(quiet: boolean): (e: ServerLogEntry) => void {
  const stamp = () => new Date().toTimeString().slice(0, 8);
  return (e) => {
    const line = describeLog(e);
    if (line && (!quiet || e.event === 'internal-error')) console.error(`[${stamp()}] ${line}`);
  };
}

/** Waits for Ctrl-C or SIGTERM, then runs `close` (a second signal exits at once). */
async function untilStopped(close: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error('Stopping now.');
        process.exit(130);
      }
      stopping = true;
      console.error(`${signal}: stopping (cancelling running jobs)…`);
      void close().then(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * The companion as a gateway: jobs go to the studio queue, the panel is offered what its live
 * workers serve, and models are installed on the workers, not here.
 */
async function serveGateway(port: number, currentToken: () => string, tokenFile: string, token: string, target: QueueTarget, values: { 'allow-origin'?: string[]; quiet?: boolean }): Promise<number> {
  const [{ QueueClient }, { queueRunners }, { gatewayCapabilities }, { Redis }] = await Promise.all([
    import('../queue/client.js'), import('../queue/runners.js'), import('../queue/gateway.js'), import('ioredis'),
  ]);
  const client = new QueueClient({ target, by: `companion on ${hostname()}` });
  const registry = new Redis(target.connection);
  registry.on('error', () => {});
  try {
    await client.ping();
  } catch (e) {
    await client.close();
    registry.disconnect();
    throw e;
  }
  const runners = queueRunners(client);
  const server = await createCompanionServer({
    port,
    token: currentToken,
    runners,
    capabilities: () => gatewayCapabilities(registry, target.shown),
    allowedOrigins: values['allow-origin'],
    log: serverLog(values.quiet ?? false),
  });
  const caps = await gatewayCapabilities(registry, target.shown);
  const workers = caps.queue?.workers ?? [];
  for (const line of [
    `Painterly companion ${VERSION} listening on ${server.url}`,
    `  jobs go to the studio queue ${target.shown}`,
    `  workers:  ${workers.length ? workers.map((w) => `${w.name} (${w.device})`).join(', ') : 'none yet (start one: npx painterly worker --queue URL)'}`,
    `  backbones served: ${caps.backbones.present.join(', ') || 'none yet'}`,
    `  modes:    ${modesOffered(runners).join(', ')}`,
    `Paste this token into the panel once (it is in ${tokenFile}):`,
    `pairing token: ${token}`,
    'Press Ctrl-C to stop.',
  ]) console.log(line);
  await untilStopped(async () => {
    await server.close();
    await client.close();
    registry.disconnect();
  });
  console.error('Companion stopped.');
  return 0;
}

export const command: Command = {
  summary: 'Start the companion that the Photoshop panel talks to.',
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          port: { type: 'string' },
          device: { type: 'string' },
          'allow-origin': { type: 'string', multiple: true },
          quiet: { type: 'boolean' },
          'fetch-default': { type: 'boolean' },
          verbose: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
          ...queueFlagConfig(),
        },
        strict: true,
      }));
    } catch (e) {
      throw new PainterlyError('BAD_ARGUMENT', `${(e as Error).message}. Run \`painterly serve --help\`.`);
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PainterlyError('BAD_ARGUMENT', `Expected a port from 0 to 65535 for --port, got '${values.port}'.`);

    const file = tokenPath();
    let token = await ensureToken(file, { onFix: (m) => console.error(`painterly: ${m}`) });
    // Read the file at each hello so that `painterly token --rotate` applies without a restart.
    const currentToken = () => {
      try {
        const t = readFileSync(file, 'utf8').trim();
        if (/^[0-9a-f]{64}$/.test(t)) token = t;
      } catch {
        /* keep the last good token */
      }
      return token;
    };
    const target = queueTargetFromFlags(values, 'serve');
    if (target) return serveGateway(port, currentToken, file, token, target, values);
    const caps = await detectCapabilities(values.device ?? 'auto');
    const models = createModelService();
    const first = await offerDefaultModel(
      { device: caps.device, present: caps.backbones.present, models: await models.list(), fetchDefault: values['fetch-default'] ?? false, interactive: process.stdin.isTTY === true },
      {
        ask: askOnTerminal,
        print: (line) => console.log(line),
        download: async (name) => {
          const { downloadModel } = await import('./models.js');
          await withInterrupt((signal, bar) => downloadModel(name, signal, bar), '');
        },
      },
    );
    if (first === 'installed') caps.backbones = await installedBackbones();
    const runners = pipelineRunners();
    const server = await createCompanionServer({
      port,
      token: currentToken,
      runners,
      capabilities: async () => ({ device: caps.device, devices: caps.devices, backbones: await installedBackbones().catch(() => caps.backbones) }),
      allowedOrigins: values['allow-origin'],
      models,
      log: serverLog(values.quiet ?? false),
    });

    const banner = bannerLines({
      url: server.url,
      version: VERSION,
      device: caps.device,
      notes: caps.notes,
      logFile: caps.logFile,
      verbose: values.verbose ?? false,
      backbones: caps.backbones,
      models: await models.list(),
      modes: modesOffered(runners),
      token,
      tokenFile: file,
    });
    for (const line of banner) console.log(line);

    await untilStopped(() => server.close());
    console.error('Companion stopped.');
    return 0;
  },
};
