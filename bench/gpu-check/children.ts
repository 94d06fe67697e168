// Starting the check's child processes: the same entry point as TypeScript source (through
// scripts/run-ts.mjs, in a checkout) or as built JavaScript (the bundle that travels to a GPU
// machine), with an IPC channel for reports and everything it prints kept as lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ParentMessage, WorkerMessage } from './protocol.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TS = import.meta.url.endsWith('.ts');
/** Lines kept per child (the rest are counted). */
const MAX_LINES = 4000;

export interface Child {
  readonly process: ChildProcess;
  /** stdout and stderr, line by line, in arrival order. */
  readonly output: string[];
  dropped: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  send(msg: ParentMessage): void;
  kill(): void;
}

export function startWorker(args: string[], onMessage: (m: WorkerMessage) => void): Child {
  const entry = path.join(HERE, TS ? 'worker.ts' : 'worker.js');
  const argv = TS ? [path.resolve(HERE, '../../scripts/run-ts.mjs'), entry, ...args] : [entry, ...args];
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
  const child: Child = {
    process: proc,
    output: [],
    dropped: 0,
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
    send(msg) {
      if (proc.connected) proc.send(msg);
    },
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
  const collect = (stream: NodeJS.ReadableStream | null): void => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split(/\r?\n/);
      rest = lines.pop() ?? '';
      for (const l of lines) keep(l);
    });
    stream?.on('end', () => rest && keep(rest));
  };
  const keep = (line: string): void => {
    if (child.output.length < MAX_LINES) child.output.push(line);
    else child.dropped++;
  };
  collect(proc.stdout);
  collect(proc.stderr);
  proc.on('message', (m) => onMessage(m as WorkerMessage));
  proc.on('error', (e) => keep(`could not start: ${e.message}`));
  return child;
}
