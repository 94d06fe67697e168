// Worker threads for the long synchronous loops (PatchMatch, photo-style smoothing).
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` (relative, without extension) beside the caller's module
 * (`callerUrl`: its import.meta.url). A worker does not inherit the TypeScript loader of this
 * thread (tsx in the CLI, vitest in tests), so when the caller runs as TypeScript source the
 * worker first registers tsx and then imports the worker module; a failure there reaches the
 * parent as a message { type: 'error', message }.
 */
export function spawnWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const ts = callerUrl.endsWith('.ts');
  const url = new URL(`${name}${ts ? '.ts' : '.js'}`, callerUrl);
  if (!ts) return new Worker(url, { workerData });
  const boot = [
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})`,
    `.then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`,
    `.catch((e) => require('node:worker_threads').parentPort.postMessage({ type: 'error', message: String((e && e.stack) || e) }));`,
  ].join('');
  return new Worker(boot, { eval: true, workerData });
}
