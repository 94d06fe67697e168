import { describe, expect, it } from 'vitest';
import { decodeFrame, FRAME_HEADER_BYTES, PlaneAssembler } from '../../shared/frames.js';
import { checkPlaneInput, rowsPerChunk, uploadPlanes, type PlaneInput } from '../../shared/plane-upload.js';

/** A socket that drains `drainPerTick` bytes every few ms, like a network, and records what it holds. */
function drainingSocket(drainPerTick: number) {
  const frames: Uint8Array[] = [];
  let queued = 0;
  let peak = 0;
  const timer = setInterval(() => (queued = Math.max(0, queued - drainPerTick)), 2);
  return {
    frames,
    get bufferedAmount() {
      return queued;
    },
    get peak() {
      return peak;
    },
    send(data: ArrayBufferView) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      frames.push(bytes);
      queued += bytes.byteLength;
      peak = Math.max(peak, queued);
    },
    stop: () => clearInterval(timer),
  };
}

/** A 16-bit RGB plane whose sample i is i mod 65536, served row by row. */
function rowPlane(width: number, height: number, perChunk: number, reads: number[][]): PlaneInput {
  const at = (i: number) => i % 65536;
  return {
    plane: 'paintingWindow', width, height, channels: 3, bitsPerChannel: 16, left: 5, top: 7,
    rows: {
      rowsPerChunk: perChunk,
      async read(row, count) {
        reads.push([row, count]);
        return Uint16Array.from({ length: count * width * 3 }, (_, k) => at(row * width * 3 + k));
      },
    },
  };
}

describe('uploadPlanes', () => {
  it('sends a plane given row by row as frames that put it back together sample for sample', async () => {
    const socket = drainingSocket(1 << 20);
    const reads: number[][] = [];
    const p = rowPlane(100, 37, 8, reads);
    expect(await uploadPlanes(socket, 3, [p], { chunkBytes: 8 * 100 * 6 + FRAME_HEADER_BYTES, maxInFlightBytes: 1 << 20, live: () => true })).toBe(true);
    socket.stop();
    expect(reads).toEqual([[0, 8], [8, 8], [16, 8], [24, 8], [32, 5]]);
    const a = new PlaneAssembler({ jobId: 3, plane: 'paintingWindow', width: 100, height: 37, channels: 3, bitsPerChannel: 16 });
    for (const f of socket.frames) a.add(decodeFrame(f));
    expect(a.complete).toBe(true);
    const back = new Uint16Array(a.bytes!.buffer);
    expect(back.every((v, i) => v === i % 65536)).toBe(true);
  });

  it('never lets more than maxInFlightBytes sit in the send buffer, however large the plane', async () => {
    const socket = drainingSocket(64 * 1024);
    const data = new Uint8Array(3000 * 1000 * 3);
    const p: PlaneInput = { plane: 'painting', width: 3000, height: 1000, channels: 3, bitsPerChannel: 8, data };
    const progress: number[] = [];
    await uploadPlanes(socket, 1, [p], { chunkBytes: 512 * 1024, maxInFlightBytes: 1024 * 1024, live: () => true, onProgress: (done) => progress.push(done) });
    socket.stop();
    expect(socket.peak).toBeLessThanOrEqual(1024 * 1024);
    expect(progress.at(-1)).toBe(data.length);
    expect(progress.every((v, i) => i === 0 || v > progress[i - 1])).toBe(true);
  });

  it('stops at the next frame once the job is no longer live, and reads no more rows', async () => {
    const socket = drainingSocket(1 << 20);
    const reads: number[][] = [];
    let live = true;
    const p = rowPlane(10, 40, 4, reads);
    const done = uploadPlanes(socket, 1, [p], { chunkBytes: 1 << 20, maxInFlightBytes: 1 << 20, live: () => live, onProgress: () => (live = reads.length < 3) });
    expect(await done).toBe(false);
    socket.stop();
    expect(reads.length).toBe(3);
    expect(socket.frames.length).toBe(3);
  });

  it('fails a plane whose rows come back the wrong size, naming them', async () => {
    const socket = drainingSocket(1 << 20);
    const p: PlaneInput = { plane: 'mask', width: 4, height: 4, channels: 1, bitsPerChannel: 8, left: 0, top: 0, rows: { rowsPerChunk: 2, read: async () => new Uint8Array(3) } };
    await expect(uploadPlanes(socket, 1, [p], { chunkBytes: 1 << 20, maxInFlightBytes: 1 << 20, live: () => true })).rejects.toMatchObject({ code: 'SIZE_MISMATCH', message: expect.stringMatching(/rows 0–1/) });
    socket.stop();
  });
});

describe('checkPlaneInput and rowsPerChunk', () => {
  it('chooses as many rows as fit a frame, and refuses rows that would not fit', () => {
    const fmt = { width: 1000, channels: 4, bitsPerChannel: 16 } as const;
    const rows = rowsPerChunk(fmt, 2 * 1024 * 1024);
    expect(rows * 1000 * 8 + FRAME_HEADER_BYTES).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect((rows + 1) * 1000 * 8 + FRAME_HEADER_BYTES).toBeGreaterThan(2 * 1024 * 1024);
    const p: PlaneInput = { plane: 'pasted', width: 1000, height: 900, channels: 4, bitsPerChannel: 16, left: 0, top: 0, rows: { rowsPerChunk: rows + 1, read: async () => new Uint16Array(0) } };
    expect(() => checkPlaneInput(p, 2 * 1024 * 1024)).toThrow(/make a .*-byte frame/);
    expect(() => checkPlaneInput({ ...p, rows: { ...p.rows!, rowsPerChunk: rows } }, 2 * 1024 * 1024)).not.toThrow();
  });
});
