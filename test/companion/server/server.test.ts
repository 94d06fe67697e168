import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type WebSocketLike } from '../../../shared/client.js';
import { connectToCompanion } from '../../../shared/connect.js';
import { upgradeProtocols } from '../../../shared/pairing.js';
import { PainterlyError } from '../../../shared/errors.js';
import { PROTOCOL_VERSION, type JobEvent } from '../../../shared/protocol.js';
import { expectedHarmonized, expectedPhotoStyled } from '../../support/fake-runners.js';
import { harmonizePlanes, pairedSocket, quantise, startTestServer, TestSocket, type TestServer } from './harness.js';
import { RawClient } from './raw-client.js';

const nodeSocket = (url: string) => new WebSocket(url, { perMessageDeflate: false }) as unknown as WebSocketLike;

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

describe('createCompanionServer', () => {
  it('listens on 127.0.0.1 only and refuses any other host', async () => {
    expect(t.server.host).toBe('127.0.0.1');
    expect(t.server.url).toBe(`ws://127.0.0.1:${t.server.port}`);
    await expect(startTestServer({ host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('runs a harmonize job end to end with queued, started, progress, preview and an exact result', async () => {
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    expect(client.welcome.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(client.welcome.modes).toEqual(['harmonize', 'photo-style']);
    expect(client.welcome.devices).toEqual(['cpu']);
    const { planes, composite, mask } = harmonizePlanes(40, 30);
    const events: JobEvent[] = [];
    const job = client.submit({ options: { mode: 'harmonize', pass1Iters: 6, pass2Iters: 4, tau: 10 }, planes }, (e) => events.push(e));
    const out = await job.result;
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('accepted');
    expect(types).toContain('queued');
    expect(types.indexOf('started')).toBeGreaterThan(types.indexOf('queued'));
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((p) => [p.stage, p.iteration, p.total])).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((i) => ['pass-1', i, 6]),
      ...[1, 2, 3, 4].map((i) => ['pass-2', i, 4]),
    ]);
    expect(types.at(-1)).toBe('result');
    expect({ w: out.width, h: out.height, c: out.channels, b: out.bitsPerChannel }).toEqual({ w: 40, h: 30, c: 3, b: 8 });
    expect(Array.from(out.data)).toEqual(Array.from(quantise(expectedHarmonized(composite, mask), 8)));
    // The runner got the resolved options: explicit values kept, the rest from the 'full' preset.
    expect(t.harmonize.record.options[0]).toMatchObject({ pass1Iters: 6, pass2Iters: 4, tau: 10, size: 700, postProcess: true, backbone: 'vgg19', device: 'cpu' });
    client.close();
  });

  it('sends previews as small 8-bit RGB frames when the runner offers them', async () => {
    await t.close();
    t = await startTestServer({}, { previewEvery: 2 });
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const previews: Extract<JobEvent, { type: 'preview' }>[] = [];
    const { planes } = harmonizePlanes(600, 300);
    await client.submit({ options: { mode: 'harmonize', pass1Iters: 2, pass2Iters: 2 }, planes }, (e) => {
      if (e.type === 'preview') previews.push(e);
    }).result;
    expect(previews.length).toBeGreaterThan(0);
    expect(previews[0]).toMatchObject({ width: 256, height: 128, channels: 3, bitsPerChannel: 8 });
    expect(previews[0].data.length).toBe(256 * 128 * 3);
    client.close();
  });

  it('keeps 16-bit planes 16-bit and returns a 16-bit result', async () => {
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const { planes, composite, mask } = harmonizePlanes(17, 9, 16);
    const out = await client.submit({ options: { mode: 'harmonize', pass1Iters: 1, pass2Iters: 1 }, planes }).result;
    expect(out.bitsPerChannel).toBe(16);
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(out.data)).toEqual(Array.from(quantise(expectedHarmonized(composite, mask), 16)));
    client.close();
  });

  it('splits planes into chunks and puts them back together byte for byte', async () => {
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket, chunkBytes: 1000 });
    const { planes, composite, mask } = harmonizePlanes(50, 40);
    const out = await client.submit({ options: { mode: 'harmonize', pass1Iters: 1, pass2Iters: 1 }, planes }).result;
    expect(Array.from(out.data)).toEqual(Array.from(quantise(expectedHarmonized(composite, mask), 8)));
    client.close();
  });

  it('runs a photo-style job with its own planes and options', async () => {
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const a = harmonizePlanes(20, 10);
    const b = harmonizePlanes(8, 12);
    const content = { ...a.planes[1], plane: 'content' as const };
    const style = { ...b.planes[0], plane: 'style' as const };
    const out = await client.submit({ options: { mode: 'photo-style', quality: 'preview', smoothing: 'closed-form' }, planes: [content, style] }).result;
    const styleImg = { width: 8, height: 12, channels: 3, data: Float32Array.from(style.data, (v) => v / 255) };
    expect(Array.from(out.data)).toEqual(Array.from(quantise(expectedPhotoStyled(a.composite, styleImg), 8)));
    expect(t.photoStyle.record.options[0]).toMatchObject({ size: 350, stage1Iters: 200, stage2Iters: 200, smoothing: 'closed-form' });
    client.close();
  });

  it('passes a runner\'s notes on as note events, and its stages by their table ids', async () => {
    await t.close();
    t = await startTestServer({
      runners: {
        photoStyle: async (inputs, options, hooks) => {
          hooks.onProgress?.({ stage: 'style-targets', iteration: 0, total: 0 });
          hooks.onNote?.('The label purple is in the style labels only; it is ignored.');
          hooks.onProgress?.({ stage: 'stage-1', iteration: 1, total: 1 });
          return { image: inputs.content, stages: {}, device: options.device, restarts: [0, 0] };
        },
      },
    });
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const { planes } = harmonizePlanes(20, 10);
    const events: JobEvent[] = [];
    await client.submit({ options: { mode: 'photo-style' }, planes: [{ ...planes[1], plane: 'content' }, { ...planes[0], plane: 'style' }] }, (e) => events.push(e)).result;
    expect(events.filter((e) => e.type === 'progress' || e.type === 'note').map((e) => (e.type === 'note' ? e.message : e.stage))).toEqual([
      'style-targets',
      'The label purple is in the style labels only; it is ignored.',
      'stage-1',
    ]);
    client.close();
  });
});

