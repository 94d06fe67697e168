// The token in the upgrade (shared/pairing.ts): what a client offers, what the companion reads,
// and a client whose WebSocket refuses subprotocols still pairs by hello.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectToCompanion } from '../../../shared/connect.js';
import { SUBPROTOCOL, tokenFromProtocols, upgradeProtocols } from '../../../shared/pairing.js';
import { generateToken } from '../../../companion/server/token.js';
import { startTestServer, type TestServer } from './harness.js';

describe('upgradeProtocols / tokenFromProtocols', () => {
  it('offers our subprotocol first and the token after it, and reads the token back', () => {
    const token = generateToken();
    const offered = upgradeProtocols(token);
    expect(offered).toEqual([SUBPROTOCOL, `painterly.token.${token}`]);
    expect(tokenFromProtocols(offered)).toBe(token);
  });

  it('offers only the subprotocol for something that is not a token (it could not travel in a header)', () => {
    for (const bad of ['', 'secret', `${generateToken()} `, 'A'.repeat(64), 'x,y']) expect(upgradeProtocols(bad)).toEqual([SUBPROTOCOL]);
    expect(tokenFromProtocols([SUBPROTOCOL, 'chat'])).toBeUndefined();
  });
});

describe('the default socket factory (the global WebSocket, as in UXP)', () => {
  let t: TestServer | undefined;
  const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
  afterEach(async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    await t?.close();
    t = undefined;
  });

  it('offers the token in the upgrade, so the connection is paired before hello', async () => {
    t = await startTestServer();
    const seen: unknown[] = [];
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends WebSocket {
      constructor(url: string, protocols?: string[]) {
        seen.push(protocols);
        super(url, protocols);
      }
    };
    const client = await connectToCompanion({ url: t.server.url, token: t.token });
    expect(seen).toEqual([[SUBPROTOCOL, `painterly.token.${t.token}`]]);
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'connected', pairedInUpgrade: true }));
    client.close();
  });

  it('falls back to no subprotocols when the WebSocket throws on them, and pairs by hello', async () => {
    t = await startTestServer();
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends WebSocket {
      constructor(url: string, protocols?: string[]) {
        if (protocols !== undefined) throw new SyntaxError('protocols are not supported here');
        super(url);
      }
    };
    const client = await connectToCompanion({ url: t.server.url, token: t.token });
    expect(client.welcome.type).toBe('welcome');
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'connected', pairedInUpgrade: false }));
    client.close();
  });
});
