import { describe, expect, it } from 'vitest';
import { PainterlyError } from '../../shared/errors.js';
import {
  bytesToSamples,
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  planeByteLength,
  planeFrames,
  PlaneAssembler,
  samplesToBytes,
  type FrameHeader,
} from '../../shared/frames.js';

const header = (over: Partial<FrameHeader> = {}): FrameHeader => ({
  jobId: 0x01020304,
  plane: 'composite',
  width: 3,
  height: 2,
  channels: 3,
  bitsPerChannel: 8,
  chunkIndex: 0,
  chunkCount: 1,
  byteOffset: 0,
  ...over,
});
const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 255);

function badFrame(bytes: Uint8Array, message: RegExp): void {
  try {
    decodeFrame(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(PainterlyError);
    expect((e as PainterlyError).code).toBe('BAD_FRAME');
    expect((e as PainterlyError).message).toMatch(message);
    return;
  }
  throw new Error('decodeFrame accepted a bad frame');
}

describe('encodeFrame', () => {
  it('writes the documented 32-byte little-endian header followed by the payload', () => {
    const f = encodeFrame(header({ width: 0x0a0b, height: 7, chunkIndex: 1, chunkCount: 3, byteOffset: 0x3c, plane: 'mask', channels: 1, bitsPerChannel: 16 }), payload(4));
    expect(Array.from(f.subarray(0, 8))).toEqual([0x50, 0x4e, 0x54, 0x52, 1, 3, 1, 16]);
    const v = new DataView(f.buffer);
    expect([8, 12, 16, 20, 24, 28].map((o) => v.getUint32(o, true))).toEqual([0x01020304, 0x0a0b, 7, 1, 3, 0x3c]);
    expect(Array.from(f.subarray(FRAME_HEADER_BYTES))).toEqual([0, 1, 2, 3]);
  });

  it('refuses fields that do not fit the header', () => {
    expect(() => encodeFrame(header({ width: -1 }), payload(18))).toThrow(/frame field 'width'/);
    expect(() => encodeFrame(header({ channels: 5 }), payload(18))).toThrow(/1 to 4 channels/);
    expect(() => encodeFrame(header({ bitsPerChannel: 32 as 8 }), payload(18))).toThrow(/8 or 16 bits/);
  });
});

describe('decodeFrame', () => {
  it('reads back what encodeFrame wrote, payload as a view', () => {
    const h = header();
    const f = decodeFrame(encodeFrame(h, payload(18)));
    expect(f.header).toEqual(h);
    expect(Array.from(f.payload)).toEqual(Array.from(payload(18)));
  });

  it('reads a frame that sits at an odd offset inside a larger buffer', () => {
    const bytes = encodeFrame(header(), payload(18));
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(decodeFrame(big.subarray(3)).header).toEqual(header());
  });

  it('refuses frames shorter than the header, with a wrong magic or a newer version', () => {
    const good = encodeFrame(header(), payload(18));
    badFrame(good.subarray(0, 31), /shorter than its 32-byte header/);
    const magic = good.slice();
    magic[0] = 0x51;
    badFrame(magic, /magic/);
    const version = good.slice();
    version[4] = 2;
    badFrame(version, /format version 2/);
  });

  it('refuses an unknown plane id, channel count or bit depth', () => {
    const good = encodeFrame(header(), payload(18));
    for (const [offset, value, message] of [[5, 99, /unknown plane id 99/], [6, 0, /0 channels/], [6, 5, /5 channels/], [7, 12, /12 bits/]] as const) {
      const b = good.slice();
      b[offset] = value;
      badFrame(b, message);
    }
  });

  it('refuses job id 0, an empty plane and a chunk index outside the count', () => {
    badFrame(encodeFrame(header({ jobId: 0 }), payload(18)), /job id 0/);
    badFrame(encodeFrame(header({ width: 0 }), payload(3)), /empty plane/);
    badFrame(encodeFrame(header({ chunkIndex: 2, chunkCount: 2 }), payload(3)), /chunk 2 of 2/);
    badFrame(encodeFrame(header({ chunkCount: 0 }), payload(3)), /chunk 0 of 0/);
  });

  it('refuses payloads that are not whole pixels, run past the plane, or leave it unfinished', () => {
    badFrame(encodeFrame(header(), payload(17)), /whole number of 3-byte pixels/);
    badFrame(encodeFrame(header({ byteOffset: 1, chunkIndex: 1, chunkCount: 2 }), payload(3)), /whole number/);
    badFrame(encodeFrame(header(), payload(21)), /past the plane's 18 bytes/);
    badFrame(encodeFrame(header(), payload(15)), /truncated/);
    badFrame(encodeFrame(header({ chunkCount: 2 }), payload(18)), /already reaches the end/);
    badFrame(encodeFrame(header(), new Uint8Array(0)), /whole number/);
  });
});

describe('planeFrames', () => {
  it('splits a plane on whole pixels into frames no larger than the limit, with continuous offsets', () => {
    const samples = payload(10 * 7 * 3);
    const frames = [...planeFrames({ jobId: 5, plane: 'painting' }, { width: 10, height: 7, channels: 3, bitsPerChannel: 8 }, samples, FRAME_HEADER_BYTES + 50)];
    expect(frames.length).toBe(Math.ceil(210 / 48));
    let offset = 0;
    frames.forEach((bytes, i) => {
      expect(bytes.length).toBeLessThanOrEqual(FRAME_HEADER_BYTES + 50);
      const f = decodeFrame(bytes);
      expect(f.header).toMatchObject({ jobId: 5, plane: 'painting', chunkIndex: i, chunkCount: frames.length, byteOffset: offset });
      offset += f.payload.length;
    });
    expect(offset).toBe(210);
  });

  it('round-trips 16-bit samples through PlaneAssembler as little-endian bytes', () => {
    const samples = Uint16Array.from({ length: 5 * 4 }, (_, i) => i * 3001);
    const format = { width: 5, height: 4, channels: 1, bitsPerChannel: 16 } as const;
    const frames = [...planeFrames({ jobId: 9, plane: 'mask' }, format, samples, FRAME_HEADER_BYTES + 6)];
    const asm = new PlaneAssembler({ ...format, jobId: 9, plane: 'mask' });
    const done = frames.map((f) => asm.add(decodeFrame(f)));
    expect(done.at(-1)).toBe(true);
    expect(done.slice(0, -1).every((d) => !d)).toBe(true);
    expect(asm.bytes![0]).toBe(0);
    expect(asm.bytes![2] | (asm.bytes![3] << 8)).toBe(3001);
    expect(Array.from(bytesToSamples(asm.bytes!, 16))).toEqual(Array.from(samples));
  });

  it('refuses samples that do not match the format', () => {
    const format = { width: 2, height: 2, channels: 3, bitsPerChannel: 8 } as const;
    expect(() => [...planeFrames({ jobId: 1, plane: 'painting' }, format, new Uint8Array(11), 1000)]).toThrow(/has 11 samples/);
    expect(() => [...planeFrames({ jobId: 1, plane: 'painting' }, format, new Uint16Array(12), 1000)]).toThrow(/pass a Uint8Array/);
    expect(() => [...planeFrames({ jobId: 1, plane: 'painting' }, format, new Uint8Array(12), FRAME_HEADER_BYTES + 2)]).toThrow(/cannot hold one pixel/);
  });

  it('uses the target plane name even when the format object carries another', () => {
    const format = { plane: 'mask', width: 1, height: 1, channels: 1, bitsPerChannel: 8 } as const;
    const [f] = [...planeFrames({ jobId: 1, plane: 'dilatedMask' }, format, new Uint8Array(1), 100)];
    expect(decodeFrame(f).header.plane).toBe('dilatedMask');
  });
});

describe('PlaneAssembler', () => {
  const format = { jobId: 2, plane: 'composite', width: 4, height: 1, channels: 3, bitsPerChannel: 8 } as const;
  const frames = () => [...planeFrames({ jobId: 2, plane: 'composite' }, format, payload(12), FRAME_HEADER_BYTES + 6)].map((b) => decodeFrame(b));

  it('refuses chunks out of order, a changed chunk count and chunks after completion', () => {
    const [a, b] = frames();
    expect(() => new PlaneAssembler(format).add(b)).toThrow(/expected chunk 0, got chunk 1/);
    const asm = new PlaneAssembler(format);
    asm.add(a);
    expect(() => asm.add({ ...b, header: { ...b.header, chunkCount: 3 } })).toThrow(/sent as 2 chunks/);
    asm.add(b);
    expect(asm.complete).toBe(true);
    expect(() => asm.add(b)).toThrow(/already complete/);
  });

  it('refuses a frame whose format differs from the plane with SIZE_MISMATCH', () => {
    const [a] = frames();
    const err = (() => {
      try {
        new PlaneAssembler({ ...format, width: 2, height: 2 }).add(a);
      } catch (e) {
        return e as PainterlyError;
      }
    })();
    expect(err?.code).toBe('SIZE_MISMATCH');
    expect(err?.message).toBe("Plane 'composite' was declared 2×2, 3 channels, 8-bit but a frame says 4×1, 3 channels, 8-bit.");
  });

  it('hands each payload and its offset to a sink instead of collecting', () => {
    const seen: [number, number][] = [];
    const asm = new PlaneAssembler(format, (p, off) => seen.push([off, p.length]));
    for (const f of frames()) asm.add(f);
    expect(seen).toEqual([[0, 6], [6, 6]]);
    expect(asm.bytes).toBeUndefined();
    expect(asm.bytesReceived).toBe(12);
  });
});

describe('samples and bytes', () => {
  it('views 8-bit samples as they are, views aligned 16-bit bytes and copies unaligned ones', () => {
    const u8 = payload(4);
    expect(samplesToBytes(u8)).toBe(u8);
    const unaligned = new Uint8Array([0, 0x34, 0x12, 0xff, 0xff]).subarray(1);
    const copied = bytesToSamples(unaligned, 16);
    expect(Array.from(copied)).toEqual([0x1234, 0xffff]);
    expect(copied.buffer).not.toBe(unaligned.buffer);
    const aligned = new Uint8Array([9, 9, 0x34, 0x12, 0xff, 0xff]).subarray(2);
    const viewed = bytesToSamples(aligned, 16);
    expect(Array.from(viewed)).toEqual([0x1234, 0xffff]);
    expect(viewed.buffer).toBe(aligned.buffer);
    expect(planeByteLength({ width: 3, height: 2, channels: 4, bitsPerChannel: 16 })).toBe(48);
  });
});
