// Compute devices by name: what a user may ask for (`--device`), what `auto` tries on each
// platform, and the shapes a choice takes. No runtime here: compute/device.ts makes the choice.
import { PainterlyError } from '../../shared/errors.js';

/** Devices by name → ONNX Runtime execution provider. */
export const DEVICES = Object.freeze(['cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const);
export type Device = (typeof DEVICES)[number];
export type DeviceRequest = Device | 'auto';

/**
 * What `auto` tries, best first, per platform (onnxruntime-node's prebuilt providers):
 *   linux  x64: cuda (needs the CUDA provider installed, see docs/devices.md), webgpu, cpu
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
