// A harmonize job in parts through the companion: the runner gets the document's size and each
// part with its place, the pasted layer keeps its alpha, and the result comes back as the
// object's rectangle with its place.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocketLike } from '../../../shared/client.js';
import { connectToCompanion } from '../../../shared/connect.js';
import type { PlaneInput } from '../../../shared/plane-upload.js';
import type { HarmonizeRunner } from '../../../companion/pipeline/runners.js';
import { isParts, type HarmonizeInputs } from '../../../companion/pipeline/types.js';
import { startTestServer, type TestServer } from './harness.js';

const nodeSocket = (url: string, protocols: string[]) => new WebSocket(url, protocols, { perMessageDeflate: false }) as unknown as WebSocketLike;

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A 1000×600 document at working size 96: the painting at the paper's 700×420 (where the noise is measured), the rest placed. */
function parts(): PlaneInput[] {
  const fill = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));
  return [
    { plane: 'painting', width: 700, height: 420, channels: 3, bitsPerChannel: 8, data: fill(700 * 420 * 3, (i) => i % 251) },
    { plane: 'pasted', width: 20, height: 10, channels: 4, bitsPerChannel: 8, left: 100, top: 50, data: fill(20 * 10 * 4, (i) => (i % 4 === 3 ? 128 : 200)) },
    { plane: 'mask', width: 20, height: 10, channels: 1, bitsPerChannel: 8, left: 100, top: 50, data: fill(200, () => 255) },
    { plane: 'paintingWindow', width: 60, height: 40, channels: 3, bitsPerChannel: 8, left: 80, top: 35, data: fill(60 * 40 * 3, (i) => (i * 7) % 256) },
  ];
}

describe('a harmonize job in parts', () => {
  it('hands the runner the parts with their places and sends back the object\'s rectangle with its own', async () => {
    let seen: HarmonizeInputs | undefined;
    const runner: HarmonizeRunner = async (inputs, options) => {
      seen = inputs;
      return { image: { width: 30, height: 20, channels: 3, data: new Float32Array(30 * 20 * 3).fill(0.5) }, region: { x0: 95, y0: 45, width: 30, height: 20 }, stages: {}, device: options.device, restarts: [0, 0], tau: 5 };
    };
    t = await startTestServer({ runners: { harmonize: runner } });
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const out = await client.submit({ options: { mode: 'harmonize', size: 96 }, planes: parts(), document: { width: 1000, height: 600 } }).result;
    client.close();
    expect(seen && isParts(seen)).toBe(true);
    if (!seen || !isParts(seen)) return;
    expect(seen.document).toEqual({ width: 1000, height: 600 });
    expect(seen.painting).toMatchObject({ width: 700, height: 420, channels: 3 });
    expect(seen.window.region).toEqual({ x0: 80, y0: 35, width: 60, height: 40 });
    expect(seen.mask.region).toEqual({ x0: 100, y0: 50, width: 20, height: 10 });
    // The pasted layer keeps its alpha: it is its shape.
    expect(seen.pasted.image.channels).toBe(4);
    expect(seen.pasted.image.data[3]).toBeCloseTo(128 / 255, 6);
    expect(out).toMatchObject({ width: 30, height: 20, left: 95, top: 45, channels: 3 });
    expect(out.data.every((v) => v === 128)).toBe(true);
  });

  it('refuses a job in parts whose painting is not at the paper\'s size before any upload', async () => {
    t = await startTestServer();
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const bad = parts();
    bad[0] = { ...bad[0], width: 96, height: 72, data: new Uint8Array(96 * 72 * 3) } as PlaneInput;
    await expect(client.submit({ options: { mode: 'harmonize', size: 96 }, planes: bad, document: { width: 1000, height: 600 } }).result).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    client.close();
    expect(t.harmonize.record.started).toBe(0);
  });
});
