import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PainterlyError } from '../../../../shared/errors.js';
import {
  encodeSafetensors,
  parseSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
  type Tensor,
} from '../../../../companion/compute/weights/safetensors.js';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const SQUEEZENET = resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-st-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sample(): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ['conv1.weight', { shape: [2, 1, 1, 3], data: Float32Array.from([1, -2, 3.5, 4, 5e-8, -6e7]) }],
    ['conv1.bias', { shape: [2], data: Float32Array.from([0.25, -0.125]) }],
    ['scalar', { shape: [], data: Float32Array.from([42]) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
  ]);
}

/** Builds a file by hand: header JSON as given, then `data` bytes. */
function handMade(header: unknown, data: Uint8Array = new Uint8Array(0), claimedLength?: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(claimedLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectUnreadable(fn: () => unknown, fragment: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PainterlyError);
    expect((e as PainterlyError).code).toBe('WEIGHTS_UNREADABLE');
    expect((e as PainterlyError).message).toContain(fragment);
    return;
  }
  throw new Error('expected a WEIGHTS_UNREADABLE error');
}

describe('writeSafetensors / readSafetensors', () => {
  it('round-trips tensors, their order and the metadata exactly', async () => {
    const file = join(dir, 'round.safetensors');
    await writeSafetensors(file, sample(), { architecture: 'test', layout: 'OIHW' });
    const back = await readSafetensors(file);
    expect([...back.tensors.keys()]).toEqual([...sample().keys()]);
    for (const [name, t] of sample()) {
      expect(back.tensors.get(name)?.shape).toEqual(t.shape);
      expect(Array.from(back.tensors.get(name)!.data)).toEqual(Array.from(t.data));
    }
    expect(back.metadata).toEqual({ architecture: 'test', layout: 'OIHW' });
  });

  it('pads the JSON header with spaces so the data starts on an 8-byte boundary', () => {
    const bytes = encodeSafetensors(sample(), { a: 'b' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const json = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    expect(json).toMatch(/} *$/);
    expect(JSON.parse(json).__metadata__).toEqual({ a: 'b' });
  });

  it('lays tensors out contiguously in insertion order', () => {
    const bytes = encodeSafetensors(sample());
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
    expect(header['conv1.weight'].data_offsets).toEqual([0, 24]);
    expect(header['conv1.bias'].data_offsets).toEqual([24, 32]);
    expect(header.scalar.data_offsets).toEqual([32, 36]);
    expect(bytes.length).toBe(8 + n + 36);
  });

  it('refuses a tensor whose shape does not match its values', () => {
    expect(() => encodeSafetensors({ bad: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/shape \[2,2\] but 3 values/);
  });

  it('reports FILE_NOT_FOUND for a missing file', async () => {
    await expect(readSafetensors(join(dir, 'nope.safetensors'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('parseSafetensors', () => {
  it('reads data that is not 4-byte aligned (headers written without padding)', () => {
    const header = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, __metadata__: { k: 'v' } };
    let json = JSON.stringify(header);
    while ((8 + json.length) % 4 !== 1) json += ' ';
    const values = Float32Array.from([1.5, -7]);
    const buf = new Uint8Array(8 + json.length + 8);
    new DataView(buf.buffer).setBigUint64(0, BigInt(json.length), true);
    buf.set(Buffer.from(json), 8);
    buf.set(new Uint8Array(values.buffer), 8 + json.length);
    const parsed = parseSafetensors(buf);
    expect(Array.from(parsed.tensors.get('t')!.data)).toEqual([1.5, -7]);
    expect(parsed.metadata).toEqual({ k: 'v' });
  });

  it('refuses a file shorter than the 8-byte length prefix', () => {
    expectUnreadable(() => parseSafetensors(new Uint8Array(5), 'x.safetensors'), 'fewer than the 8-byte header length');
  });

  it('refuses a header length larger than the file', () => {
    expectUnreadable(() => parseSafetensors(handMade({}, new Uint8Array(0), 1000)), 'the header claims 1000 bytes');
  });

  it('refuses a header that is not JSON', () => {
    const buf = handMade({});
    buf.fill(0x7b, 8); // "{{{{"
    expectUnreadable(() => parseSafetensors(buf), 'not valid UTF-8 JSON');
  });

  it('refuses data_offsets that run past the end of the file (truncated file)', () => {
    const header = { t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } };
    expectUnreadable(() => parseSafetensors(handMade(header, new Uint8Array(8))), 'file truncated?');
  });

  it('refuses data_offsets that disagree with the shape', () => {
    const header = { t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } };
    expectUnreadable(() => parseSafetensors(handMade(header, new Uint8Array(8))), 'needs 12 bytes');
  });

  it('refuses dtypes other than F32 and names the dtype', () => {
    const header = { half: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } };
    expectUnreadable(() => parseSafetensors(handMade(header, new Uint8Array(4))), '"half" is F16');
  });

  it('refuses metadata values that are not strings', () => {
    expectUnreadable(() => parseSafetensors(handMade({ __metadata__: { n: 3 } })), 'metadata "n" is not a string');
  });
});

describe('reading the real SqueezeNet 1.1 weights (../shared/weights)', () => {
  it('has 52 tensors with conv1.weight of shape [64, 3, 3, 3] and 1,235,496 parameters', async () => {
    const w = await readSafetensors(SQUEEZENET);
    expect(w.tensors.size).toBe(52);
    expect(w.tensors.get('conv1.weight')?.shape).toEqual([64, 3, 3, 3]);
    expect(w.tensors.get('fire2/squeeze1x1.weight')?.shape.length).toBe(4);
    let params = 0;
    for (const t of w.tensors.values()) params += t.data.length;
    expect(params).toBe(1_235_496);
    expect(w.metadata.architecture).toBeTruthy();
    const conv1 = w.tensors.get('conv1.weight')!.data;
    expect(conv1.every(Number.isFinite)).toBe(true);
    expect(conv1.some((v) => v !== 0)).toBe(true);
  });

  it('reads the same header without loading the data', async () => {
    const header = await readSafetensorsHeader(SQUEEZENET);
    const full = parseSafetensors(await readFile(SQUEEZENET));
    expect([...header.tensors.keys()]).toEqual([...full.tensors.keys()]);
    expect(header.tensors.get('conv1.weight')?.dtype).toBe('F32');
    expect(header.metadata).toEqual(full.metadata);
  });

  it('rejects the same file cut short, naming the problem', async () => {
    const bytes = await readFile(SQUEEZENET);
    const file = join(dir, 'cut.safetensors');
    await writeFile(file, bytes.subarray(0, bytes.length - 1000));
    await expect(readSafetensors(file)).rejects.toMatchObject({ code: 'WEIGHTS_UNREADABLE', message: expect.stringContaining('truncated') });
  });
});
