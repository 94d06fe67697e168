// No local process without the token can keep the panel out: connections that never pair have
// their own small pool (the oldest makes room), a short deadline, and refused ones are dropped at
// once instead of after a closing handshake their peer never answers; idle TCP connections are
// bounded the same way. A real client pairs within a second whatever is held open.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type WebSocketLike } from '../../../shared/client.js';
import { connectToCompanion } from '../../../shared/connect.js';
import { DEFAULT_LIMITS } from '../../../shared/limits.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol.js';
import { startTestServer, type TestServer } from './harness.js';
import { RawClient, until } from './raw-client.js';

let t: TestServer | undefined;
const held: RawClient[] = [];
afterEach(async () => {
  for (const c of held.splice(0)) c.destroy();
  await t?.close();
  t = undefined;
});

/** The panel's client as UXP runs it (the token also offered in the upgrade) or as an older one (hello only). */
const socketWithToken = (u: string, protocols: string[]) => new WebSocket(u, protocols, { perMessageDeflate: false }) as unknown as WebSocketLike;
const socketHelloOnly = (u: string) => new WebSocket(u, { perMessageDeflate: false }) as unknown as WebSocketLike;

/** 20 connections that upgrade and say nothing, and 20 that say hello with a wrong token and never answer the close. */
async function holdSilentAndRefused(server: TestServer): Promise<{ silent: RawClient[]; refused: RawClient[] }> {
  const port = server.server.port;
  const refused: RawClient[] = [];
  for (let i = 0; i < 20; i++) {
    const c = new RawClient(port);
    held.push(c);
    refused.push(c);
    await c.status;
    c.sendText(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: 'f'.repeat(64) }));
  }
  await until(() => refused.every((c) => c.closeCode() !== undefined), 5000, 'the 20 hellos to be refused');
  const silent = Array.from({ length: 20 }, () => new RawClient(port));
  held.push(...silent);
  await Promise.all(silent.map((c) => c.status));
  return { silent, refused };
}

