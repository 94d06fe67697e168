// The gateway's side of the studio queue against a real Redis: what the panel is offered is what
// the live workers serve, and a gateway whose queue does not answer says so and stops.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueTarget } from '../../../companion/queue/connection.js';
import { gatewayCapabilities } from '../../../companion/queue/gateway.js';
import { announceWorker, liveWorkers } from '../../../companion/queue/registry.js';
import { runCli } from '../../support/run-cli.js';
import { freePort, needsRedis, redisAvailable, startRedis, type TestRedis } from '../../support/redis.js';

let redis: TestRedis;
let store: Redis;

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  store = new Redis(queueTarget(redis.url).connection);
});
afterAll(async () => {
  store?.disconnect();
  await redis?.close();
});

describe.skipIf(!redisAvailable)(needsRedis('a gateway companion'), () => {
  it('offers the panel what the live workers serve, the fastest device first, and how to serve the rest', async () => {
    expect(await gatewayCapabilities(store, 'redis://gpu:6379')).toMatchObject({ device: 'cpu', backbones: { present: [] }, queue: { workers: [] } });
    const withdrawA = announceWorker(store, { name: 'cpu-box', device: 'cpu', backbones: ['squeezenet'], version: '0.1.0' });
    const withdrawB = announceWorker(store, { name: 'gpu-box', device: 'cuda', backbones: ['vgg19', 'vgg19-shallow'], version: '0.1.0' });
    await expect.poll(() => liveWorkers(store).then((w) => w.length)).toBe(2);
    const caps = await gatewayCapabilities(store, 'redis://gpu:6379');
    expect(caps.device).toBe('cuda');
    expect(caps.devices).toEqual(['cuda', 'cpu']);
    expect(caps.backbones.present).toEqual(['vgg19', 'vgg19-shallow', 'squeezenet']);
    expect(caps.backbones.missing).toEqual([{ name: 'googlenet', fetchCommand: 'npx painterly worker --queue redis://gpu:6379 --backbone googlenet (on a studio machine with the model: npx painterly models fetch googlenet)' }]);
    expect(caps.queue!.workers).toEqual([{ name: 'cpu-box', device: 'cpu' }, { name: 'gpu-box', device: 'cuda' }]);
    await withdrawB();
    expect((await gatewayCapabilities(store, 'x')).queue!.workers).toEqual([{ name: 'cpu-box', device: 'cpu' }]);
    await withdrawA();
  });

  it('skips registry entries it cannot read, and backbones it does not know', async () => {
    await store.set('painterly:worker:junk', 'not json', 'EX', 30);
    await store.set('painterly:worker:odd', JSON.stringify({ name: 'odd', device: 'cpu', backbones: ['squeezenet', 'resnet'], version: 1 }), 'EX', 30);
    expect(await liveWorkers(store)).toEqual([{ name: 'odd', device: 'cpu', backbones: ['squeezenet'], version: '1' }]);
    await store.del('painterly:worker:junk', 'painterly:worker:odd');
  });
});

describe('painterly serve --queue', () => {
  it('says the queue does not answer, and exits, when nothing listens there', async () => {
    const r = await runCli(['serve', '--port', '0', '--queue', `redis://127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/COMPANION_UNREACHABLE: The queue at redis:\/\/127\.0\.0\.1:\d+ does not answer/);
  }, 30_000);

  it('refuses a URL that is not Redis', async () => {
    const r = await runCli(['serve', '--queue', 'http://gpu-box:6379']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BAD_ARGUMENT: The queue URL must start with redis:\/\/ or rediss:\/\//);
  });
});
