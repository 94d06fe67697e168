// Below the protocol: TCP connections that have not become WebSockets yet, and the per-socket
// message cap that is small before pairing and large after.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

export interface TransportOptions {
  /** TCP connections that have not finished their HTTP request yet; a new one closes the oldest beyond this. Default 32. */
  maxPendingSockets?: number;
  /** Time a TCP connection has to send its complete HTTP upgrade request. Default 5000 ms. */
  headerTimeoutMs?: number;
  /** Time the companion waits for the peer's answer to a close before dropping the connection. Default 2000 ms. */
  closeTimeoutMs?: number;
}

export const DEFAULT_TRANSPORT: Required<TransportOptions> = Object.freeze({
  maxPendingSockets: 32,
  headerTimeoutMs: 5000,
  closeTimeoutMs: 2000,
});

/**
 * TCP connections that have not yet sent a complete HTTP request. Each gets a deadline, and when
 * there are too many the oldest is dropped, so idle or slow connections cannot hold the port.
 * (Node's own headersTimeout is set as well, but it is not enforced on a connection that never
 * sends a byte.)
 */
export class PendingSockets {
  private readonly pending = new Map<Socket, NodeJS.Timeout>();

  constructor(private readonly max: number, private readonly deadlineMs: number, private readonly onDrop: (why: 'timeout' | 'evicted') => void) {}

  get size(): number {
    return this.pending.size;
  }

  add(socket: Socket): void {
    while (this.pending.size >= this.max) {
      const oldest = this.pending.keys().next().value as Socket;
      this.drop(oldest, 'evicted');
    }
    const timer = setTimeout(() => this.drop(socket, 'timeout'), this.deadlineMs);
    timer.unref();
    this.pending.set(socket, timer);
    socket.once('close', () => this.done(socket));
  }

  /** The request arrived (an upgrade or plain HTTP): the socket is no longer pending. */
  done(socket: Socket): void {
    const timer = this.pending.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pending.delete(socket);
  }

  private drop(socket: Socket, why: 'timeout' | 'evicted'): void {
    this.done(socket);
    socket.destroy();
    this.onDrop(why);
  }
}

interface WsInternals {
  _receiver?: { _maxPayload?: unknown };
}

/**
 * Sets the largest message a WebSocket accepts from now on. ws fixes `maxPayload` per server; the
 * companion starts every connection at the small pre-pairing cap and raises it once the peer has
 * paired. ws checks the cap from each frame's header, before buffering the payload.
 */
export function setMessageCap(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as WsInternals)._receiver;
  if (!receiver || typeof receiver._maxPayload !== 'number') {
    throw new Error('This version of ws does not expose the receiver’s maxPayload; the companion cannot raise the message cap after pairing.');
  }
  receiver._maxPayload = bytes;
}
