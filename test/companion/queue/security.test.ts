// The studio queue against hostile or damaged entries and pixels (a worker trusts nothing in
// Redis: each such job fails once, with a sentence, and the worker lives on), and its logins:
// queue URLs, an ACL user with a password from the environment or a file, a wrong password,
// and TLS with the studio's own CA. Against real Redis servers started here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants, deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueClient, type RemoteJob } from '../../../companion/queue/client.js';
import { queueError, queueTarget, type QueueTarget } from '../../../companion/queue/connection.js';
import { ENTRY_VERSION, type QueueEntry } from '../../../companion/queue/entry.js';
import { ownerKey, planeKey, QUEUE_PREFIX, queueName } from '../../../companion/queue/keys.js';
import { putSamples, toSamples } from '../../../companion/queue/pixels.js';
import { startWorker, type RunningWorker } from '../../../companion/queue/worker.js';
import type { PlaneDeclaration } from '../../../shared/protocol.js';
import type { Runners } from '../../../companion/pipeline/runners.js';
import { fakeHarmonize } from '../../support/fake-runners.js';
import { composite, harmonized, harmonizeOptions, mask, painting, queueJob } from '../../support/queue-job.js';
import { needsRedis, redisAvailable, redisTlsMissing, startRedis, type TestRedis } from '../../support/redis.js';

const fast = { pollMs: 50, lockMs: 2000, ownerSeconds: 2 };
const MiB = 2 ** 20;

const options = harmonizeOptions(4);
const job = (): RemoteJob => queueJob(options);

/** A zlib stream of `mib` MiB of zeros, about 1 KB a MiB: one deflated MiB repeated (each copy ends on a byte and refers back only to zeros). */
function deflateBomb(mib: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(MiB), { finishFlush: constants.Z_SYNC_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((mib * MiB) % 65521) * 65536 + 1) >>> 0); // Adler-32 of zeros: a stays 1, b counts the bytes
  return Buffer.concat([Buffer.from([0x78, 0x01]), ...Array<Buffer>(mib).fill(block), Buffer.from([0x03, 0x00]), adler]);
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close().catch(() => {});
});

async function serve(target: QueueTarget, runner = fakeHarmonize({ iterationMs: 1 })): Promise<RunningWorker> {
  const w = await startWorker({ target, backbones: ['squeezenet'], runners: { harmonize: runner } as Runners, device: 'cpu', name: 'w1', timings: fast });
  cleanups.push(() => w.close());
  await w.ready;
  return w;
}
function client(target: QueueTarget): QueueClient {
  const c = new QueueClient({ target, by: 'test', timings: fast });
  cleanups.push(() => c.close());
  return c;
}
/** A job through the queue and back, checked to the last float. */
async function roundTrip(target: QueueTarget): Promise<void> {
  await serve(target);
  const c = client(target);
  await c.ping(2000);
  expect(Array.from((await c.run(job(), {})).image.data)).toEqual(harmonized);
}

