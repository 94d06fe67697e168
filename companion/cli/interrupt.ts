// Ctrl-C for long CLI jobs: the first SIGINT aborts the job's signal (the pipelines stop within
// one iteration and throw CANCELLED, which the CLI turns into exit code 130).
import { createProgressBar, type ProgressBar } from './progress-bar.js';

/**
 * Runs `job` with an AbortSignal tied to SIGINT and a progress bar, and always restores the
 * default SIGINT handling and ends the bar's line.
 */
export async function withInterrupt<T>(job: (signal: AbortSignal, bar: ProgressBar) => Promise<T>, message = '\nStopping after the current iteration…\n'): Promise<T> {
  const abort = new AbortController();
  const onSigint = (): void => {
    if (message) process.stderr.write(message);
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  const bar = createProgressBar();
  try {
    return await job(abort.signal, bar);
  } catch (e) {
    bar.done();
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
