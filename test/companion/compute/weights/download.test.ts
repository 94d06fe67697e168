// The downloader against a local HTTP server on 127.0.0.1 serving a generated Keras VGG-19 file.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, partPath } from '../../../../companion/compute/weights/download.js';
import { refusedPort, startServer, writeKerasVgg19, type FixtureServer, type ServeMode } from './fixtures.js';

let dir: string;
let body: Uint8Array;
let sha256: string;
let md5: string;
let server: FixtureServer | undefined;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-dl-'));
  const h5 = join(dir, 'fixture.h5');
  await writeKerasVgg19(h5);
  body = new Uint8Array(await readFile(h5));
  sha256 = createHash('sha256').update(body).digest('hex');
  md5 = createHash('md5').update(body).digest('hex');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serve(mode: ServeMode): Promise<FixtureServer> {
  server = await startServer(body, mode);
  return server;
}

/** A fresh destination for each test. */
function dest(): string {
  return join(dir, `out-${++n}`, 'weights.h5');
}

describe('downloadFile', () => {
  it('downloads, verifies the SHA-256 and reports progress up to the total', async () => {
    const s = await serve('good');
    const file = dest();
    const progress: Array<[number, number | undefined]> = [];
    const result = await downloadFile({
      urls: [`${s.origin}/file`],
      dest: file,
      bytes: body.length,
      sha256,
      onProgress: (r, t) => progress.push([r, t]),
    });
    expect(result).toMatchObject({ file, bytes: body.length, sha256, md5, resumedFrom: 0 });
    expect(new Uint8Array(await readFile(file))).toEqual(body);
    expect(existsSync(partPath(file))).toBe(false);
    expect(progress.at(-1)).toEqual([body.length, body.length]);
    expect(s.requests[0].headers.range).toBeUndefined();
  });

  it('follows redirects, as GitHub release downloads need', async () => {
    const s = await serve('good');
    const result = await downloadFile({ urls: [`${s.origin}/redirect`], dest: dest(), sha256 });
    expect(result.url).toBe(`${s.origin}/file`);
    expect(s.requests.map((r) => r.url)).toEqual(['/redirect', '/file']);
  });

  it('verifies an MD5 when that is the digest the source publishes', async () => {
    const s = await serve('good');
    await expect(downloadFile({ urls: [`${s.origin}/file`], dest: dest(), md5 })).resolves.toMatchObject({ md5 });
    const file = dest();
    await expect(downloadFile({ urls: [`${s.origin}/file`], dest: file, md5: '0'.repeat(32) })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining('MD5'),
    });
    expect(existsSync(file)).toBe(false);
  });

  it('deletes a corrupted download and reports CHECKSUM_MISMATCH with the import hint', async () => {
    const s = await serve('corrupt');
    const file = dest();
    const err = await downloadFile({ urls: [`${s.origin}/file`], dest: file, bytes: body.length, sha256 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(err.message).toContain(`expected ${sha256}`);
    expect(err.message).toContain('models import FILE');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(partPath(file))).toBe(false);
  });

  it('keeps the part of a cut download and resumes it on the next call with a Range request', async () => {
    const s = await serve('cut-once');
    const file = dest();
    const opts = { urls: [`${s.origin}/file`], dest: file, bytes: body.length, sha256, resumeAttempts: 0 };
    const err = await downloadFile(opts).catch((e) => e);
    expect(err).toMatchObject({ code: 'DOWNLOAD_FAILED', message: expect.stringContaining('run the same command again to resume') });
    const kept = (await stat(partPath(file))).size;
    expect(kept).toBe(body.length >> 1);

    const result = await downloadFile(opts);
    expect(s.requests).toHaveLength(2);
    expect(s.requests[1].headers.range).toBe(`bytes=${kept}-`);
    expect(result).toMatchObject({ sha256, resumedFrom: kept, bytes: body.length });
    expect(new Uint8Array(await readFile(file))).toEqual(body);
  });

  it('resumes a cut connection by itself within one call', async () => {
    const s = await serve('cut-once');
    const file = dest();
    const result = await downloadFile({ urls: [`${s.origin}/file`], dest: file, bytes: body.length, sha256 });
    expect(s.requests.map((r) => r.headers.range)).toEqual([undefined, `bytes=${body.length >> 1}-`]);
    expect(result.sha256).toBe(sha256);
  });

  it('starts over when the server ignores Range and sends the whole file again', async () => {
    const s = await serve('cut-once');
    const file = dest();
    const opts = { urls: [`${s.origin}/file`], dest: file, bytes: body.length, sha256, resumeAttempts: 0 };
    await downloadFile(opts).catch(() => {});
    s.mode = 'ignore-range';
    const result = await downloadFile(opts);
    expect(s.requests[1].headers.range).toBe(`bytes=${body.length >> 1}-`);
    expect(result.sha256).toBe(sha256);
    expect((await stat(file)).size).toBe(body.length);
  });

  it('reuses a verified file from an earlier run without a request', async () => {
    const s = await serve('good');
    const file = dest();
    await downloadFile({ urls: [`${s.origin}/file`], dest: file, sha256 });
    await downloadFile({ urls: [`${s.origin}/file`], dest: file, sha256 });
    expect(s.requests).toHaveLength(1);
  });

  it('falls back to the next URL when the first answers 404', async () => {
    const bad = await startServer(body, 'missing');
    try {
      const s = await serve('good');
      const result = await downloadFile({ urls: [`${bad.origin}/file`, `${s.origin}/file`], dest: dest(), sha256 });
      expect(result.url).toBe(`${s.origin}/file`);
    } finally {
      await bad.close();
    }
  });

  it('reports an HTTP error status as DOWNLOAD_FAILED', async () => {
    const s = await serve('missing');
    await expect(downloadFile({ urls: [`${s.origin}/file`], dest: dest(), sha256 })).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringContaining('HTTP 404'),
    });
  });

  it('refuses a file whose size differs from the expected one before downloading it', async () => {
    const s = await serve('good');
    await expect(downloadFile({ urls: [`${s.origin}/file`], dest: dest(), bytes: 80_134_624, sha256 })).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringContaining(`offers a file of ${body.length} bytes; expected 80134624`),
    });
  });

  it('fails at once with DOWNLOAD_FAILED and the import hint when the host refuses connections', { timeout: 5000 }, async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/vgg.h5`;
    const file = dest();
    const err = await downloadFile({ urls: [url], dest: file, sha256 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'DOWNLOAD_FAILED' });
    expect(err.message).toContain('refused the connection');
    expect(err.message).toContain(`download ${url} on another machine and run \`npx painterly models import FILE\``);
    expect(existsSync(partPath(file))).toBe(false);
  });

  it('gives up after connectTimeoutMs on a server that never answers', async () => {
    const s = await serve('silent');
    await expect(downloadFile({ urls: [`${s.origin}/file`], dest: dest(), sha256, connectTimeoutMs: 200 })).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringContaining('did not answer within 0.2 s'),
    });
  });

  it('fails with DOWNLOAD_FAILED when the host name does not resolve', async () => {
    const err = await downloadFile({ urls: ['http://painterly-test.invalid/x.h5'], dest: dest(), sha256, connectTimeoutMs: 3000 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'DOWNLOAD_FAILED', message: expect.stringContaining('models import FILE') });
  });

  it('stops on abort with CANCELLED and keeps the part for resuming', async () => {
    const s = await serve('good');
    const file = dest();
    const controller = new AbortController();
    const err = await downloadFile({
      urls: [`${s.origin}/file`],
      dest: file,
      sha256,
      signal: controller.signal,
      onProgress: (received) => {
        if (received > 0) controller.abort();
      },
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('run the same command again to resume') });
    expect(existsSync(file)).toBe(false);
    expect((await stat(partPath(file))).size).toBeGreaterThan(0);
  });

  it('refuses to download without a checksum', async () => {
    await expect(downloadFile({ urls: ['http://127.0.0.1:1/x'], dest: dest() })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