describe.skipIf(!redisAvailable)(needsRedis('hostile or damaged queue entries'), () => {
  let redis: TestRedis;
  let admin: Redis;
  let queue: Queue;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(queueTarget(redis.url).connection);
    queue = new Queue(queueName('squeezenet'), { connection: queueTarget(redis.url).connection, prefix: QUEUE_PREFIX });
    await admin.set(ownerKey('mallory'), 'test', 'EX', 600);
  });
  afterAll(async () => {
    await queue?.close();
    admin?.disconnect();
    await redis?.close();
  });

  /** Stores the planes as a submitter would and adds the entry after `change` has changed it, or what `change` returns instead. */
  async function enqueue(id: string, change: (entry: QueueEntry) => unknown = () => {}): Promise<void> {
    const data: QueueEntry['data'] = {};
    const planes: PlaneDeclaration[] = [];
    for (const [plane, img, channels] of [['painting', painting, 3], ['composite', composite, 3], ['mask', mask, 1]] as const) {
      data[plane] = await putSamples(admin, planeKey(id, plane), toSamples(img, 8), 600);
      planes.push({ plane, width: img.width, height: img.height, channels, bitsPerChannel: 8 });
    }
    const entry: QueueEntry = { v: ENTRY_VERSION, submit: { type: 'submit', jobId: 1, options, planes }, data, owner: 'mallory', by: 'test' };
    await queue.add('harmonize', (await change(entry)) ?? entry, { jobId: id, attempts: 3 });
  }
  async function failure(id: string) {
    await expect.poll(async () => (await queue.getJob(id))?.finishedOn, { timeout: 5000 }).toBeDefined();
    const j = (await queue.getJob(id))!;
    return { state: await j.getState(), reason: j.failedReason, attemptsMade: j.attemptsMade };
  }

  it('fails a job whose plane was changed in the store once, naming the plane; then runs a good job', async () => {
    const runner = fakeHarmonize({ iterationMs: 1 });
    await serve(queueTarget(redis.url), runner);
    await enqueue('changed-1', async (entry) => {
      const raw = Buffer.from(toSamples(mask, 8));
      raw[17] ^= 1; // one bit, same length
      await admin.set(entry.data.mask!.key, deflateSync(raw), 'EX', 600);
    });
    expect(await failure('changed-1')).toEqual({ state: 'failed', reason: "BAD_MESSAGE: The 'mask' plane does not match its SHA-256: it was changed or damaged in the queue's store.", attemptsMade: 1 });
    expect(runner.record.started).toBe(0);
    expect(Array.from((await client(queueTarget(redis.url)).run(job(), {})).image.data)).toEqual(harmonized);
  });

  it('stops a deflate bomb at the declared size: fails once, the memory stays put, the worker goes on', async () => {
    const runner = fakeHarmonize({ iterationMs: 1 });
    await serve(queueTarget(redis.url), runner);
    const bomb = deflateBomb(1024); // 1 GiB of zeros in about 1 MB, for a plane declared as 360 bytes
    expect(bomb.byteLength).toBeLessThan(2 * MiB);
    expect(() => inflateSync(bomb, { maxOutputLength: 64 * MiB })).toThrow(RangeError); // it is a genuine bomb
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    await enqueue('bomb-1', async (entry) => void (await admin.set(entry.data.composite!.key, bomb, 'EX', 600)));
    expect(await failure('bomb-1')).toEqual({ state: 'failed', reason: expect.stringMatching(/^BAD_MESSAGE: The 'composite' plane in the queue's store is corrupt or larger than declared: /), attemptsMade: 1 });
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(256 * MiB);
    expect(runner.record.started).toBe(0);
    expect(Array.from((await client(queueTarget(redis.url)).run(job(), {})).image.data)).toEqual(harmonized);
  });

  it('refuses malformed entries before fetching anything, each failing once with a sentence; then runs a good job', async () => {
    const runner = fakeHarmonize({ iterationMs: 1 });
    await serve(queueTarget(redis.url), runner);
    const huge = { plane: 'composite', width: 9000, height: 9000, channels: 3, bitsPerChannel: 8 } as const;
    const cases: [string, (e: QueueEntry) => unknown, RegExp][] = [
      ['a plane key outside painterly:data:', (e) => void (e.data.mask!.key = ownerKey('mallory')), /^BAD_MESSAGE: Expected a key under painterly:data: for `data\.mask\.key`/],
      ['planes beyond the limits', (e) => {
        e.submit.planes = e.submit.planes.map((p) => ({ ...p, width: huge.width, height: huge.height }));
        e.data.composite = { key: planeKey('nowhere', 'composite'), encoding: 'u8', bytes: huge.width * huge.height * 3, sha256: '0'.repeat(64) };
      }, /^IMAGE_TOO_LARGE: /],
      ['not an object', () => 'pixels, honest', /^BAD_MESSAGE: Expected an object for `job data`/],
      ['another entry version', (e) => ({ ...e, v: 99 }), /^PROTOCOL_MISMATCH: This worker reads queue entries of version 1; this one is 99/],
      ['an owner that is no name', (e) => ({ ...e, owner: 'a b/../c' }), /^BAD_MESSAGE: Expected a name of letters.* for `owner`/],
      ['pixels for a plane not declared', (e) => void (e.data.dilatedMask = e.data.mask), /^BAD_MESSAGE: data has entries for undeclared planes: dilatedMask/],
      ['a byte count unlike the declaration', (e) => void (e.data.mask!.bytes = 10 * MiB), /^BAD_MESSAGE: Expected 120 \(its declared size\) for `data\.mask\.bytes`/],
    ];
    for (const [i, [, change]] of cases.entries()) await enqueue(`bad-${i}`, change);
    for (const [i, [what, , reason]] of cases.entries()) {
      expect(await failure(`bad-${i}`), what).toEqual({ state: 'failed', reason: expect.stringMatching(reason), attemptsMade: 1 });
    }
    expect(runner.record.started).toBe(0);
    expect(Array.from((await client(queueTarget(redis.url)).run(job(), {})).image.data)).toEqual(harmonized);
  });
});

describe('queue URLs and credentials (queueTarget)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'painterly-queue-creds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('reads host, port, database and user from the URL; 6379 by default; no TLS for redis://', () => {
    expect(queueTarget('redis://studio@queue.lan/2', { env: {} }).connection).toMatchObject({ host: 'queue.lan', port: 6379, db: 2, username: 'studio', maxRetriesPerRequest: null });
    expect(queueTarget('redis://queue.lan:6390', { env: {} }).connection.tls).toBeUndefined();
  });

  it('turns on TLS for rediss://, with the host as servername (none for an IP address, which RFC 6066 forbids)', () => {
    expect(queueTarget('rediss://queue.lan:6380', { env: {} }).connection.tls).toEqual({ servername: 'queue.lan' });
    expect(queueTarget('rediss://10.0.0.5:6380', { env: {} }).connection.tls).toEqual({});
    expect(queueTarget('rediss://[::1]:6380', { env: {} }).connection).toMatchObject({ host: '::1', tls: {} });
  });

  it('reads the CA from --queue-ca or PAINTERLY_QUEUE_CA, and refuses a CA without TLS or a CA file that is not there', () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nstudio\n-----END CERTIFICATE-----\n');
    expect(queueTarget('rediss://queue.lan', { caFile: ca, env: {} }).connection.tls?.ca).toContain('studio');
    expect(queueTarget('rediss://queue.lan', { env: { PAINTERLY_QUEUE_CA: ca } }).connection.tls?.ca).toContain('studio');
    expect(() => queueTarget('redis://queue.lan', { caFile: ca, env: {} })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/TLS only: use a rediss:\/\/ URL/) }));
    expect(() => queueTarget('rediss://queue.lan', { caFile: path.join(dir, 'absent.pem'), env: {} })).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND', message: expect.stringMatching(/Cannot read the CA file .*absent\.pem/) }));
  });

  it('takes the password from a file (its first line), else PAINTERLY_QUEUE_PASSWORD, else the URL, which it flags and never shows', () => {
    const pw = file('pw', 'from-file\nignored\n');
    const inUrl = queueTarget('redis://studio:s%40cret@queue.lan', { env: {} });
    expect(inUrl).toMatchObject({ passwordInUrl: true, shown: 'redis://studio@queue.lan', connection: { username: 'studio', password: 's@cret' } });
    expect(queueTarget('redis://studio:s%40cret@queue.lan', { env: { PAINTERLY_QUEUE_PASSWORD: 'from-env' } }).connection.password).toBe('from-env');
    expect(queueTarget('redis://studio@queue.lan', { passwordFile: pw, env: { PAINTERLY_QUEUE_PASSWORD: 'from-env' } })).toMatchObject({ passwordInUrl: false, connection: { password: 'from-file' } });
    expect(queueTarget('redis://queue.lan', { env: {} }).connection.password).toBeUndefined();
  });

  it.each([
    ['http://queue.lan', /must start with redis:\/\/ or rediss:\/\/ \(TLS\), got 'http:\/\/'/],
    ['queue.lan:6379', /must start with redis:\/\/ or rediss:\/\//],
    ['not a url', /Expected a queue URL like redis:\/\/host:6379/],
    ['redis://', /names no host/],
    ['redis://queue.lan/jobs', /database must be a number .* got '\/jobs'/],
    ['redis://queue.lan/123', /database must be a number/],
  ])('refuses %s with BAD_ARGUMENT', (url, message) => {
    expect(() => queueTarget(url, { env: {} })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringMatching(message) }));
  });
});