describe('pairing cannot be locked out', () => {
  for (const [name, createSocket] of [
    ['the token in the upgrade', socketWithToken],
    ['hello only', socketHelloOnly],
  ] as const) {
    it(`pairs a real client (${name}) within a second while 20 silent and 20 refused connections are held open`, async () => {
      t = await startTestServer();
      const { silent, refused } = await holdSilentAndRefused(t);
      const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket, timeoutMs: 1000 });
      expect(client.welcome.protocolVersion).toBe(PROTOCOL_VERSION);
      await client.ping();
      client.close();

      // The refused ones were told why (4401) and their sockets dropped, though they never answered.
      await until(() => refused.every((c) => c.isClosed), 1000, 'the refused sockets to be dropped');
      for (const c of refused) {
        expect(c.messages()[0]).toMatchObject({ type: 'error', code: 'UNAUTHORIZED', closing: true });
        expect(c.closeCode()).toBe(4401);
      }
      // The oldest silent ones made room (4429); at most the pool's size is still waiting.
      expect(t.server.stats.unpairedConnections).toBeLessThanOrEqual(DEFAULT_LIMITS.maxUnpairedConnections);
      const evicted = silent.filter((c) => c.isClosed);
      expect(evicted.length).toBeGreaterThanOrEqual(20 - DEFAULT_LIMITS.maxUnpairedConnections);
      for (const c of evicted) expect(c.closeCode()).toBe(4429);
    });
  }

  it('admits a client with the token in the upgrade while new unpaired connections keep arriving', async () => {
    t = await startTestServer({ limits: { maxUnpairedConnections: 2 } });
    const port = t.server.port;
    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        held.push(new RawClient(port), new RawClient(port));
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 50));
      const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: socketWithToken, timeoutMs: 1000 });
      expect(t.server.stats.pairedConnections).toBe(1);
      client.close();
    } finally {
      flooding = false;
      await flood;
    }
    expect(t.server.stats.unpairedEvicted).toBeGreaterThan(0);
  });

  it('drops a silent connection at the handshake deadline even when it never answers the close', async () => {
    t = await startTestServer({ limits: { handshakeTimeoutMs: 200 } });
    const c = new RawClient(t.server.port);
    held.push(c);
    expect(await c.status).toMatch(/^HTTP\/1\.1 101/);
    await until(() => c.isClosed, 1500, 'the silent socket to be dropped');
    expect(c.closeCode()).toBe(4408);
    expect(t.server.stats.unpairedConnections).toBe(0);
  });

  it('still refuses paired connections beyond maxConnections (BUSY, 4429), whichever way they paired', async () => {
    t = await startTestServer({ limits: { maxConnections: 1 } });
    const first = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: socketWithToken });
    for (const createSocket of [socketWithToken, socketHelloOnly]) {
      await expect(connectToCompanion({ url: t.server.url, token: t.token, createSocket })).rejects.toMatchObject({ code: 'BUSY' });
    }
    first.close();
  });

  it('ignores a wrong token in the upgrade: the connection is unpaired and its hello is refused as usual', async () => {
    t = await startTestServer();
    const c = new RawClient(t.server.port, { headerLines: [`Sec-WebSocket-Protocol: painterly.v1, painterly.token.${'0'.repeat(64)}`] });
    held.push(c);
    expect(await c.status).toMatch(/^HTTP\/1\.1 101/);
    expect(t.server.stats.unpairedConnections).toBe(1);
    c.sendText(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: '0'.repeat(64) }));
    await until(() => c.isClosed, 1000, 'the refused socket to be dropped');
    expect(c.closeCode()).toBe(4401);
  });

  it('selects its subprotocol and never echoes the token', async () => {
    t = await startTestServer();
    const ws = new WebSocket(t.server.url, ['painterly.v1', `painterly.token.${t.token}`]);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(ws.protocol).toBe('painterly.v1');
    expect(t.server.stats.pairedConnections).toBe(1);
    ws.close();
  });
});

describe('TCP connections before the upgrade', () => {
  it('caps idle TCP connections (the oldest make room), times them out, and still lets a real client in', async () => {
    t = await startTestServer({ transport: { maxPendingSockets: 4, headerTimeoutMs: 400 } });
    const idle = Array.from({ length: 40 }, () => new RawClient(t!.server.port, { silentTcp: true }));
    held.push(...idle);
    await until(() => idle.filter((c) => c.isClosed).length >= 36, 2000, 'all but 4 idle sockets to be dropped');
    expect(t.server.stats.pendingSockets).toBeLessThanOrEqual(4);
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: socketHelloOnly, timeoutMs: 1000 });
    client.close();
    await until(() => idle.every((c) => c.isClosed), 2000, 'the rest to time out');
    expect(t.server.stats.socketsDropped).toBe(40);
  });

  it('drops a connection that sends its request headers too slowly', async () => {
    t = await startTestServer({ transport: { headerTimeoutMs: 300 } });
    const slow = new RawClient(t.server.port, { silentTcp: true });
    held.push(slow);
    await new Promise<void>((r) => slow.socket.once('connect', () => r()));
    slow.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => slow.socket.write('X-Slow: 1\r\n'), 50);
    try {
      await until(() => slow.isClosed, 2000, 'the slow socket to be dropped');
    } finally {
      clearInterval(trickle);
    }
  });

  it('refuses oversized request headers before upgrading', async () => {
    t = await startTestServer();
    const big = new RawClient(t.server.port, { headerLines: [`X-Big: ${'a'.repeat(16 * 1024)}`] });
    held.push(big);
    expect(await big.status).not.toMatch(/ 101 /);
    await until(() => big.isClosed, 2000, 'the socket to be closed');
    expect(t.server.stats.connections).toBe(0);
  });
});
