// `painterly client harmonize|photo-style`: sends image files to a running companion through the
// same protocol as the panel, prints progress and writes the result. Ctrl-C cancels the job.
import WebSocket from 'ws';
import { type PlaneInput, type WebSocketLike } from '../../shared/client.js';
import { connectToCompanion } from '../../shared/connect.js';
import { PainterlyError } from '../../shared/errors.js';
import type { InputPlaneName } from '../../shared/frames.js';
import { formatDuration } from '../../shared/duration.js';
import { DEFAULT_HOST, DEFAULT_PORT, MODES, type JobEvent, type Mode } from '../../shared/protocol.js';
import { stageInfo } from '../../shared/stages.js';
import { VERSION } from '../../shared/version.js';
import type { Image } from '../image/image.js';
import { readToken, tokenPath } from '../server/token.js';
import type { Command } from './command.js';
import { jobFlagConfig, jobOptionsFromFlags, jobOptionsHelp, parseOptions } from './options.js';

const USAGE = `Usage:
  painterly client harmonize --painting P --composite C --mask M [--dilated-mask D] --out OUT.png
  painterly client photo-style --content C --style S [--content-labels L] [--style-labels L] --out OUT.png

Sends the images to a running companion (\`painterly serve\`) and writes the result.

Connection:
  --port N              companion port (default ${DEFAULT_PORT})
  --token T             pairing token (default: the one in the config folder)
Job options (checked here by the companion's own rules; the companion has the last word):
${jobOptionsHelp(MODES)}
  -h, --help            show this help

Ctrl-C cancels the job.`;

const OPTIONS = {
  painting: { type: 'string' },
  composite: { type: 'string' },
  mask: { type: 'string' },
  'dilated-mask': { type: 'string' },
  content: { type: 'string' },
  style: { type: 'string' },
  'content-labels': { type: 'string' },
  'style-labels': { type: 'string' },
  out: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...jobFlagConfig(MODES),
} as const;

type Values = Record<string, string | boolean | undefined>;

function portOption(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PORT;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n > 65535) throw new PainterlyError('BAD_ARGUMENT', `Expected a port from 0 to 65535 for --port, got '${String(raw)}'.`);
  return n;
}

function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string') throw new PainterlyError('BAD_ARGUMENT', `--${name} is required. Run \`painterly client --help\`.`);
  return v;
}

function toPlane(plane: InputPlaneName, img: Image): PlaneInput {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * 255);
  return { plane, width: img.width, height: img.height, channels: img.channels, bitsPerChannel: 8, data };
}

async function readPlanes(mode: Mode, values: Values): Promise<PlaneInput[]> {
  const { readImage, readMask } = await import('../image/io.js');
  const spec: [InputPlaneName, string, 'image' | 'mask', boolean][] =
    mode === 'harmonize'
      ? [['painting', 'painting', 'image', true], ['composite', 'composite', 'image', true], ['mask', 'mask', 'mask', true], ['dilatedMask', 'dilated-mask', 'mask', false]]
      : [['content', 'content', 'image', true], ['style', 'style', 'image', true], ['contentLabels', 'content-labels', 'image', false], ['styleLabels', 'style-labels', 'image', false]];
  const planes: PlaneInput[] = [];
  for (const [plane, option, kind, isRequired] of spec) {
    const file = isRequired ? required(values, option) : (values[option] as string | undefined);
    if (file === undefined) continue;
    planes.push(toPlane(plane, kind === 'mask' ? await readMask(file) : await readImage(file)));
  }
  return planes;
}

function describe(e: JobEvent): string | undefined {
  switch (e.type) {
    case 'queued':
      return e.place === 0 ? 'queued: starting' : `queued: ${e.place} job${e.place === 1 ? '' : 's'} ahead`;
    case 'started':
      return `started on ${e.device}`;
    case 'progress': {
      const left = e.etaSeconds === undefined ? '' : formatDuration(e.etaSeconds);
      return `${stageInfo(e.stage).label}${e.total > 0 ? ` ${e.iteration}/${e.total}` : ''}${left ? `  about ${left} left` : ''}`;
    }
    case 'note':
      return `Note: ${e.message}`;
    case 'tau':
      return `τ ${e.tau} read from the painting (${e.words})`;
    default:
      return undefined;
  }
}

export const command: Command = {
  summary: 'Send a job to a running companion (painterly client harmonize ...).',
  async run(argv) {
    const parsed = parseOptions('client', { args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const values = parsed.values as Values;
    const positionals = parsed.positionals;
    if (values.help || positionals.length === 0) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const mode = positionals[0];
    if (mode !== 'harmonize' && mode !== 'photo-style') throw new PainterlyError('BAD_ARGUMENT', `Unknown job '${mode}'. Choose harmonize or photo-style.`);
    const out = required(values, 'out');
    // Only what was typed is sent: the companion fills in its own defaults.
    const options = jobOptionsFromFlags(mode, values, 'client').given;
    const port = portOption(values.port);
    const token = typeof values.token === 'string' ? values.token : await readToken(tokenPath());
    if (!token) throw new PainterlyError('UNAUTHORIZED', `No pairing token in ${tokenPath()}: start the companion once (\`painterly serve\`) or pass --token.`);
    const planes = await readPlanes(mode, values);

    const client = await connectToCompanion({
      url: `ws://${DEFAULT_HOST}:${port}`,
      token,
      client: { name: 'painterly-cli', version: VERSION },
      createSocket: (url, protocols) => new WebSocket(url, protocols, { perMessageDeflate: false, maxPayload: 1 << 30 }) as unknown as WebSocketLike,
    });
    try {
      console.error(`Connected to the companion ${client.welcome.companionVersion} on ${client.welcome.device}.`);
      const job = client.submit({ options, planes }, (e) => {
        const line = describe(e);
        if (line) console.error(line);
      });
      let interrupts = 0;
      const onSigint = () => {
        if (++interrupts > 1) process.exit(130);
        console.error('Cancelling… (Ctrl-C again to quit at once)');
        job.cancel();
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await job.result;
        const data = new Float32Array(result.data.length);
        const max = result.bitsPerChannel === 16 ? 65535 : 255;
        for (let i = 0; i < data.length; i++) data[i] = result.data[i] / max;
        const { writeImage } = await import('../image/io.js');
        await writeImage(out, { width: result.width, height: result.height, channels: result.channels, data });
        console.error(`Done in ${formatDuration(result.seconds)} on ${result.device}: ${out}`);
        return 0;
      } finally {
        process.off('SIGINT', onSigint);
      }
    } finally {
      client.close();
    }
  },
};
