// The compute device: the one choice per process for a request (device-names.ts). `auto` is resolved once (each candidate is checked on a tiny graph against the CPU,
// in backends/onnx.ts); every later request for `auto` or for the device it chose reuses that
// choice instead of probing again, and a choice another process made (the CLI's probe child) is
// adopted rather than checked twice. This module does not load ONNX Runtime until a choice is made.
import { PainterlyError } from '../../shared/errors.js';
import { DEVICES, parseDevice, type DeviceChoice, type DeviceRequest } from './device-names.js';

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

/**
 * Takes the answer another process gave for `request` (the CLI's probe child, which checked the
 * device): later requests for it, and for the device chosen, reuse it instead of checking again.
 */
export function adoptDevice(request: string, choice: DeviceChoice): void {
  const wanted = parseDevice(request);
  if (!(DEVICES as readonly string[]).includes(choice.device)) throw new PainterlyError('BAD_ARGUMENT', `Unknown device '${choice.device}'.`);
  const answer = Promise.resolve({ device: choice.device, notes: [...choice.notes] });
  choices.set(wanted, answer);
  if (!choices.has(choice.device)) choices.set(choice.device, Promise.resolve({ device: choice.device, notes: [] }));
}
