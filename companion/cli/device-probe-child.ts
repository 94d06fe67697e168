// Runs the device probe (compute/device.ts selectDevice: each candidate runs a tiny graph and must
// match the CPU) in a process of its own, so that what native code prints while probing (Dawn's
// Vulkan warning, CUDA loader errors) lands in a pipe the parent reads into the debug log instead
// of on the user's terminal.
//   node device-probe-child.js REQUEST   → one JSON line on stdout: {ok, device, notes} or {ok: false, code, message}
import { selectDevice } from '../compute/device.js';

const request = process.argv[2] ?? 'auto';
let answer: object;
try {
  const choice = await selectDevice(request);
  answer = { ok: true, device: choice.device, notes: choice.notes };
} catch (e) {
  const err = e as { code?: string; message?: string };
  answer = { ok: false, code: err.code ?? 'INTERNAL', message: err.message ?? String(e) };
}
// Exit as soon as the answer is out: the runtime's threads need not wind down.
process.stdout.write(`${JSON.stringify(answer)}\n`, () => process.exit(0));
