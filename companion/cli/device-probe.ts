// Chooses the compute device for the companion and the CLI without the runtime's noise on the
// terminal: the probe (each candidate device runs a tiny graph and must match the CPU) runs in a
// child process (device-probe-child.ts) whose stderr — native warnings such as Dawn's "Couldn't
// load Vulkan" that no log level of ONNX Runtime silences — goes to the debug log with the
// probe's notes. A provider that crashes while probing takes down only the child.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PainterlyError, type ErrorCode } from '../../shared/errors.js';
import { adoptDevice } from '../compute/device.js';
import { type Device } from '../compute/device-names.js';
import { appendDebugLog, debugLogPath } from './debug-log.js';

export interface ProbedDevice {
  device: string;
  /** One line per device tried and not used, with why. */
  notes: string[];
  /** Where the probe's notes and output were written. */
  logFile: string;
}

const PROBE_TIMEOUT_MS = 120_000;

/** The child's entry: the built .js next to this file, or the .ts source through tsx (tests run from source). */
function childCommand(): string[] {
  const js = fileURLToPath(new URL('./device-probe-child.js', import.meta.url));
  if (existsSync(js)) return [js];
  return ['--import', 'tsx', fileURLToPath(new URL('./device-probe-child.ts', import.meta.url))];
}

interface ChildAnswer {
  ok: boolean;
  device?: string;
  notes?: string[];
  code?: ErrorCode;
  message?: string;
}

function runChild(request: string): Promise<{ answer?: ChildAnswer; stderr: string; exit: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...childCommand(), request], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', (e) => (stderr += `${e.message}\n`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let answer: ChildAnswer | undefined;
      try {
        answer = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildAnswer;
      } catch {
        answer = undefined;
      }
      resolve({ answer, stderr, exit: signal ? `signal ${signal}` : `exit code ${code}` });
    });
  });
}

/**
 * The device for `request` ('auto' or a device name): 'auto' falls back to the CPU with a note
 * when nothing else works; an explicit device that does not work is DEVICE_UNAVAILABLE; an unknown
 * name is BAD_ARGUMENT. The CPU needs no probe.
 */
export async function probeDevice(request: string, logFile: string = debugLogPath()): Promise<ProbedDevice> {
  if (request === 'cpu') {
    adoptDevice('cpu', { device: 'cpu', notes: [] });
    return { device: 'cpu', notes: [], logFile };
  }
  const { answer, stderr, exit } = await runChild(request);
  const notes = answer?.ok ? (answer.notes ?? []) : [];
  const outcome = answer?.ok ? `chose ${answer.device}` : answer ? `${answer.code}: ${answer.message}` : `the probe stopped (${exit}) without an answer`;
  await appendDebugLog(`device probe (--device ${request}): ${outcome}`, [...notes, ...(stderr.trim() ? ['output of the runtime while probing:', stderr] : [])].join('\n'), logFile);
  if (answer?.ok && answer.device) {
    // The child has checked it: this process (where the job loads its network) does not check it again.
    adoptDevice(request, { device: answer.device as Device, notes });
    return { device: answer.device, notes, logFile };
  }
  if (answer && !answer.ok) throw new PainterlyError(answer.code ?? 'INTERNAL', answer.message);
  if (request === 'auto') return { device: 'cpu', notes: [`the device probe stopped (${exit}); using the CPU`], logFile };
  throw new PainterlyError('DEVICE_UNAVAILABLE', `Device '${request}' could not be checked: the probe stopped (${exit}). Details: ${logFile}`);
}
