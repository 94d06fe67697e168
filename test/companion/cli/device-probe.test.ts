// The device is checked once: `painterly serve` and the CLI probe it in a child process (whose
// runtime noise goes to the debug log), and the process that then runs the jobs adopts that
// answer instead of checking the device again when its first job loads a network.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Checking a device in this process would go through chooseDevice: here it fails the test.
vi.mock('../../../companion/compute/backends/onnx.js', () => ({
  chooseDevice: () => Promise.reject(new Error('checked the device again in this process')),
}));

const { probeDevice } = await import('../../../companion/cli/device-probe.js');
const { adoptDevice, selectDevice } = await import('../../../companion/compute/device.js');

const dir = mkdtempSync(join(tmpdir(), 'painterly-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probeDevice', () => {
  it('hands the child\'s choice for auto to this process: auto and the device chosen are not checked again', async () => {
    const probed = await probeDevice('auto', join(dir, 'debug.log'));
    expect(await selectDevice('auto')).toEqual({ device: probed.device, notes: probed.notes });
    expect((await selectDevice(probed.device)).device).toBe(probed.device);
  });

  it('needs no child for the CPU, and adopts it too', async () => {
    expect(await probeDevice('cpu', join(dir, 'debug.log'))).toMatchObject({ device: 'cpu', notes: [] });
    expect(await selectDevice('cpu')).toEqual({ device: 'cpu', notes: [] });
  });
});

describe('adoptDevice', () => {
  it('takes a device another process checked, even one this process could not check', async () => {
    const other = process.platform === 'win32' ? 'coreml' : 'dml';
    adoptDevice(other, { device: other, notes: [] });
    expect(await selectDevice(other)).toEqual({ device: other, notes: [] });
  });

  it('refuses a name that is no device', () => {
    expect(() => adoptDevice('tpu', { device: 'cpu', notes: [] })).toThrow(/Unknown device 'tpu'/);
  });
});
