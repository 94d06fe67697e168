// A real Redis for the queue's tests: Debian's `redis-server`, started by the test on a free
// loopback port in a temporary folder, with its append-only file on so that a restart keeps the
// queue (as a studio's Redis would). Where the package is absent the tests are skipped, and say
// which package to install.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const binary = process.env.PAINTERLY_REDIS_SERVER ?? 'redis-server';

/** Whether `redis-server` can be run here. */
export const redisAvailable: boolean = spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;

/** The name of a describe block that needs Redis: skipped where it is absent, saying why. */
export function needsRedis(title: string): string {
  return redisAvailable ? title : `${title} (skipped: needs Redis — install Debian's redis-server package: apt-get install redis-server)`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM, it saves its data) and waits for it. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

export interface TestRedisOptions {
  /** `requirepass`, and an ACL user with this password. */
  user?: { name: string; password: string };
  /** Serve TLS only, with these PEM files (clients need no certificate): the URL is rediss://127.0.0.1:port. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/**
 * Why this `redis-server` cannot serve TLS, or undefined when it can. A build without TLS does not
 * know the `tls-port` directive; one with it starts, finds nothing to listen on, and says so.
 */
export function redisTlsMissing(): string | undefined {
  if (!redisAvailable) return 'no redis-server';
  const r = spawnSync(binary, ['--port', '0', '--tls-port', '0', '--save', ''], { encoding: 'utf8', timeout: 10_000 });
  if (/not listen anywhere/.test(`${r.stdout}${r.stderr}`)) return undefined;
  return `this redis-server was built without TLS (${`${r.stdout}${r.stderr}`.split('\n').find((l) => /tls|directive/i.test(l))?.trim() ?? 'it refuses --tls-port'})`;
}

/** Starts `redis-server` on a free loopback port. */
export async function startRedis(opts: TestRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'painterly-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'];
  // Each ACL rule is its own argument: Redis takes one argument with spaces as a user name.
  if (opts.tls) args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.certFile, '--tls-key-file', opts.tls.keyFile, '--tls-ca-cert-file', opts.tls.caFile, '--tls-auth-clients', 'no');
  if (opts.user) args.push('--user', opts.user.name, 'on', `>${opts.user.password}`, '~*', '&*', '+@all', '--user', 'default', 'off');

  const start = async () => {
    let output = '';
    const c = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        if (/Ready to accept connections/.test(output)) resolve();
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      c.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
    });
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    port,
    url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
