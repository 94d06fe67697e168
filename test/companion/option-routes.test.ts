// Every job option of the table (shared/options.ts) reaches the pipeline on every path a job can
// take: `painterly harmonize` / `photo-style`, `batch` (flags and manifest) and the companion's
// protocol. Each path runs once with every option of its mode set away from its default, and the
// runner must be handed the resolved options whole. A new row of the table joins every path here
// with nothing to add to this file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocketLike } from '../../shared/client.js';
import { connectToCompanion } from '../../shared/connect.js';
import { JOB_OPTIONS, defaultOf, optionsOf, resolveOptions, type OptionName } from '../../shared/options.js';
import type { JobOptions, Mode, ResolvedJobOptions } from '../../shared/protocol.js';
import { batchCommand } from '../../companion/cli/batch.js';
import { flagsOf } from '../../companion/cli/options.js';
import { harmonizeCommand } from '../../companion/cli/harmonize.js';
import { photoStyleCommand } from '../../companion/cli/photo-style.js';
import { writeImage } from '../../companion/image/io.js';
import type { Runners } from '../../companion/pipeline/runners.js';
import { isParts, type HarmonizeOptions, type PhotoStyleOptions } from '../../companion/pipeline/types.js';
import type { Image } from '../../companion/image/image.js';
import { harmonizePlanes, startTestServer } from './server/harness.js';

/** A value of every option of `mode` other than its default (at the quality chosen here): what a path could drop. */
function awayFromDefaults(mode: Mode): Record<OptionName, string | number | boolean> {
  const out = {} as Record<OptionName, string | number | boolean>;
  const quality = JOB_OPTIONS.quality.values.find((q) => q !== JOB_OPTIONS.quality.default)!;
  for (const name of optionsOf(mode)) {
    const spec = JOB_OPTIONS[name] as (typeof JOB_OPTIONS)[OptionName];
    const usual = name === 'quality' ? JOB_OPTIONS.quality.default : defaultOf(mode, name, quality);
    if (spec.kind === 'boolean') out[name] = !spec.default;
    else if (spec.kind === 'choice') out[name] = (spec.values as readonly string[]).find((v) => v !== usual)!;
    else out[name] = [spec.min + 1, spec.min, spec.max].find((v) => v !== usual)!;
  }
  return out;
}

/** The command line that sets `values`, spelled by the option table's flags. */
function flags(values: Record<string, string | number | boolean>): string[] {
  return Object.entries(values).flatMap(([name, v]) => {
    const [flag] = flagsOf(name as OptionName);
    return typeof v === 'boolean' ? [`--${flag}`] : [`--${flag}`, String(v)];
  });
}

/** Runners that record what they are handed and return their input. */
function recordingRunners(): Runners & { seen: (HarmonizeOptions | PhotoStyleOptions)[] } {
  const seen: (HarmonizeOptions | PhotoStyleOptions)[] = [];
  return {
    seen,
    harmonize: async (inputs, options) => {
      seen.push(options);
      return { image: isParts(inputs) ? inputs.painting : inputs.composite, stages: {}, device: options.device, restarts: [0, 0], tau: 5 };
    },
    photoStyle: async (inputs, options) => {
      seen.push(options);
      return { image: inputs.content, stages: {}, device: options.device, restarts: [0, 0] };
    },
    preload: async (_backbone, run) => ({ device: run.device }),
  };
}

const harmonizeGiven = awayFromDefaults('harmonize');
const photoGiven = awayFromDefaults('photo-style');
const resolved = (mode: Mode, given: Record<string, unknown>): ResolvedJobOptions => resolveOptions({ mode, ...given } as JobOptions);

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'painterly-routes-'));
  const rgb: Image = { width: 40, height: 30, channels: 3, data: new Float32Array(40 * 30 * 3).fill(0.5) };
  const mask: Image = { width: 40, height: 30, channels: 1, data: new Float32Array(40 * 30).map((_, i) => (i % 40 > 10 && i % 40 < 30 ? 1 : 0)) };
  for (const name of ['job_painting', 'job_composite', 'content', 'style']) await writeImage(join(dir, `${name}.png`), rgb);
  await writeImage(join(dir, 'job_mask.png'), mask);
});

