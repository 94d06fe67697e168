// Where the studio's Redis is and how to log in to it. A queue is named by a URL
// (`redis://host:6379`, `rediss://host:6380` for TLS, an optional `/db` and ACL user); the password
// never needs the command line, where other users can read it: it comes from
// PAINTERLY_QUEUE_PASSWORD or a file (`--queue-password-file`). A CA for TLS from PAINTERLY_QUEUE_CA
// or `--queue-ca`. The options returned are ioredis's, which BullMQ takes as they are.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { PainterlyError } from '../../shared/errors.js';

export interface QueueConnection {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
  /** No servername for an IP address (RFC 6066 forbids it; Node warns): the certificate is then checked against the IP. */
  tls?: { servername?: string; ca?: string };
  /** BullMQ's workers block on Redis: their commands must wait through a reconnection, not fail. */
  maxRetriesPerRequest: null;
  /** Reconnect after Redis restarts: every 0.5 s, then every 2 s, forever. */
  retryStrategy: (times: number) => number;
}

export interface QueueTarget {
  connection: QueueConnection;
  /** The URL without its password, to print. */
  shown: string;
  /** A password was written into the URL itself (works, but shows in `ps`). */
  passwordInUrl: boolean;
}

export interface CredentialSources {
  /** A file holding the password (its first line). */
  passwordFile?: string;
  /** A PEM file of the CA that signed the server's certificate (rediss:// only). */
  caFile?: string;
  env?: NodeJS.ProcessEnv;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new PainterlyError('FILE_NOT_FOUND', `Cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
}

/** Parses a queue URL and gathers its credentials; refuses anything but redis:// and rediss://. */
export function queueTarget(url: string, sources: CredentialSources = {}): QueueTarget {
  const env = sources.env ?? process.env;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PainterlyError('BAD_ARGUMENT', `Expected a queue URL like redis://host:6379 or rediss://host:6380, got '${url}'.`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new PainterlyError('BAD_ARGUMENT', `The queue URL must start with redis:// or rediss:// (TLS), got '${u.protocol}//'.`);
  }
  if (!u.hostname) throw new PainterlyError('BAD_ARGUMENT', `The queue URL '${url}' names no host.`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText && !/^\d{1,2}$/.test(dbText)) throw new PainterlyError('BAD_ARGUMENT', `The queue URL's database must be a number (redis://host:6379/2), got '/${dbText}'.`);
  const passwordInUrl = u.password !== '';
  const password =
    sources.passwordFile !== undefined ? readText(sources.passwordFile, 'queue password file').split(/\r?\n/)[0].trim()
    : env.PAINTERLY_QUEUE_PASSWORD ? env.PAINTERLY_QUEUE_PASSWORD
    : passwordInUrl ? decodeURIComponent(u.password)
    : undefined;
  const caFile = sources.caFile ?? env.PAINTERLY_QUEUE_CA;
  if (caFile && u.protocol !== 'rediss:') throw new PainterlyError('BAD_ARGUMENT', 'A CA for the queue applies to TLS only: use a rediss:// URL.');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const connection: QueueConnection = {
    host,
    port,
    ...(dbText ? { db: Number(dbText) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { ...(isIP(host) ? {} : { servername: host }), ...(caFile ? { ca: readText(caFile, 'CA file') } : {}) } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => (times < 10 ? 500 : 2000),
  };
  const shownUrl = new URL(u.href);
  shownUrl.password = '';
  return { connection, shown: shownUrl.href.replace(/\/$/, ''), passwordInUrl };
}

/** What checking a connection needs of a Redis client (ioredis). */
export interface Answering {
  ping(): Promise<unknown>;
  on(event: 'error', listener: (e: Error) => void): unknown;
  off(event: 'error', listener: (e: Error) => void): unknown;
}

const REFUSED_LOGIN = /\b(WRONGPASS|NOAUTH)\b/;
const NO_PERMISSION = /\bNOPERM\b/;
/** Redis asks for a client certificate (tls-auth-clients yes, its default): TLS alert 116. */
const CLIENT_CERT_REQUIRED = /certificate required|alert number 116/i;
const UNTRUSTED = /certificate|self[- ]signed|CERT_|ERR_TLS_CERT/i;

/** Whether retrying cannot fix this connection error: a refused login or an untrusted certificate. */
function isLoginProblem(e: unknown): boolean {
  const text = `${(e as { code?: unknown })?.code ?? ''} ${(e as Error)?.message ?? e}`;
  return REFUSED_LOGIN.test(text) || NO_PERMISSION.test(text) || UNTRUSTED.test(text);
}

/** A Redis or socket error as Painterly's, saying which setting to check. */
export function queueError(target: QueueTarget, e: unknown): PainterlyError {
  const message = (e as Error)?.message ?? String(e);
  const text = `${(e as { code?: unknown })?.code ?? ''} ${message}`;
  if (REFUSED_LOGIN.test(text)) {
    return new PainterlyError('UNAUTHORIZED', `The queue at ${target.shown} refused the login (${message.split(' ')[0]}): check the user in the URL and the password (PAINTERLY_QUEUE_PASSWORD or --queue-password-file).`);
  }
  if (NO_PERMISSION.test(text)) {
    return new PainterlyError('UNAUTHORIZED', `The queue at ${target.shown} lets this user in but refuses a command Painterly needs (${message}): its ACL needs at least ~painterly:* resetchannels +@all -@dangerous +info (docs/studio.md).`);
  }
  if (CLIENT_CERT_REQUIRED.test(text)) {
    return new PainterlyError('COMPANION_UNREACHABLE', `The queue at ${target.shown} asks for a client certificate, which Painterly does not send (${message}): set tls-auth-clients no in its redis.conf (docs/studio.md).`);
  }
  if (UNTRUSTED.test(text)) {
    return new PainterlyError('COMPANION_UNREACHABLE', `The queue at ${target.shown} presented a TLS certificate this machine does not trust (${message}): give the CA that signed it with --queue-ca FILE or PAINTERLY_QUEUE_CA.`);
  }
  return new PainterlyError('COMPANION_UNREACHABLE', `The queue at ${target.shown} refused us: ${message}`);
}

/**
 * Resolves once Redis answers. A refused login or an untrusted certificate rejects at once (the
 * client would otherwise retry it for ever, silently); an unreachable Redis is waited for, up to
 * `timeoutMs`, and then named with the last connection error.
 */
export function queueAnswers(redis: Answering, target: QueueTarget, timeoutMs = Infinity, onWaiting?: (e: Error) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let last: Error | undefined;
    const done = (e?: unknown) => {
      redis.off('error', onError);
      clearTimeout(timer);
      if (e === undefined) resolve();
      else reject(e);
    };
    const onError = (e: Error) => {
      if (isLoginProblem(e)) return done(queueError(target, e));
      if (!last) onWaiting?.(e);
      last = e;
    };
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => done(new PainterlyError('COMPANION_UNREACHABLE', `The queue at ${target.shown} does not answer${last ? ` (${last.message})` : ''}: is Redis running there, and reachable from this machine?`)), timeoutMs)
      : undefined;
    timer?.unref();
    redis.on('error', onError);
    redis.ping().then(() => done(), (e) => done(queueError(target, e)));
  });
}
