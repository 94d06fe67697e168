// Damages an installed weights file the way a bad disk or an interrupted copy would.
import { open } from 'node:fs/promises';
import { readSafetensorsHeader } from '../../../../companion/compute/weights/safetensors.js';

/** Flips the lowest bit of the byte `offset` bytes into the tensor data. */
export async function flipDataByteAt(file: string, offset: number): Promise<void> {
  const { dataStart } = await readSafetensorsHeader(file);
  const fh = await open(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, dataStart + offset);
    b[0] ^= 0x01;
    await fh.write(b, 0, 1, dataStart + offset);
  } finally {
    await fh.close();
  }
}
