// Connecting to the companion: opens the socket (offering the token in the upgrade, shared/
// pairing.ts), says hello and waits for `welcome`; the paired connection is a CompanionClient.
import { PainterlyError } from './errors.js';
import { upgradeProtocols } from './pairing.js';
import { DEFAULT_HOST, DEFAULT_PORT, PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from './protocol.js';
import { parseServerMessage } from './validate.js';
import { CompanionClient, type ConnectOptions, type WebSocketLike } from './client.js';

/** Opens a socket, says hello with the token and waits for `welcome`. Throws PainterlyError. */
export function connectToCompanion(opts: ConnectOptions): Promise<CompanionClient> {
  const url = opts.url ?? `ws://${DEFAULT_HOST}:${DEFAULT_PORT}`;
  const make = opts.createSocket ?? ((u: string, protocols: string[]) => {
    const Ctor = (globalThis as { WebSocket?: new (u: string, protocols?: string[]) => WebSocketLike }).WebSocket;
    if (!Ctor) throw new PainterlyError('INTERNAL', 'No WebSocket implementation is available here; pass createSocket.');
    try {
      return new Ctor(u, protocols);
    } catch {
      return new Ctor(u); // a WebSocket that refuses the subprotocols: pairing by hello alone
    }
  });
  return new Promise<CompanionClient>((resolve, reject) => {
    let settled = false;
    let ws: WebSocketLike;
    const fail = (err: PainterlyError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        ws?.close();
      } catch {
        /* already closed */
      }
      reject(err);
    };
    const timer = setTimeout(() => fail(new PainterlyError('COMPANION_UNREACHABLE', `The companion at ${url} did not answer in time.`)), opts.timeoutMs ?? 10_000);
    try {
      ws = make(url, upgradeProtocols(opts.token));
    } catch (e) {
      fail(e instanceof PainterlyError ? e : new PainterlyError('COMPANION_UNREACHABLE', `Could not open ${url}: ${(e as Error).message}`));
      return;
    }
    ws.binaryType = 'arraybuffer';
    let opened = false;
    ws.onopen = () => {
      opened = true;
      const hello: ClientMessage = { type: 'hello', protocolVersion: PROTOCOL_VERSION, token: opts.token, ...(opts.client ? { client: opts.client } : {}) };
      ws.send(JSON.stringify(hello));
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (!opened) fail(new PainterlyError('COMPANION_UNREACHABLE', `Nothing answered at ${url}: start the companion with \`npx painterly serve\`.`));
      else fail(new PainterlyError(ev.code === 4401 ? 'UNAUTHORIZED' : ev.code === 4426 ? 'PROTOCOL_MISMATCH' : 'CONNECTION_LOST', ev.reason || undefined));
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg: ServerMessage;
      try {
        msg = parseServerMessage(ev.data);
      } catch (e) {
        fail(e as PainterlyError);
        return;
      }
      if (msg.type === 'error') {
        fail(new PainterlyError(msg.code, msg.message, msg.details));
      } else if (msg.type === 'welcome') {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(new CompanionClient(ws, msg, opts));
      }
    };
  });
}
