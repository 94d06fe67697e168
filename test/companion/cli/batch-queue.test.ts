// `painterly batch --queue` as a studio runs it: a real Redis (Debian's redis-server), two
// `painterly worker` processes, one of them killed with SIGKILL while it runs a job, and the
// results compared with a local batch of the same jobs (same device, one CPU thread everywhere).
// Then a batch killed itself and run again: it skips what is done and takes back what is queued.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIT, kitWeights } from '../../../eval/shared-kit.js';
import { runCli } from '../../support/run-cli.js';
import { needsRedis, redisAvailable, startRedis, type TestRedis } from '../../support/redis.js';

const BIN = resolve(__dirname, '../../../bin/painterly.js');
const root = mkdtempSync(join(tmpdir(), 'painterly-batch-queue-'));
const jobs = join(root, 'jobs');
const weights = kitWeights('squeezenet')!;
const JOB = ['--backbone', 'squeezenet', '--size', '96', '--pass1-iters', '20', '--pass2-iters', '20'];
const env = { PAINTERLY_CACHE_DIR: join(root, 'cache'), PAINTERLY_CPU_THREADS: '1', ORT_DISABLE_TELEMETRY: '1' };
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];

let redis: TestRedis;
const children: ChildProcess[] = [];

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out, exited: new Promise((r) => child.on('close', (code) => r(code))) };
}

async function until(p: Proc, pattern: RegExp, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pattern.test(p.out())) {
    if (Date.now() > end || p.child.exitCode !== null) throw new Error(`Timed out waiting for ${pattern}:\n${p.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function worker(name: string): Promise<Proc> {
  const w = start(['worker', '--queue', redis.url, '--backbone', 'squeezenet', '--weights', weights, '--device', 'cpu', '--name', name, '--lock-seconds', '2']);
  await until(w, /serving redis:/);
  return w;
}

const pixels = async (file: string) => (await sharp(file).raw().toBuffer()).toString('base64');

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  mkdirSync(jobs, { recursive: true });
  const data = join(KIT, 'dph-examples', 'data');
  for (const [i, name] of NAMES.entries()) {
    for (const [role, file] of [['painting', 'target.jpg'], ['composite', 'naive.jpg'], ['mask', 'c_mask.jpg']] as const) {
      await sharp(join(data, `${[16, 1, 5, 2, 3, 4][i]}_${file}`)).resize(120).png().toFile(join(jobs, `${name}_${role}.png`));
    }
  }
  // The reference: the same jobs run here, one after the other.
  const local = await runCli(['batch', jobs, '--out', join(root, 'local'), ...JOB, '--weights', weights, '--device', 'cpu'], { env });
  if (local.code !== 0) throw new Error(`local batch failed:\n${local.stderr}`);
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!redisAvailable)(needsRedis('painterly batch --queue with painterly worker'), () => {
  it('runs six jobs on two workers, one killed with SIGKILL mid-job: all six written, each equal to the local batch’s, none run twice', async () => {
    const [a, b] = [await worker('worker-a'), await worker('worker-b')];
    const out = join(root, 'queued');
    const batch = start(['batch', jobs, '--out', out, '--queue', redis.url, ...JOB]);
    await until(a, /job \S+ started/);
    a.child.kill('SIGKILL');
    const code = await batch.exited;
    expect(code, batch.out()).toBe(0);
    expect(batch.out()).toMatch(/^Batch: 6 done, 0 failed/m);
    for (const name of NAMES) expect(await pixels(join(out, `${name}.png`)), name).toBe(await pixels(join(root, 'local', `${name}.png`)));
    // The killed worker finished nothing; the other finished every job exactly once.
    expect(a.out()).not.toMatch(/ done in /);
    const done = [...b.out().matchAll(/job (\S+) done in/g)].map((m) => m[1]);
    expect(done).toHaveLength(6);
    expect(new Set(done).size).toBe(6);
    // The job the killed worker held went to the other one.
    const lost = /job (\S+) started/.exec(a.out())![1];
    expect(done).toContain(lost);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 180_000);

  it('resumes: a batch killed after its first result, run again, skips what is written and takes back the jobs still in the queue', async () => {
    const w = await worker('worker-c');
    const out = join(root, 'resumed');
    const first = start(['batch', jobs, '--out', out, '--queue', redis.url, ...JOB]);
    await until(first, /: done in /);
    first.child.kill('SIGKILL');
    await first.exited;
    const written = NAMES.filter((n) => existsSync(join(out, `${n}.png`)));
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(6);

    const again = await runCli(['batch', jobs, '--out', out, '--queue', redis.url, ...JOB], { env });
    expect(again.code, again.stderr).toBe(0);
    for (const n of written) expect(again.stderr).toMatch(new RegExp(`\\] ${n}: skipped, `));
    expect(again.stderr).toMatch(/: found in the queue \((waiting|active)\), waiting for it/);
    for (const name of NAMES) expect(await pixels(join(out, `${name}.png`)), name).toBe(await pixels(join(root, 'local', `${name}.png`)));
    // Each job ran once on the worker: the rerun did not send the queued ones again.
    const done = [...w.out().matchAll(/job (\S+) done in/g)].map((m) => m[1]);
    expect(new Set(done).size).toBe(done.length);
    expect(done).toHaveLength(6);
    w.child.kill('SIGTERM');
    await w.exited;
  }, 180_000);
});
