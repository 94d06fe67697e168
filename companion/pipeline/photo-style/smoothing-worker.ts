// Worker thread for the photo-style post-process: smooths the job it was started with, posts
// progress, then the result (its buffers transferred, not copied). See smoothing.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { isPainterlyError } from '../../../shared/errors.js';
import { smoothInline, type SmoothingJob, type WorkerMessage } from './smoothing.js';

const port = parentPort!;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

try {
  const result = smoothInline(workerData as SmoothingJob, (done, total) => post({ type: 'progress', done, total }));
  const buffers = [result.image.data.buffer, result.coefficients?.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  post({ type: 'done', result }, [...new Set(buffers)]);
} catch (e) {
  post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e), code: isPainterlyError(e) ? e.code : undefined });
}
