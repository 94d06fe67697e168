// The converted-tensor digest: its definition transcribed byte by byte, its independence from
// file layout, and the pinned digests recomputed from the kit's files.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, type Tensor } from '../../../../companion/compute/weights/safetensors.js';
import { MODEL_CATALOG } from '../../../../companion/compute/weights/sources.js';
import { tensorDigest } from '../../../../companion/compute/weights/tensor-digest.js';
import { kitTensors } from './model-files.js';

const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });

describe('tensorDigest', () => {
  it('is SHA-256 over name, NUL, u32 rank, u32 dims and float32 LE values, tensors sorted by name', () => {
    const tensors = new Map([
      ['b.weight', t([2, 1], [1.5, -2])],
      ['a.bias', t([1], [0.25])],
    ]);
    const u32 = (n: number) => Buffer.from([n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24]);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from('a.bias\0'), u32(1), u32(1), Buffer.from([0x00, 0x00, 0x80, 0x3e])]))
      .update(Buffer.concat([Buffer.from('b.weight\0'), u32(2), u32(2), u32(1), Buffer.from([0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0])]))
      .digest('hex');
    expect(tensorDigest(tensors)).toBe(expected);
  });

  it('does not depend on tensor order, and changes with any value, name or shape', () => {
    const base = new Map([['x.weight', t([2, 2], [1, 2, 3, 4])], ['x.bias', t([2], [5, 6])]]);
    const d = tensorDigest(base);
    expect(tensorDigest(new Map([...base].reverse()))).toBe(d);
    expect(tensorDigest(new Map([['x.weight', t([2, 2], [1, 2, 3, 4.0001])], ['x.bias', t([2], [5, 6])]]))).not.toBe(d);
    expect(tensorDigest(new Map([['y.weight', t([2, 2], [1, 2, 3, 4])], ['x.bias', t([2], [5, 6])]]))).not.toBe(d);
    expect(tensorDigest(new Map([['x.weight', t([4, 1], [1, 2, 3, 4])], ['x.bias', t([2], [5, 6])]]))).not.toBe(d);
  });

  it('is the same for a safetensors file rewritten in another order with other metadata', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'painterly-digest-'));
    try {
      const kit = await kitTensors('squeezenet');
      const file = join(dir, 'reordered.safetensors');
      await writeSafetensors(file, new Map([...kit].reverse()), { note: 'other layout' });
      expect(tensorDigest((await readSafetensors(file)).tensors)).toBe(tensorDigest(kit));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['squeezenet', 'googlenet'] as const)('reproduces the pinned %s digest from the kit file', async (model) => {
    expect(tensorDigest(await kitTensors(model))).toBe(MODEL_CATALOG[model].tensorsSha256);
  });
});