describe.skipIf(!redisAvailable)(needsRedis('a queue with an ACL user and a password'), () => {
  const user = { name: 'studio', password: 'correct horse battery' };
  let redis: TestRedis;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis({ user });
    dir = mkdtempSync(path.join(os.tmpdir(), 'painterly-queue-acl-'));
  });
  afterAll(async () => {
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = () => `redis://${user.name}@127.0.0.1:${redis.port}`;

  it('runs a job with the password from PAINTERLY_QUEUE_PASSWORD', async () => {
    await roundTrip(queueTarget(url(), { env: { PAINTERLY_QUEUE_PASSWORD: user.password } }));
  });

  it('runs a job with the password from a file', async () => {
    writeFileSync(path.join(dir, 'password'), `${user.password}\n`, { mode: 0o600 });
    await roundTrip(queueTarget(url(), { passwordFile: path.join(dir, 'password'), env: {} }));
  });

  it('says at once that a wrong password or a missing user is refused, from ping and from a worker starting', async () => {
    const wrong = queueTarget(url(), { env: { PAINTERLY_QUEUE_PASSWORD: 'Tr0ub4dor&3' } });
    const refused = { code: 'UNAUTHORIZED', message: expect.stringMatching(/^The queue at redis:\/\/studio@127\.0\.0\.1:\d+ refused the login \(WRONGPASS\): check the user in the URL and the password/) };
    const t0 = Date.now();
    await expect(client(wrong).ping(10_000)).rejects.toMatchObject(refused);
    await expect(startWorker({ target: wrong, backbones: ['squeezenet'], runners: {} as Runners, device: 'cpu', name: 'w', timings: fast })).rejects.toMatchObject(refused);
    await expect(client(queueTarget(`redis://127.0.0.1:${redis.port}`, { env: {} })).ping(10_000)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/refused the login \(NOAUTH\)/) });
    expect(Date.now() - t0).toBeLessThan(3000); // not the ping's 10 s timeout
  });
});

