// The compute device: names, the request a user gives (`--device`), and the one choice per
// process. `auto` is resolved once (each candidate is checked on a tiny graph against the CPU,
// in backends/onnx.ts); every later request for `auto` or for the device it chose reuses that
// choice instead of probing again. This module does not load ONNX Runtime until a choice is made.
import { PainterlyError } from '../../shared/errors.js';

/** Devices by name → ONNX Runtime execution provider. */
export const DEVICES = Object.freeze(['cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const);
export type Device = (typeof DEVICES)[number];
export type DeviceRequest = Device | 'auto';

/**
 * What `auto` tries, best first, per platform (onnxruntime-node's prebuilt providers):
 *   linux  x64: cuda (needs the CUDA provider installed, see README), webgpu, cpu
 *   win32  x64: dml, cuda, webgpu, cpu
 *   darwin    : coreml, webgpu, cpu
 */
const AUTO_ORDER: Record<string, Device[]> = {
  linux: ['cuda', 'webgpu', 'cpu'],
  win32: ['dml', 'cuda', 'webgpu', 'cpu'],
  darwin: ['coreml', 'webgpu', 'cpu'],
};

/** The devices `auto` tries on this platform, best first (the CPU last). */
export function autoCandidates(): Device[] {
  return AUTO_ORDER[process.platform] ?? ['cpu'];
}

export function parseDevice(name: string): DeviceRequest {
  if (name === 'auto' || (DEVICES as readonly string[]).includes(name)) return name as DeviceRequest;
  throw new PainterlyError('BAD_ARGUMENT', `Unknown device '${name}'. Choose one of: auto, ${DEVICES.join(', ')}.`);
}

export interface DeviceChoice {
  device: Device;
  /** One line per device tried and rejected, naming the reason. */
  notes: string[];
}

/** Anything that runs graphs: a Network, or just a device (tests, helper graphs). */
export interface OnDevice {
  readonly device: Device;
}

export const CPU: OnDevice = Object.freeze({ device: 'cpu' });

const choices = new Map<DeviceRequest, Promise<DeviceChoice>>();

/**
 * The device for `request` (a device name or 'auto'), chosen once per process: the first call
 * checks it, later calls get the same answer (and the same notes, for whoever reports them).
 * A device that `auto` chose counts as checked.
 */
export function selectDevice(request: string): Promise<DeviceChoice> {
  const wanted = parseDevice(request);
  let choice = choices.get(wanted);
  if (!choice) {
    choice = import('./backends/onnx.js').then((m) => m.chooseDevice(wanted));
    choices.set(wanted, choice);
    choice.then((c) => {
      if (!choices.has(c.device)) choices.set(c.device, Promise.resolve({ device: c.device, notes: [] }));
    }, () => choices.delete(wanted));
  }
  return choice;
}
