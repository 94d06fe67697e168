// Resumable, verified HTTP(S) download of one file, on node:http/node:https alone.
// Bytes go to `<dest>.part`; a cut connection is resumed with a Range request (here, a few
// times, and on the next run); the file is renamed to `dest` only once its checksum matches.
// Offline machines fail within `connectTimeoutMs` with a sentence saying how to import by hand.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { basename, dirname } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';
import { VERSION } from '../../../shared/version.js';
import type { Digests } from './sources.js';

export interface DownloadOptions extends Digests {
  /** Tried in order until one works (mirrors of the same bytes). */
  urls: string[];
  /** Final path; the download itself goes to `<dest>.part`. */
  dest: string;
  /** Expected size in bytes, when known. */
  bytes?: number;
  onProgress?: (received: number, total: number | undefined) => void;
  signal?: AbortSignal;
  /** Time allowed for DNS, connecting and the response headers. Default 5 s. */
  connectTimeoutMs?: number;
  /** Time allowed without a byte once the transfer runs. Default 30 s. */
  idleTimeoutMs?: number;
  /** Automatic Range resumes after a cut connection, per URL. Default 3. */
  resumeAttempts?: number;
  maxRedirects?: number;
  /** Replaces the closing advice of failure messages ('' for none; callers trying several sources give their own). */
  hint?: string;
}

export interface DownloadResult {
  file: string;
  bytes: number;
  sha256: string;
  sha1: string;
  md5: string;
  /** The URL that served the last bytes (after redirects). */
  url: string;
  /** Bytes already in the `.part` file when this call started (0 for a fresh download). */
  resumedFrom: number;
}

interface Hashes {
  sha256: Hash;
  sha1: Hash;
  md5: Hash;
}

type HexDigests = { sha256: string; sha1: string; md5: string };

type FailureKind = 'offline' | 'timeout' | 'refused' | 'http' | 'cut' | 'protocol';

