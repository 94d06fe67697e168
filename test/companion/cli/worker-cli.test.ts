// `painterly worker` as a studio runs it: its refusals, what it says on start, and Ctrl-C/SIGTERM
// handing a running job back to the queue (another worker finishes it; no try is spent).
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitWeights } from '../../../eval/shared-kit.js';
import { QueueClient } from '../../../companion/queue/client.js';
import { queueTarget } from '../../../companion/queue/connection.js';
import { QUEUE_PREFIX, queueName } from '../../../companion/queue/keys.js';
import { resolveOptions } from '../../../shared/options.js';
import type { ResolvedHarmonizeOptions } from '../../../shared/protocol.js';
import { runCli } from '../../support/run-cli.js';
import { needsRedis, redisAvailable, startRedis, type TestRedis } from '../../support/redis.js';

const BIN = resolve(__dirname, '../../../bin/painterly.js');
const weights = kitWeights('squeezenet')!;
const env = { PAINTERLY_CACHE_DIR: join(mkdtempSync(join(tmpdir(), 'painterly-worker-')), 'cache') };
let redis: TestRedis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis?.close();
});

function startWorker(name: string): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', redis.url, '--backbone', 'squeezenet', '--weights', weights, '--device', 'cpu', '--name', name, '--lock-seconds', '2'], { env: { ...process.env, ...env, ORT_DISABLE_TELEMETRY: '1' } });
  children.push(child);
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  return { child, log: () => log, exited: new Promise((r) => child.on('close', (c) => r(c))) };
}

describe('painterly worker refuses what it cannot serve', () => {
  it('without --queue', async () => {
    const r = await runCli(['worker', '--backbone', 'squeezenet'], { env });
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/BAD_ARGUMENT: Name the queue with --queue redis:\/\/host:6379/)]);
  });
  it('--weights without exactly one --backbone, and an unknown backbone', async () => {
    expect((await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--weights', weights], { env })).stderr).toMatch(/--weights needs exactly one --backbone/);
    expect((await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--backbone', 'resnet'], { env })).stderr).toMatch(/UNKNOWN_BACKBONE: Unknown backbone 'resnet'/);
  });
  it('with no model installed and none named', async () => {
    const r = await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--device', 'cpu'], { env });
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/MODEL_MISSING: No model is installed/)]);
  });
});

describe.skipIf(!redisAvailable)(needsRedis('painterly worker on a queue'), () => {
  it('says what it serves, and on SIGTERM hands its running job back: another worker finishes it, no try spent', async () => {
    const a = startWorker('worker-a');
    await expect.poll(a.log, { timeout: 60_000 }).toMatch(/serving redis:.*\n\s+device:\s+cpu\n\s+backbones: squeezenet \(from .*squeezenet1_1\.safetensors\)/);
    const client = new QueueClient({ target: queueTarget(redis.url), by: hostname() });
    const img = (channels: number, v: (i: number) => number) => ({ width: 64, height: 48, channels, data: Float32Array.from({ length: 64 * 48 * channels }, (_, i) => Math.fround(v(i))) });
    const options = resolveOptions({ mode: 'harmonize', backbone: 'squeezenet', size: 64, pass1Iters: 400, pass2Iters: 400 }) as ResolvedHarmonizeOptions;
    const workers: string[] = [];
    const result = client.run(
      { id: 'handed-back', options, planes: [{ plane: 'painting', image: img(3, (i) => ((i * 7) % 255) / 255), channels: 3 }, { plane: 'composite', image: img(3, (i) => ((i * 13) % 255) / 255), channels: 3 }, { plane: 'mask', image: img(1, (i) => (i % 64 > 20 && i % 64 < 40 ? 1 : 0)), channels: 1 }] },
      { onStarted: (w) => workers.push(w.worker) },
    );
    await expect.poll(a.log, { timeout: 30_000 }).toMatch(/job handed-back started/);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.log()).toMatch(/job handed-back handed back to the queue/);
    const b = startWorker('worker-b');
    await expect(result).resolves.toMatchObject({ worker: 'worker-b' });
    expect(workers).toEqual(['worker-a', 'worker-b']);
    const queue = new Queue(queueName('squeezenet'), { connection: queueTarget(redis.url).connection, prefix: QUEUE_PREFIX });
    // One try counted: the one that finished it (a try that fails would count too, and leave its reason).
    const job = await queue.getJob('handed-back');
    expect([job?.attemptsMade, job?.failedReason ?? '', job?.stacktrace ?? []]).toEqual([1, '', []]);
    await queue.close();
    await client.close();
    b.child.kill('SIGTERM');
    await b.exited;
  }, 120_000);
});
