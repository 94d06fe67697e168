// The companion sends nothing anywhere: ONNX Runtime's telemetry (on by default in
// onnxruntime-node) stays off. Run as a user runs it — the real `painterly serve` with the kit's
// SqueezeNet, a real job through the protocol — with a fresh HOME and TMPDIR and without
// ORT_DISABLE_TELEMETRY in its environment (the companion must set it itself). Left on, the
// runtime writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db} and
// $TMPDIR/mat-debug-<pid>.log at once, and looks up mobile.events.data.microsoft.com about ten
// seconds later (then keeps retrying); on Linux the process runs under strace to see that lookup.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type WebSocketLike } from '../../../shared/client.js';
import { connectToCompanion } from '../../../shared/connect.js';
import { harmonizePlanes } from './harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repoRoot, 'bin/painterly.js');
const SQUEEZENET = path.resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors');
/** The runtime's first upload attempt comes about 9–10 s after its first session; wait past it. */
const LOOKUP_WAIT_MS = 15_000;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'painterly-telemetry-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

function straceAvailable(): boolean {
  return spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;
}

it('a real job on `painterly serve` leaves no files under a fresh HOME and TMPDIR and looks up no host', async () => {
  const home = path.join(tmp, 'home');
  const tmpdir = path.join(tmp, 'tmp');
  const work = path.join(tmp, 'work');
  for (const d of [home, tmpdir, work]) execFileSync('mkdir', ['-p', d]);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmpdir, PAINTERLY_CONFIG_DIR: path.join(work, 'config'), PAINTERLY_CACHE_DIR: path.join(work, 'cache') };
  for (const k of ['ORT_DISABLE_TELEMETRY', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'TEMP', 'TMP']) delete env[k];
  execFileSync(process.execPath, [bin, 'models', 'import', SQUEEZENET], { cwd: work, env, stdio: 'pipe' });

  // On Linux the lookup is checked with strace (the runtime resolves the host with getaddrinfo,
  // which reads /etc/resolv.conf and sends UDP); elsewhere only the files are checked.
  const traced = process.platform === 'linux';
  if (traced && !straceAvailable()) throw new Error('This check needs strace on Linux: install it (apt-get install strace).');
  const traceFile = path.join(work, 'strace.log');
  const serveArgs = [bin, 'serve', '--port', '0', '--device', 'cpu'];
  const child = traced
    ? spawn('strace', ['-f', '-qq', '-e', 'trace=socket,connect,sendto,openat', '-o', traceFile, process.execPath, ...serveArgs], { cwd: work, env })
    : spawn(process.execPath, serveArgs, { cwd: work, env });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const deadline = Date.now() + 90_000;
    while (!/Press Ctrl-C to stop/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const listeningAt = Date.now();
    const url = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const token = /pairing token: ([0-9a-f]{64})/.exec(out)![1];
    const client = await connectToCompanion({ url, token, createSocket: (u) => new WebSocket(u, { perMessageDeflate: false }) as unknown as WebSocketLike });
    const result = await client.submit({ options: { mode: 'harmonize', backbone: 'squeezenet', size: 96, pass1Iters: 3, pass2Iters: 3 }, planes: harmonizePlanes(96, 96).planes }).result;
    expect(result).toMatchObject({ width: 96, height: 96, channels: 3 });
    client.close();
    await new Promise((r) => setTimeout(r, Math.max(0, listeningAt + LOOKUP_WAIT_MS - Date.now())));
    expect(filesUnder(home)).toEqual([]);
    expect(filesUnder(tmpdir)).toEqual([]);
  } finally {
    // SIGTERM to the companion itself (under strace, the first pid in the trace).
    const pid = traced ? Number(/^(\d+)\s/.exec(readFileSync(traceFile, 'utf8'))?.[1]) : child.pid;
    if (pid) process.kill(pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (traced) {
    const trace = readFileSync(traceFile, 'utf8').split('\n');
    // A lookup through getaddrinfo asks nscd, reads /etc/host.conf and /etc/hosts and sends UDP to
    // the name server. (Node reads resolv.conf and nsswitch.conf once at start for its own resolver
    // without looking anything up; the companion itself only listens on 127.0.0.1.)
    const lookups = trace.filter((l) => /\/etc\/(hosts|host\.conf|gai\.conf)"|nscd|SOCK_DGRAM|_port=htons\(53\)/.test(l));
    expect(lookups).toEqual([]);
    const outbound = trace.filter((l) => /connect\(\d+, \{sa_family=AF_INET6?/.test(l));
    expect(outbound).toEqual([]);
    expect(trace.filter((l) => /mat-debug|\.onnxruntime|DeveloperTools/.test(l))).toEqual([]);
  }
}, 180_000);
