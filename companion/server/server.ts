// The companion's WebSocket server: loopback only, Host and Origin checked before upgrading,
// permessage-deflate off, every message capped by ws before it is buffered (small before
// pairing), idle TCP connections and unpaired WebSockets bounded in number and time. Composes
// the upgrade policy, the connection pools, the connections and the job queue; its parts share
// context.ts and never import this module.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { PainterlyError } from '../../shared/errors.js';
import { resolveLimits, type Limits } from '../../shared/limits.js';
import { SUBPROTOCOL, tokenFromProtocols } from '../../shared/pairing.js';
import { CLOSE_CODES, DEFAULT_HOST, DEFAULT_PORT, type CompanionCapabilities } from '../../shared/protocol.js';
import { Admission } from './admission.js';
import { Connection } from './connection.js';
import type { CapabilitiesProvider, ConnectionContext, ServerStats } from './context.js';
import type { ServerLog } from './log.js';
import { MemoryBudget } from './memory-budget.js';
import { ModelInstalls, type ModelService } from './model-installs.js';
import { JobQueue } from './queue.js';
import type { Runners } from '../pipeline/runners.js';
import { tokensMatch } from './token.js';
import { DEFAULT_TRANSPORT, PendingSockets, type TransportOptions } from './transport.js';
import { clip, refuseUpgrade } from './upgrade.js';

export interface CompanionServerOptions {
  /** Default 47653; 0 picks a free port. */
  port?: number;
  /** Only '127.0.0.1' is accepted: the companion never listens beyond this machine. */
  host?: string;
  /** The pairing token, or a function that returns the current one (so that a rotation applies at once). */
  token: string | (() => string);
  limits?: Partial<Limits>;
  runners: Runners;
  capabilities: CapabilitiesProvider;
  /** Exact Origin values to accept although they look like a browser's (escape hatch; default none). */
  allowedOrigins?: string[];
  /** TCP-level bounds (pending connections, header and close timeouts); defaults in transport.ts. */
  transport?: TransportOptions;
  /**
   * Installs models the panel names (`installModel`); without it the companion installs nothing.
   * Where the models come from is set here (companion/server/model-service.ts), never by a message.
   */
  models?: ModelService;
  /** At most one progress event per this many ms (stage changes and the last iteration always go out). Default 100. */
  progressIntervalMs?: number;
  log?: ServerLog;
}

export interface CompanionServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly limits: Limits;
  readonly stats: Readonly<ServerStats>;
  /** Stops accepting, closes every connection (which cancels their jobs) and waits for the device to be free. */
  close(): Promise<void>;
}

const FORBIDDEN_BODY = 'Painterly companion: this connection is not allowed.\n';

/** Answers and drops the socket as soon as the answer is written. */
function refuseSocket(socket: Duplex, status: string, body: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The HTTP server under the WebSocket: every limit a request can run into, set small. */
function createHttpServer(transport: Required<TransportOptions>): http.Server {
  const server = http.createServer(
    { maxHeaderSize: 8192, headersTimeout: transport.headerTimeoutMs, requestTimeout: transport.headerTimeoutMs, keepAliveTimeout: 1000, connectionsCheckingInterval: 1000 },
    (_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('Painterly companion: connect with a WebSocket.\n');
    },
  );
  server.maxHeadersCount = 32;
  server.maxRequestsPerSocket = 1;
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

function newStats(admission: Admission, memory: MemoryBudget, pending: PendingSockets): ServerStats {
  return {
    connections: 0,
    get pairedConnections() {
      return admission.pairedCount;
    },
    get unpairedConnections() {
      return admission.unpairedCount;
    },
    get pendingSockets() {
      return pending.size;
    },
    get heldBytes() {
      return memory.held;
    },
    refusedUpgrades: 0,
    unauthorized: 0,
    unpairedEvicted: 0,
    socketsDropped: 0,
    jobsCompleted: 0,
    jobsCancelled: 0,
    jobsFailed: 0,
    framesRejected: 0,
  };
}

function listen(httpServer: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new PainterlyError('BAD_ARGUMENT', `Port ${port} on ${host} is in use: is a companion already running? Pick another with --port.`)
          : e,
      );
    };
    httpServer.once('error', onError);
    httpServer.listen(port, host, () => {
      httpServer.off('error', onError);
      resolve();
    });
  });
}