/** A failure of one attempt, before it becomes the user-facing PainterlyError. */
class AttemptError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function partPath(dest: string): string {
  return `${dest}.part`;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

function newHashes(): Hashes {
  return { sha256: createHash('sha256'), sha1: createHash('sha1'), md5: createHash('md5') };
}

async function hashInto(path: string, hashes: Hashes): Promise<void> {
  for await (const chunk of createReadStream(path)) {
    hashes.sha256.update(chunk as Buffer);
    hashes.sha1.update(chunk as Buffer);
    hashes.md5.update(chunk as Buffer);
  }
}

function hexOf(h: Hashes): HexDigests {
  return { sha256: h.sha256.digest('hex'), sha1: h.sha1.digest('hex'), md5: h.md5.digest('hex') };
}

/** SHA-256, SHA-1 and MD5 of a file, streamed. */
export async function hashFile(path: string): Promise<HexDigests> {
  const h = newHashes();
  await hashInto(path, h);
  return hexOf(h);
}

/** Names the first listed digest that does not match, or returns undefined when all match. */
export function digestMismatch(actual: HexDigests, expected: Digests): string | undefined {
  if (expected.sha256 && actual.sha256 !== expected.sha256.toLowerCase()) {
    return `its SHA-256 is ${actual.sha256}, expected ${expected.sha256}`;
  }
  if (expected.sha1 && actual.sha1 !== expected.sha1.toLowerCase()) return `its SHA-1 is ${actual.sha1}, expected ${expected.sha1}`;
  if (expected.md5 && actual.md5 !== expected.md5.toLowerCase()) return `its MD5 is ${actual.md5}, expected ${expected.md5}`;
  return undefined;
}

function describeNetworkError(e: NodeJS.ErrnoException, host: string): AttemptError {
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new AttemptError('offline', `the name ${host} could not be resolved (no network or no DNS)`);
    case 'ECONNREFUSED':
      return new AttemptError('refused', `${host} refused the connection`);
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
      return new AttemptError('offline', `${host} cannot be reached (no network route)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new AttemptError('cut', `the connection to ${host} was cut`);
    default:
      if (e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT')) {
        return new AttemptError('protocol', `the secure connection to ${host} failed (${e.code}; a proxy may intercept it)`);
      }
      return new AttemptError('protocol', `the connection to ${host} failed (${e.code ?? e.message})`);
  }
}

/** Sends a GET, following redirects, and resolves with the final response. */
function openResponse(
  url: URL,
  headers: Record<string, string>,
  opts: Required<Pick<DownloadOptions, 'connectTimeoutMs' | 'idleTimeoutMs' | 'maxRedirects'>> & { signal?: AbortSignal },
  redirectsLeft = opts.maxRedirects,
): Promise<{ res: http.IncomingMessage; url: URL }> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.reject(new AttemptError('protocol', `${url.protocol} URLs are not supported`));
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // No keep-alive agent: one connection per request, closed when done.
    const req = client.request(url, { method: 'GET', headers, signal: opts.signal, agent: false });
    // One timer covers DNS, connect and the response headers: offline machines fail fast.
    const connectTimer = setTimeout(() => {
      req.destroy(new AttemptError('timeout', `${url.host} did not answer within ${opts.connectTimeoutMs / 1000} s`));
    }, opts.connectTimeoutMs);
    req.setTimeout(opts.idleTimeoutMs, () => {
      req.destroy(new AttemptError('cut', `${url.host} sent nothing for ${opts.idleTimeoutMs / 1000} s`));
    });
    req.on('error', (e) => {
      clearTimeout(connectTimer);
      if (e instanceof AttemptError || e.name === 'AbortError') reject(e);
      else reject(describeNetworkError(e as NodeJS.ErrnoException, url.host));
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode ?? 0) && location) {
        res.resume();
        if (redirectsLeft <= 0) return reject(new AttemptError('http', `too many redirects from ${url.host}`));
        openResponse(new URL(location, url), headers, opts, redirectsLeft - 1).then(resolve, reject);
        return;
      }
      resolve({ res, url });
    });
    req.end();
  });
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

/** One request: appends what the server sends to the part file and feeds the hashes. */
async function transferOnce(
  url: URL,
  part: string,
  hashes: Hashes,
  opts: DownloadOptions & Required<Pick<DownloadOptions, 'connectTimeoutMs' | 'idleTimeoutMs' | 'maxRedirects'>>,
): Promise<{ url: URL; hashes: Hashes }> {
  let offset = await fileSize(part);
  const headers: Record<string, string> = { 'user-agent': `painterly/${VERSION}`, 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const { res, url: finalUrl } = await openResponse(url, headers, opts);
  const status = res.statusCode ?? 0;
  let total: number | undefined;
  if (status === 206 && offset > 0) {
    const m = CONTENT_RANGE.exec(res.headers['content-range'] ?? '');
    if (!m || Number(m[1]) !== offset) {
      res.resume();
      await unlink(part).catch(() => {});
      throw new AttemptError('protocol', `${finalUrl.host} answered a different byte range than asked for; the partial file was discarded`);
    }
    total = m[3] === '*' ? undefined : Number(m[3]);
  } else if (status === 200) {
    // A server that ignores Range sends the whole file again: start over.
    if (offset > 0) hashes = newHashes();
    offset = 0;
    const length = Number(res.headers['content-length']);
    total = Number.isFinite(length) && res.headers['content-length'] !== undefined ? length : undefined;
  } else if (status === 416 && offset > 0) {
    // The part is as long as (or longer than) the file: it cannot be resumed, so restart.
    res.resume();
    await unlink(part).catch(() => {});
    throw new AttemptError('cut', `${finalUrl.host} could not resume the partial file; it was discarded`);
  } else {
    res.resume();
    throw new AttemptError('http', `${finalUrl.host} answered HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
  }
  if (opts.bytes !== undefined && total !== undefined && total !== opts.bytes) {
    res.resume();
    throw new AttemptError('http', `${finalUrl.host} offers a file of ${total} bytes; expected ${opts.bytes}`);
  }
  const expectedTotal = total ?? opts.bytes;
  let received = offset;
  opts.onProgress?.(received, expectedTotal);
  const h = hashes;
  const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
  let failure: unknown;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      h.sha256.update(chunk);
      h.sha1.update(chunk);
      h.md5.update(chunk);
      received += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain', { signal: opts.signal });
      opts.onProgress?.(received, expectedTotal);
      opts.signal?.throwIfAborted();
    }
  } catch (e) {
    failure = e;
  }
  // Flush what arrived even when the connection broke: those bytes are what the next Range resumes from.
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (failure !== undefined) {
    if ((failure as Error).name === 'AbortError' || failure instanceof AttemptError) throw failure;
    throw new AttemptError('cut', `the connection to ${finalUrl.host} was cut after ${received} bytes`);
  }
  if (total !== undefined && received < total) {
    throw new AttemptError('cut', `the connection to ${finalUrl.host} was cut after ${received} of ${total} bytes`);
  }
  return { url: finalUrl, hashes: h };
}

