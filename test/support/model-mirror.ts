// A local stand-in for the model hosts: serves files over HTTP at a chosen speed (so a test can
// watch an install's progress, cancel it half way, or drop the panel during it), honours Range
// (resumes), and records every request and every transfer the client broke off.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kitTensors, writeCaffejs } from '../companion/compute/weights/model-files.js';

export interface MirrorRequest {
  path: string;
  range?: string;
}

export interface ModelMirror {
  /** `http://127.0.0.1:PORT`: what PAINTERLY_MODEL_BASE_URL points at. */
  origin: string;
  requests: MirrorRequest[];
  /** Transfers the client closed before the last byte. */
  readonly brokenOff: number;
  /** Paths sent to their last byte, in order. */
  completed: string[];
  /** Bytes per second for every transfer (Infinity: as fast as possible). Can change at any time. */
  bytesPerSecond: number;
  close(): Promise<void>;
}

const CHUNK = 16 * 1024;

/** Serves each file at `/<path>`; anything else is 404 (as a host that lost a file). */
export async function startModelMirror(files: ReadonlyMap<string, Uint8Array>, bytesPerSecond = Infinity): Promise<ModelMirror> {
  let brokenOff = 0;
  const mirror: ModelMirror = {
    origin: '',
    requests: [],
    completed: [],
    get brokenOff() {
      return brokenOff;
    },
    bytesPerSecond,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').slice(1));
    mirror.requests.push({ path, ...(req.headers.range ? { range: req.headers.range } : {}) });
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end('not here');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(range ? 206 : 200, {
      'content-length': body.length - start,
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    let at = start;
    let timer: NodeJS.Timeout | undefined;
    res.on('close', () => {
      clearTimeout(timer);
      if (at < body.length) brokenOff++;
    });
    const pump = () => {
      if (res.destroyed) return;
      const end = Math.min(body.length, at + CHUNK);
      const chunk = body.subarray(at, end);
      at = end;
      if (at >= body.length) return void res.end(chunk, () => mirror.completed.push(path));
      res.write(chunk);
      timer = setTimeout(pump, Number.isFinite(mirror.bytesPerSecond) ? (1000 * CHUNK) / mirror.bytesPerSecond : 0);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mirror.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return mirror;
}

/**
 * The kit's SqueezeNet 1.1 as caffejs's per-layer blobs, byte for byte the files the catalogue
 * pins (under `squeezenet/…`, as the mirror layout of PAINTERLY_MODEL_BASE_URL expects them).
 */
export async function squeezenetCaffejsFiles(): Promise<Map<string, Uint8Array>> {
  const dir = await mkdtemp(join(tmpdir(), 'painterly-mirror-'));
  try {
    return await writeCaffejs(join(dir, 'caffejs'), 'squeezenet', await kitTensors('squeezenet'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
