// `painterly client harmonize|photo-style`: sends image files to a running companion through the
// same protocol as the panel, prints progress and writes the result. Ctrl-C cancels the job.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { connectToCompanion, type PlaneInput, type WebSocketLike } from '../../shared/client.js';
import { PainterlyError } from '../../shared/errors.js';
import type { InputPlaneName } from '../../shared/frames.js';
import { BACKBONES, DEFAULT_HOST, DEFAULT_PORT, QUALITIES, SMOOTHINGS, type JobEvent, type JobOptions } from '../../shared/protocol.js';
import { isOneOf } from '../../shared/validate.js';
import { VERSION } from '../../shared/version.js';
import type { Image } from '../image/image.js';
import { readToken, tokenPath } from '../server/token.js';
import type { Command } from './main.js';

const USAGE = `Usage:
  painterly client harmonize --painting P --composite C --mask M [--dilated-mask D] --out OUT.png
  painterly client photo-style --content C --style S [--content-labels L] [--style-labels L] --out OUT.png

Sends the images to a running companion (\`painterly serve\`) and writes the result.

Connection:
  --port N               companion port (default ${DEFAULT_PORT})
  --token T              pairing token (default: the one in the config folder)
Job:
  --quality Q            preview or full (default full)
  --size N               working size, longer side in px (overrides --quality)
  --backbone B           ${BACKBONES.join(', ')}
  --tau T                harmonize: style strength (1 realistic, 5 impressionist, 10 expressive)
  --pass1-iters N, --pass2-iters N       harmonize iterations
  --no-post-process      harmonize: skip the post-processing
  --stage1-iters N, --stage2-iters N     photo-style iterations
  --smoothing S          photo-style: ${SMOOTHINGS.join(', ')}
  -h, --help             show this help

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
  quality: { type: 'string' },
  size: { type: 'string' },
  backbone: { type: 'string' },
  tau: { type: 'string' },
  'pass1-iters': { type: 'string' },
  'pass2-iters': { type: 'string' },
  'no-post-process': { type: 'boolean' },
  'stage1-iters': { type: 'string' },
  'stage2-iters': { type: 'string' },
  smoothing: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function numberOption(values: Values, name: keyof Values, integer = true): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected ${integer ? 'an integer' : 'a number'} for --${name}, got '${String(raw)}'.`);
  }
  return n;
}

function required(values: Values, name: keyof Values): string {
  const v = values[name];
  if (typeof v !== 'string') throw new PainterlyError('BAD_ARGUMENT', `--${name} is required. Run \`painterly client --help\`.`);
  return v;
}

function toPlane(plane: InputPlaneName, img: Image): PlaneInput {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * 255);
  return { plane, width: img.width, height: img.height, channels: img.channels, bitsPerChannel: 8, data };
}

function jobOptions(mode: 'harmonize' | 'photo-style', values: Values): JobOptions {
  const quality = values.quality;
  if (quality !== undefined && !isOneOf(QUALITIES, quality)) throw new PainterlyError('BAD_ARGUMENT', `Expected ${QUALITIES.join(' or ')} for --quality, got '${quality}'.`);
  const backbone = values.backbone;
  if (backbone !== undefined && !isOneOf(BACKBONES, backbone)) throw new PainterlyError('BAD_ARGUMENT', `Unknown backbone '${backbone}'. Choose one of: ${BACKBONES.join(', ')}.`);
  const common = { quality, backbone, size: numberOption(values, 'size') };
  if (mode === 'harmonize') {
    return {
      mode,
      ...common,
      tau: numberOption(values, 'tau', false),
      pass1Iters: numberOption(values, 'pass1-iters'),
      pass2Iters: numberOption(values, 'pass2-iters'),
      postProcess: values['no-post-process'] ? false : undefined,
    };
  }
  const smoothing = values.smoothing;
  if (smoothing !== undefined && !isOneOf(SMOOTHINGS, smoothing)) throw new PainterlyError('BAD_ARGUMENT', `Expected one of ${SMOOTHINGS.join(', ')} for --smoothing, got '${smoothing}'.`);
  return { mode, ...common, stage1Iters: numberOption(values, 'stage1-iters'), stage2Iters: numberOption(values, 'stage2-iters'), smoothing };
}

/** Drops undefined fields: the protocol refuses nothing for them, but the JSON stays tidy. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

async function readPlanes(mode: 'harmonize' | 'photo-style', values: Values): Promise<PlaneInput[]> {
  const { readImage, readMask } = await import('../image/io.js');
  const spec: [InputPlaneName, keyof Values, 'image' | 'mask', boolean][] =
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
    case 'progress':
      return `${e.stage}${e.total > 0 ? ` ${e.iteration}/${e.total}` : ''}${e.etaSeconds !== undefined ? `  about ${Math.ceil(e.etaSeconds)} s left` : ''}`;
    default:
      return undefined;
  }
}

export const command: Command = {
  summary: 'Send a job to a running companion (painterly client harmonize ...).',
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
      throw new PainterlyError('BAD_ARGUMENT', `${(e as Error).message}. Run \`painterly client --help\`.`);
    }
    const { values, positionals } = parsed;
    if (values.help || positionals.length === 0) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const mode = positionals[0];
    if (mode !== 'harmonize' && mode !== 'photo-style') throw new PainterlyError('BAD_ARGUMENT', `Unknown job '${mode}'. Choose harmonize or photo-style.`);
    const out = required(values, 'out');
    const options = compact(jobOptions(mode, values));
    const port = numberOption(values, 'port') ?? DEFAULT_PORT;
    const token = values.token ?? (await readToken(tokenPath()));
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
        console.error(`Done in ${result.seconds.toFixed(1)} s on ${result.device}: ${out}`);
        return 0;
      } finally {
        process.off('SIGINT', onSigint);
      }
    } finally {
      client.close();
    }
  },
};