function importHint(opts: DownloadOptions): string {
  return `If this machine is offline, download ${opts.urls[0]} on another machine and run \`npx painterly models import FILE\` here.`;
}

/** Downloads `opts.urls` to `opts.dest`, resuming a previous `.part`, and verifies the digests. */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  if (!options.sha256 && !options.sha1 && !options.md5) {
    throw new PainterlyError('BAD_ARGUMENT', `No checksum is known for ${basename(options.dest)}; refusing to download it unverified.`);
  }
  if (options.urls.length === 0) throw new PainterlyError('BAD_ARGUMENT', 'No URL to download from.');
  const opts = {
    ...options,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    maxRedirects: options.maxRedirects ?? 5,
    resumeAttempts: options.resumeAttempts ?? 3,
  };
  const { dest } = opts;
  const part = partPath(dest);
  await mkdir(dirname(dest), { recursive: true });

  // A verified file from an earlier run needs no network.
  if ((await fileSize(dest)) > 0) {
    const h = await hashFile(dest);
    if (!digestMismatch(h, opts)) return { file: dest, bytes: await fileSize(dest), ...h, url: opts.urls[0], resumedFrom: 0 };
    await unlink(dest);
  }
  let resumedFrom = await fileSize(part);
  if (opts.bytes !== undefined && resumedFrom > opts.bytes) {
    await unlink(part);
    resumedFrom = 0;
  }

  // The official URL's failure is the one reported; mirrors are a fallback.
  let first: AttemptError | undefined;
  let servedBy: URL | undefined;
  let hashes: Hashes | undefined;
  urls: for (const u of opts.urls) {
    let resumes = 0;
    for (;;) {
      const before = await fileSize(part);
      // On resume, the bytes already on disk are hashed first; new bytes are hashed as they come.
      hashes = newHashes();
      if (before > 0) await hashInto(part, hashes);
      try {
        ({ url: servedBy, hashes } = await transferOnce(new URL(u), part, hashes, opts));
        break urls;
      } catch (e) {
        if (opts.signal?.aborted || (e as Error).name === 'AbortError') {
          const kept = await fileSize(part);
          throw new PainterlyError(
            'CANCELLED',
            `Download stopped; ${kept} bytes are kept in ${part}: run the same command again to resume.`,
          );
        }
        if (!(e instanceof AttemptError)) throw e;
        if (u === opts.urls[0]) first = e;
        else first ??= e;
        const gained = (await fileSize(part)) > before;
        if (e.kind === 'cut' && (gained || before > 0) && resumes < opts.resumeAttempts) {
          resumes++;
          continue;
        }
        // An unanswered connection means we are probably offline: do not wait again on a mirror.
        if (e.kind === 'timeout') break urls;
        continue urls;
      }
    }
  }
  if (!servedBy || !hashes) {
    const kept = await fileSize(part);
    const keptNote = kept > 0 ? ` The ${kept} bytes received are kept in ${part}: run the same command again to resume.` : '';
    throw new PainterlyError(
      'DOWNLOAD_FAILED',
      `Could not download ${basename(dest)}: ${first?.message ?? 'no URL worked'}${opts.urls.length > 1 ? ', and its mirror failed too' : ''}.${keptNote}${opts.hint !== undefined ? opts.hint : ` ${importHint(opts)}`}`,
    );
  }

  const actual = hexOf(hashes);
  const bytes = await fileSize(part);
  const mismatch = digestMismatch(actual, opts);
  if (mismatch) {
    await unlink(part).catch(() => {});
    throw new PainterlyError(
      'CHECKSUM_MISMATCH',
      `The file downloaded from ${servedBy.host} is corrupt or not the expected one (${bytes} bytes; ${mismatch}); it was deleted.` +
        (opts.hint !== undefined
          ? opts.hint
          : ` Run the command again; if this keeps happening, download ${opts.urls[0]} on another machine and run \`npx painterly models import FILE\`.`),
    );
  }
  await rename(part, dest);
  return { file: dest, bytes, ...actual, url: servedBy.href, resumedFrom };
}