describe.skipIf(!redisAvailable)(needsRedis('a queue over TLS (rediss://) with the studio\'s CA'), () => {
  const missing = redisTlsMissing();
  let redis: TestRedis | undefined;
  let dir: string;
  beforeAll(async () => {
    if (missing) return;
    dir = mkdtempSync(path.join(os.tmpdir(), 'painterly-queue-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Painterly test CA');
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.cnf');
    redis = await startRedis({ tls: { certFile: path.join(dir, 'server.pem'), keyFile: path.join(dir, 'server.key'), caFile: path.join(dir, 'ca.pem') } });
  });
  afterAll(async () => {
    await redis?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job over rediss:// with --queue-ca, without Node\'s warning about an IP as servername', async (ctx) => {
    ctx.skip(missing !== undefined, `skipped: ${missing}`);
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code}: ${w.message}`);
    process.on('warning', onWarning);
    cleanups.push(async () => process.off('warning', onWarning));
    expect(redis!.url).toMatch(/^rediss:\/\/127\.0\.0\.1:/);
    await roundTrip(queueTarget(redis!.url, { caFile: path.join(dir, 'ca.pem'), env: {} }));
    expect(warnings.filter((w) => /DEP0123|ServerName/.test(w))).toEqual([]);
  });

  it('says at once that the server\'s certificate is not trusted without the CA, from ping and from a worker starting', async (ctx) => {
    ctx.skip(missing !== undefined, `skipped: ${missing}`);
    const untrusted = queueTarget(redis!.url, { env: {} });
    const refused = { code: 'COMPANION_UNREACHABLE', message: expect.stringMatching(/presented a TLS certificate this machine does not trust \(.+\): give the CA that signed it with --queue-ca FILE or PAINTERLY_QUEUE_CA/) };
    const t0 = Date.now();
    await expect(client(untrusted).ping(10_000)).rejects.toMatchObject(refused);
    await expect(startWorker({ target: untrusted, backbones: ['squeezenet'], runners: {} as Runners, device: 'cpu', name: 'w', timings: fast })).rejects.toMatchObject(refused);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('what a queue connection error is called (queueError)', () => {
  const target = queueTarget('rediss://gpu-box:6380');
  const named = (message: string, code?: string) => {
    const e = Object.assign(new Error(message), code ? { code } : {});
    const p = queueError(target, e);
    return `${p.code}: ${p.message}`;
  };
  it('a refused login, a missing permission, a demanded client certificate, an untrusted certificate, anything else', () => {
    expect(named('WRONGPASS invalid username-password pair or user is disabled.')).toMatch(/^UNAUTHORIZED: .*refused the login .*PAINTERLY_QUEUE_PASSWORD/);
    expect(named("NOPERM User painterly has no permissions to run the 'info' command")).toMatch(/^UNAUTHORIZED: .*refuses a command Painterly needs .*\+info/);
    expect(named('140:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:SSL alert number 116')).toMatch(/^COMPANION_UNREACHABLE: .*client certificate.*tls-auth-clients no/);
    expect(named('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN')).toMatch(/^COMPANION_UNREACHABLE: .*does not trust .*--queue-ca/);
    expect(named('connect ECONNREFUSED 10.0.0.2:6380', 'ECONNREFUSED')).toMatch(/^COMPANION_UNREACHABLE: The queue at rediss:\/\/gpu-box:6380 refused us: connect ECONNREFUSED/);
  });
});
