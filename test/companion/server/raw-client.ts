// A WebSocket client written by hand on a TCP socket, for doing what a hostile local process
// would: holding connections open, never answering a close, sending frames with any header.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawClientOptions {
  /** Extra or replaced request headers, e.g. two Origin lines: `['Origin: a', 'Origin: b']`. */
  headerLines?: string[];
  host?: string;
  /** Send no upgrade request at all (an idle TCP connection). */
  silentTcp?: boolean;
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export class RawClient {
  readonly socket: net.Socket;
  /** The HTTP status line of the answer to the upgrade request. */
  readonly status: Promise<string>;
  /** Resolves when the server closes the TCP connection (or it breaks). */
  readonly closed: Promise<void>;
  isClosed = false;
  private raw = Buffer.alloc(0);
  private headEnd = -1;

  constructor(port: number, opts: RawClientOptions = {}) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
    let gotStatus: (s: string) => void;
    this.status = new Promise((resolve) => (gotStatus = resolve));
    this.closed.then(() => gotStatus('closed'));
    this.socket.on('data', (d: Buffer) => {
      this.raw = Buffer.concat([this.raw, d]);
      if (this.headEnd < 0) {
        const end = this.raw.indexOf('\r\n\r\n');
        if (end >= 0) {
          this.headEnd = end + 4;
          gotStatus(this.raw.subarray(0, this.raw.indexOf('\r\n')).toString('latin1'));
        }
      }
    });
    if (opts.silentTcp) return;
    this.socket.once('connect', () => {
      const lines = [
        'GET / HTTP/1.1',
        `Host: ${opts.host ?? `127.0.0.1:${port}`}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        ...(opts.headerLines ?? []),
      ];
      this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  /** A masked frame (mask key 0: the payload goes as is); `declaredLength` may exceed what is sent. */
  static frameHeader(opcode: number, declaredLength: number, fin = true): Buffer {
    const head: number[] = [(fin ? 0x80 : 0) | opcode];
    if (declaredLength < 126) head.push(0x80 | declaredLength);
    else if (declaredLength < 65536) head.push(0x80 | 126, declaredLength >> 8, declaredLength & 0xff);
    else {
      head.push(0x80 | 127);
      const len = Buffer.alloc(8);
      len.writeBigUInt64BE(BigInt(declaredLength));
      head.push(...len);
    }
    head.push(0, 0, 0, 0);
    return Buffer.from(head);
  }

  sendText(text: string | Buffer): void {
    const payload = typeof text === 'string' ? Buffer.from(text) : text;
    this.socket.write(Buffer.concat([RawClient.frameHeader(1, payload.length), payload]));
  }

  /** The frames the server has sent so far. */
  frames(): ServerFrame[] {
    const out: ServerFrame[] = [];
    if (this.headEnd < 0) return out;
    let i = this.headEnd;
    const b = this.raw;
    while (i + 2 <= b.length) {
      const opcode = b[i] & 0x0f;
      let len = b[i + 1] & 0x7f;
      let at = i + 2;
      if (len === 126) {
        len = b.readUInt16BE(at);
        at += 2;
      } else if (len === 127) {
        len = Number(b.readBigUInt64BE(at));
        at += 8;
      }
      if (at + len > b.length) break;
      out.push({ opcode, payload: b.subarray(at, at + len) });
      i = at + len;
    }
    return out;
  }

  /** The JSON messages the server has sent. */
  messages(): Record<string, unknown>[] {
    return this.frames().filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString('utf8')));
  }

  /** The status code of the server's close frame, if one came. */
  closeCode(): number | undefined {
    const f = this.frames().find((x) => x.opcode === 8);
    return f && f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Polls until `cond` holds, failing after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