describe('a job option reaches the pipeline', () => {
  it('sets every option away from its default, so a dropped one shows', () => {
    for (const [mode, given] of [['harmonize', harmonizeGiven], ['photo-style', photoGiven]] as const) {
      expect(Object.keys(given).sort()).toEqual([...optionsOf(mode)].sort());
      for (const name of optionsOf(mode)) {
        expect(given[name], name).toBeDefined();
        expect(given[name], name).not.toEqual(name === 'quality' ? JOB_OPTIONS.quality.default : defaultOf(mode, name, given.quality as 'full' | 'preview'));
      }
    }
  });

  it('through `painterly harmonize`', async () => {
    const runners = recordingRunners();
    const argv = ['--painting', join(dir, 'job_painting.png'), '--composite', join(dir, 'job_composite.png'), '--mask', join(dir, 'job_mask.png'), '--out', join(dir, 'h.png'), '--device', 'cpu', ...flags(harmonizeGiven)];
    expect(await harmonizeCommand(runners).run(argv)).toBe(0);
    expect(runners.seen).toEqual([{ ...resolved('harmonize', harmonizeGiven), device: 'cpu', weightsFile: undefined }]);
  });

  it('through `painterly photo-style`', async () => {
    const runners = recordingRunners();
    const argv = ['--content', join(dir, 'content.png'), '--style', join(dir, 'style.png'), '--out', join(dir, 'p.png'), '--device', 'cpu', ...flags(photoGiven)];
    expect(await photoStyleCommand(runners).run(argv)).toBe(0);
    expect(runners.seen).toEqual([{ ...resolved('photo-style', photoGiven), device: 'cpu', weightsFile: undefined }]);
  });

  it('through `painterly batch`, from its flags', async () => {
    const runners = recordingRunners();
    const out = join(dir, 'batch-flags');
    expect(await batchCommand(runners).run([dir, '--out', out, '--device', 'cpu', ...flags(harmonizeGiven)])).toBe(0);
    expect(runners.seen).toEqual([{ ...resolved('harmonize', harmonizeGiven), device: 'cpu', weightsFile: undefined }]);
  });

  it('through `painterly batch`, from a manifest job', async () => {
    const runners = recordingRunners();
    const { backbone, ...perJob } = harmonizeGiven;
    const manifest = join(dir, 'jobs.json');
    writeFileSync(manifest, JSON.stringify([{ name: 'one', painting: 'job_painting.png', composite: 'job_composite.png', mask: 'job_mask.png', out: 'batch-manifest/one.png', ...perJob }]));
    // The backbone is the batch's (loaded once): it comes from the command line.
    expect(await batchCommand(runners).run([manifest, '--device', 'cpu', '--backbone', String(backbone)])).toBe(0);
    expect(runners.seen).toEqual([{ ...resolved('harmonize', harmonizeGiven), device: 'cpu', weightsFile: undefined }]);
  });

  it('through the companion\'s protocol, for both modes', async () => {
    const t = await startTestServer();
    const seen: unknown[] = [];
    try {
      const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: (url, protocols) => new WebSocket(url, protocols, { perMessageDeflate: false }) as unknown as WebSocketLike });
      const { planes } = harmonizePlanes(40, 30);
      await client.submit({ options: { mode: 'harmonize', ...harmonizeGiven } as JobOptions, planes }).result;
      const photoPlanes = [{ ...planes[0], plane: 'content' as const }, { ...planes[1], plane: 'style' as const }];
      await client.submit({ options: { mode: 'photo-style', ...photoGiven } as JobOptions, planes: photoPlanes }).result;
      client.close();
      seen.push(...t.harmonize.record.options, ...t.photoStyle.record.options);
    } finally {
      await t.close();
    }
    expect(seen).toEqual([
      { ...resolved('harmonize', harmonizeGiven), device: 'cpu' },
      { ...resolved('photo-style', photoGiven), device: 'cpu' },
    ]);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