describe('pairing', () => {
  it('refuses a hello without a token with UNAUTHORIZED and close code 4401', async () => {
    const s = new TestSocket(t.server.url);
    await s.opened;
    s.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION });
    const err = await s.next('error');
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', closing: true });
    expect((await s.closed).code).toBe(4401);
  });

  it('refuses a wrong token and says how to find the right one', async () => {
    await expect(connectToCompanion({ url: t.server.url, token: 'f'.repeat(64), createSocket: nodeSocket })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('painterly token'),
    });
    expect(t.logs.some((l) => l.event === 'unauthorized')).toBe(true);
  });

  it('refuses a submit or a frame before hello', async () => {
    const s = new TestSocket(t.server.url);
    await s.opened;
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: [] });
    expect((await s.next('error')).code).toBe('UNAUTHORIZED');
    expect((await s.closed).code).toBe(4401);
    const s2 = new TestSocket(t.server.url);
    await s2.opened;
    s2.sendBinary(new Uint8Array(100));
    expect((await s2.closed).code).toBe(4401);
    expect(t.harmonize.record.started).toBe(0);
  });

  it('refuses another protocol version with PROTOCOL_MISMATCH', async () => {
    const s = new TestSocket(t.server.url);
    await s.opened;
    s.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1, token: t.token });
    expect((await s.next('error')).code).toBe('PROTOCOL_MISMATCH');
    expect((await s.closed).code).toBe(4426);
  });

  it('takes the token from a function at each hello, so a rotation applies to new connections', async () => {
    await t.close();
    let current = 'a'.repeat(64);
    t = await startTestServer({ token: () => current });
    const first = await connectToCompanion({ url: t.server.url, token: current, createSocket: nodeSocket });
    current = 'b'.repeat(64);
    await expect(connectToCompanion({ url: t.server.url, token: 'a'.repeat(64), createSocket: nodeSocket })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(connectToCompanion({ url: t.server.url, token: current, createSocket: nodeSocket })).resolves.toBeDefined();
    expect(first.isOpen).toBe(true);
    first.close();
  });

  it('closes a connection that never says hello', async () => {
    await t.close();
    t = await startTestServer({ limits: { handshakeTimeoutMs: 100 } });
    const s = new TestSocket(t.server.url);
    await s.opened;
    expect((await s.closed).code).toBe(4408);
  });

  it('reports a companion that is not running as COMPANION_UNREACHABLE', async () => {
    const port = t.server.port;
    await t.close();
    const err = await connectToCompanion({ url: `ws://127.0.0.1:${port}`, token: 'x', createSocket: nodeSocket }).catch((e) => e);
    expect(err).toBeInstanceOf(PainterlyError);
    expect(err.code).toBe('COMPANION_UNREACHABLE');
    t = await startTestServer();
  });
});