export async function createCompanionServer(opts: CompanionServerOptions): Promise<CompanionServer> {
  const host = opts.host ?? DEFAULT_HOST;
  if (host !== '127.0.0.1') throw new TypeError(`The companion listens on 127.0.0.1 only, not '${host}'.`);
  const port = opts.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`Expected a port from 0 to 65535, got ${port}.`);
  if (typeof opts.token === 'string' && opts.token.length < 16) throw new TypeError('The pairing token must be at least 16 characters.');
  const limits = resolveLimits(opts.limits);
  const transport: Required<TransportOptions> = { ...DEFAULT_TRANSPORT, ...opts.transport };
  const log: ServerLog = opts.log ?? (() => {});
  const admission = new Admission(limits);
  const memory = new MemoryBudget(limits.maxHeldBytes);
  const pending = new PendingSockets(transport.maxPendingSockets, transport.headerTimeoutMs, () => stats.socketsDropped++);
  const stats = newStats(admission, memory, pending);
  const tokenOf = typeof opts.token === 'function' ? opts.token : () => opts.token as string;

  let capsPromise: Promise<CompanionCapabilities> | undefined;
  let capsAt = 0;
  // Cached for a few seconds: a model fetched meanwhile shows up on the next connection; an
  // install from the panel asks for a fresh reading.
  const capabilities = (fresh = false) => {
    if (fresh || !capsPromise || Date.now() - capsAt > 5000) {
      capsAt = Date.now();
      capsPromise = opts.capabilities();
      capsPromise.catch(() => (capsPromise = undefined));
    }
    return capsPromise;
  };

  const checkToken = (given: string) => {
    const expected = tokenOf();
    return typeof expected === 'string' && expected.length > 0 && tokensMatch(given, expected);
  };
  const ctx: ConnectionContext = {
    limits,
    checkToken,
    capabilities,
    runners: opts.runners,
    queue: new JobQueue(),
    admission,
    memory,
    openJobs: { count: 0 },
    stats,
    log,
    installs: new ModelInstalls(opts.models, async (fresh) => (await capabilities(fresh)).backbones, log),
    progressIntervalMs: opts.progressIntervalMs ?? 100,
  };

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // Until hello succeeds only a hello-sized message is accepted; pairing raises the cap.
    maxPayload: limits.maxHelloBytes,
    closeTimeout: transport.closeTimeoutMs,
    // Select our subprotocol when offered, never the token that may come with it.
    handleProtocols: (offered: Set<string>) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    clientTracking: true,
  } as ServerOptions & { closeTimeout: number });

  const httpServer = createHttpServer(transport);
  // A backstop on open sockets; the pools keep the real numbers far below it.
  httpServer.maxConnections = transport.maxPendingSockets + limits.maxUnpairedConnections + limits.maxConnections + 64;
  httpServer.on('connection', (socket: Socket) => pending.add(socket));
  httpServer.on('request', (req: http.IncomingMessage) => pending.done(req.socket));

  let actualPort = port;
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    pending.done(socket as Socket);
    socket.on('error', () => {});
    const origins = req.headersDistinct.origin;
    const upgradeToken = tokenFromProtocols((req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()));
    const pairedInUpgrade = upgradeToken !== undefined && checkToken(upgradeToken);
    const reason = refuseUpgrade({ host: req.headersDistinct.host, origin: origins }, actualPort, opts.allowedOrigins, pairedInUpgrade);
    if (reason) {
      stats.refusedUpgrades++;
      log({ event: 'upgrade-refused', reason, origin: origins?.length === 1 ? clip(origins[0]) : undefined });
      refuseSocket(socket, '403 Forbidden', FORBIDDEN_BODY);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      stats.connections++;
      ws.on('close', () => stats.connections--);
      log({ event: 'connected', origin: origins ? clip(origins[0]) : null, pairedInUpgrade });
      new Connection(ws, ctx, pairedInUpgrade);
    });
  });

  await listen(httpServer, port, host);
  actualPort = (httpServer.address() as AddressInfo).port;
  httpServer.on('error', (e) => log({ event: 'server-error', message: e.message }));

  let closing: Promise<void> | undefined;
  return {
    host,
    port: actualPort,
    url: `ws://${host}:${actualPort}`,
    limits,
    stats,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        for (const ws of wss.clients) ws.close(CLOSE_CODES.goingAway, 'The companion is shutting down');
        await ctx.installs.stop();
        // A runner honours cancel within one iteration; do not hang forever on one that does not.
        await Promise.race([ctx.queue.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        httpServer.closeAllConnections?.();
        await stopped;
      })()),
  };
}
