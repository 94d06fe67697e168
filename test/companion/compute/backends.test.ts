import { describe, it, expect } from 'vitest';
import { chooseDevice } from '../../../companion/compute/backends/onnx.js';
import { selectDevice } from '../../../companion/compute/device.js';
import { parseDevice, DEVICES } from '../../../companion/compute/device-names.js';

describe('devices', () => {
  it('lists the devices by name and refuses an unknown one by listing them', () => {
    expect([...DEVICES]).toEqual(['cpu', 'cuda', 'dml', 'coreml', 'webgpu']);
    expect(parseDevice('auto')).toBe('auto');
    expect(() => parseDevice('tpu')).toThrow(/Unknown device 'tpu'. Choose one of: auto, cpu, cuda, dml, coreml, webgpu/);
    expect(() => selectDevice('tpu')).toThrow(/Unknown device 'tpu'/);
  });

  it('uses the CPU when asked', async () => {
    expect(await chooseDevice('cpu')).toEqual({ device: 'cpu', notes: [] });
  });

  it('auto falls back to the CPU on a machine without GPU providers, naming each reason', async () => {
    const choice = await chooseDevice('auto');
    // This test runs on CI's CPU-only machine; where a GPU provider works, auto picks it instead.
    if (choice.device === 'cpu') {
      expect(choice.notes.length).toBeGreaterThan(0);
      for (const n of choice.notes) expect(n).toMatch(/^(cuda|webgpu|dml|coreml): not used \(.+\)$/);
    } else {
      expect(DEVICES).toContain(choice.device);
    }
  });

  it('an explicit device that cannot run is DEVICE_UNAVAILABLE with the reason', async () => {
    const other = process.platform === 'darwin' ? 'dml' : 'coreml';
    await expect(chooseDevice(other)).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
  });

  it('chooses once per process: auto, and the device auto chose, are answered without probing again', async () => {
    const first = selectDevice('auto');
    expect(selectDevice('auto')).toBe(first);
    const { device, notes } = await first;
    expect(await chooseDevice('auto')).toEqual({ device, notes });
    // The server asks for 'auto' at start-up and each job then asks for the device it got.
    expect(selectDevice(device)).toBe(selectDevice(device));
    expect((await selectDevice(device)).device).toBe(device);
  });

  it('forgets a failed choice, so a later request tries again', async () => {
    const other = process.platform === 'darwin' ? 'dml' : 'coreml';
    const failed = selectDevice(other);
    await expect(failed).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
    expect(selectDevice(other)).not.toBe(failed);
    await expect(selectDevice(other)).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
  });
});