describe('upgrade policy', () => {
  it('refuses a browser Origin with HTTP 403 before any WebSocket exists', async () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1:8080', 'null', 'chrome-extension://abc']) {
      const s = new TestSocket(t.server.url, { origin });
      await expect(s.opened).rejects.toMatchObject({ statusCode: 403 });
    }
    expect(t.server.stats.refusedUpgrades).toBe(4);
    expect(t.server.stats.connections).toBe(0);
  });

  it('admits a browser-like Origin when the upgrade carries the valid token, and logs that Origin; a wrong token changes nothing', async () => {
    const paired = new WebSocket(t.server.url, upgradeProtocols(t.token), { origin: 'file://', perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      paired.once('open', () => resolve());
      paired.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    paired.close();
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'connected', origin: 'file://', pairedInUpgrade: true }));
    const wrong = new WebSocket(t.server.url, upgradeProtocols('0'.repeat(64)), { origin: 'file://', perMessageDeflate: false });
    wrong.on('error', () => {});
    const status = await new Promise<number>((resolve) => wrong.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    }));
    expect(status).toBe(403);
  });

  it('refuses two Origin headers, and two Host headers, with 403 (as sent on the wire)', async () => {
    const port = t.server.port;
    const twoOrigins = new RawClient(port, { headerLines: ['Origin: uxp://painterly', 'Origin: https://evil.example'] });
    const twoHosts = new RawClient(port, { headerLines: ['Host: evil.example'] });
    const browserScheme = new RawClient(port, { headerLines: ['Origin: isolated-app://abc'] });
    for (const c of [twoOrigins, twoHosts, browserScheme]) {
      expect(await c.status).toMatch(/^HTTP\/1\.1 403 /);
      await c.closed;
    }
    expect(t.server.stats.connections).toBe(0);
    expect(t.logs.filter((e) => e.event === 'upgrade-refused').map((e) => e.reason)).toEqual(['2 Origin headers', '2 Host headers', "Origin 'isolated-app://abc' belongs to a browser"]);
  });

  it('logs the Origin of each connection it accepts (so a user can report what Photoshop sends)', async () => {
    const s = new TestSocket(t.server.url, { origin: 'uxp://com.example.painterly' });
    await s.opened;
    s.close();
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'connected', origin: 'uxp://com.example.painterly' }));
  });

  it('accepts no Origin and non-web origins such as a plugin scheme', async () => {
    const s = new TestSocket(t.server.url, { origin: 'uxp://com.example.painterly' });
    await s.opened;
    s.close();
    expect(t.server.stats.refusedUpgrades).toBe(0);
  });

  it('lets an explicitly allowed Origin through', async () => {
    await t.close();
    t = await startTestServer({ allowedOrigins: ['null'] });
    const s = new TestSocket(t.server.url, { origin: 'null' });
    await s.opened;
    s.close();
  });

  it('refuses a foreign Host (DNS rebinding) and a wrong port in Host', async () => {
    for (const host of ['evil.example', `evil.example:${t.server.port}`, `127.0.0.1:${t.server.port + 1}`, '127.0.0.1']) {
      const s = new TestSocket(t.server.url, { headers: { Host: host } });
      await expect(s.opened).rejects.toMatchObject({ statusCode: 403 });
    }
    const ok = new TestSocket(t.server.url, { headers: { Host: `localhost:${t.server.port}` } });
    await ok.opened;
    ok.close();
    expect(t.server.stats.refusedUpgrades).toBe(4);
  });

  it('answers plain HTTP with 426 and no data', async () => {
    const res = await fetch(`http://127.0.0.1:${t.server.port}/`);
    expect(res.status).toBe(426);
  });

  it('does not negotiate permessage-deflate even when the client offers it', async () => {
    const s = new TestSocket(t.server.url, { perMessageDeflate: true });
    await s.opened;
    expect(s.ws.extensions).toBe('');
    s.close();
  });

  it('closes a connection that sends a text message with invalid UTF-8 with 1007, before and after pairing', async () => {
    const before = new TestSocket(t.server.url);
    await before.opened;
    before.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await before.closed).code).toBe(1007);
    const after = await pairedSocket(t);
    after.ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
    expect((await after.closed).code).toBe(1007);
    const next = await pairedSocket(t);
    next.sendJson({ type: 'ping', nonce: 1 });
    expect((await next.next('pong')).nonce).toBe(1);
    next.close();
  });

  it('answers ping with pong on a paired connection', async () => {
    const s = await pairedSocket(t);
    s.sendJson({ type: 'ping', nonce: 42 });
    expect(await s.next('pong')).toEqual({ type: 'pong', nonce: 42 });
    s.close();
  });
});
