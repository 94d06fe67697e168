// Test fixtures for the weights code: a tiny Keras VGG-19 HDF5 file in the real file's layout,
// and a local HTTP server that serves bytes the way real servers do (and fail).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import h5wasm from 'h5wasm/node';

export const VGG_BLOCKS: Array<[number, number]> = [
  [1, 1], [1, 2], [2, 1], [2, 2],
  [3, 1], [3, 2], [3, 3], [3, 4],
  [4, 1], [4, 2], [4, 3], [4, 4],
  [5, 1], [5, 2], [5, 3], [5, 4],
];

/** Output channels per block: tiny, but different per block so transposes cannot hide. */
const OUT_CHANNELS = [0, 2, 3, 4, 2, 3];
/** VGG-19's own channel counts (an 80 MB file, for tests that install it). */
const REAL_CHANNELS = [0, 64, 128, 256, 512, 512];

export interface KerasLayer {
  name: string; // our name, conv1_1
  /** [H, W, I, O] as stored by Keras. */
  shape: [number, number, number, number];
  kernel: Float32Array;
  bias: Float32Array;
}

export interface KerasFixtureOptions {
  /** How many of the 16 conv layers to write (from conv1_1). Default 16. */
  layers?: number;
  /** 'keras1': `block1_conv1/block1_conv1_W_1:0` (the real notop file); 'keras2': `block1_conv1/block1_conv1/kernel:0`. */
  naming?: 'keras1' | 'keras2';
  seed?: number;
  /** Write VGG-19's real channel counts instead of tiny ones. */
  realSize?: boolean;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Writes a Keras-layout VGG-19 weights file and returns what it holds, layer by layer. */
export async function writeKerasVgg19(path: string, options: KerasFixtureOptions = {}): Promise<KerasLayer[]> {
  const { layers: count = 16, naming = 'keras1', seed = 1, realSize = false } = options;
  await h5wasm.ready;
  const rand = random(seed);
  const file = new h5wasm.File(path, 'w');
  const written: KerasLayer[] = [];
  let inChannels = 3;
  const layerNames: string[] = ['input_1'];
  for (const [b, c] of VGG_BLOCKS.slice(0, count)) {
    const out = (realSize ? REAL_CHANNELS : OUT_CHANNELS)[b];
    const shape: [number, number, number, number] = [3, 3, inChannels, out];
    const kernel = new Float32Array(9 * inChannels * out);
    for (let k = 0; k < kernel.length; k++) kernel[k] = rand();
    const bias = Float32Array.from({ length: out }, rand);
    const group = `block${b}_conv${c}`;
    const g = file.create_group(group);
    const [kName, bName] =
      naming === 'keras1' ? [`${group}_W_1:0`, `${group}_b_1:0`] : [`${group}/kernel:0`, `${group}/bias:0`];
    const parent = naming === 'keras1' ? g : g.create_group(group);
    const leaf = (n: string) => n.split('/').pop() as string;
    parent.create_dataset({ name: leaf(kName), data: kernel, shape, dtype: '<f' });
    parent.create_dataset({ name: leaf(bName), data: bias, shape: [out], dtype: '<f' });
    g.create_attribute('weight_names', [kName, bName]);
    layerNames.push(group);
    if (c === (b <= 2 ? 2 : 4)) {
      // The real file has (empty) groups for the pooling layers too.
      file.create_group(`block${b}_pool`);
      layerNames.push(`block${b}_pool`);
    }
    written.push({ name: `conv${b}_${c}`, shape, kernel, bias });
    inChannels = out;
  }
  file.create_attribute('layer_names', layerNames);
  file.close();
  return written;
}

export interface ServedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

export type ServeMode =
  /** Serves the bytes, honouring Range with 206. */
  | 'good'
  /** Serves the bytes with one byte flipped in the middle. */
  | 'corrupt'
  /** First request: headers for the whole file, half the bytes, then the socket is destroyed. Later ones honour Range. */
  | 'cut-once'
  /** Always sends the whole file with 200, ignoring Range. */
  | 'ignore-range'
  /** Accepts the connection and never answers. */
  | 'silent'
  /** Headers for the whole file, half the bytes, then nothing more (the connection stays open). */
  | 'stall-half'
  /** 404 for everything. */
  | 'missing';

export interface FixtureServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: ServedRequest[];
  /** How every path is served unless `modes` says otherwise. */
  mode: ServeMode;
  /** Per-path modes, by path prefix (e.g. `/squeezenet_v1.1.caffemodel` or `/squeezenet/`). */
  modes: Map<string, ServeMode>;
  close(): Promise<void>;
}

/**
 * Serves `body` at every path (or, given a map, each file at `/<path>`; unknown paths get 404),
 * except `/redirect`, which answers 302 to `/file`.
 */
export async function startServer(body: Uint8Array | ReadonlyMap<string, Uint8Array>, mode: ServeMode = 'good'): Promise<FixtureServer> {
  const cut = new Set<string>();
  const fixture: FixtureServer = { origin: '', requests: [], mode, modes: new Map(), close: async () => {} };
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    fixture.requests.push({ url, headers: req.headers });
    const mode = [...fixture.modes].find(([prefix]) => url.startsWith(prefix))?.[1] ?? fixture.mode;
    if (mode === 'silent') return;
    if (url === '/redirect') {
      res.writeHead(302, { location: '/file' }).end();
      return;
    }
    const found = body instanceof Uint8Array ? body : body.get(decodeURIComponent(url.slice(1)));
    if (mode === 'missing' || !found) {
      res.writeHead(404).end('not here');
      return;
    }
    let bytes = found;
    if (mode === 'corrupt') {
      bytes = Uint8Array.from(found);
      bytes[bytes.length >> 1] ^= 0xff;
    }
    if (mode === 'stall-half') {
      res.writeHead(200, { 'content-length': bytes.length });
      res.write(bytes.subarray(0, bytes.length >> 1));
      return;
    }
    if (mode === 'cut-once' && !cut.has(url)) {
      cut.add(url);
      res.writeHead(200, { 'content-length': bytes.length });
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && mode !== 'ignore-range') {
      const start = Number(range[1]);
      if (start >= bytes.length) {
        res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-length': bytes.length - start,
        'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
      });
      res.end(bytes.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fixture.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fixture.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fixture;
}

/** A local port with nothing listening: connections to it are refused at once. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
