// Runs `painterly` as a user does (a real process, the built companion) and collects its output and exit code.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(__dirname, '../../bin/painterly.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `interruptOn`: send Ctrl-C (SIGINT) once stderr matches it, e.g. the first progress line of a stage. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; interruptOn?: RegExp } = {}): Promise<CliRun> {
  return new Promise((done) => {
    // The companion turns ONNX Runtime's telemetry off itself; a test's child says so too.
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (opts.interruptOn && !interrupted && opts.interruptOn.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
