// PhotoshopImageData as the fake hands it out: chunky samples in Photoshop's native range
// (16-bit 0..32768; `getData({ fullRange: true })` gives 0..65535), tracked until disposed, and
// the sample conversions the imaging calls share. Every loop here is sliced (slicer.ts).
import type { PsComponentData, PsImageData } from '../../../plugin/photoshop/uxp-types.js';
import { nativeArray, nativeMax, userCancelled, type ModalSpan, type NativeData } from './constants.js';
import type { Slicer } from './slicer.js';

/** What image data needs from the fake: the live set, slicing, and the modal scope it was made in. */
export interface ImageDataHost {
  readonly live: Set<object>;
  slicer(scope?: ModalSpan | null): Slicer;
  scope(): ModalSpan | null;
}

/** Chunk of samples converted between two looks at the clock. */
const CHUNK = 1 << 14;

export class FakeImageData implements PsImageData {
  readonly colorProfile: string;
  readonly hasAlpha: boolean;
  readonly isChunky = true;
  readonly type = 'image/uncompressed';
  disposed = false;
  /** The modal scope it was made in: getData fails while that scope runs cancelled (Esc), not in others. */
  private readonly madeIn: ModalSpan | null;

  constructor(
    private readonly host: ImageDataHost,
    readonly width: number,
    readonly height: number,
    readonly components: number,
    readonly componentSize: 8 | 16 | 32,
    readonly colorSpace: 'RGB' | 'Grayscale' | 'Lab',
    /** Chunky samples in Photoshop's native range. */
    private readonly native: NativeData,
    profile: string,
  ) {
    this.hasAlpha = colorSpace === 'Grayscale' ? components === 2 : components === 4;
    this.colorProfile = profile;
    this.madeIn = host.scope();
    host.live.add(this);
  }

  get pixelFormat(): PsImageData['pixelFormat'] {
    if (this.colorSpace === 'Grayscale') return this.hasAlpha ? 'GrayscaleAlpha' : 'Grayscale';
    if (this.colorSpace === 'Lab') return this.hasAlpha ? 'LABAlpha' : 'LAB';
    return this.hasAlpha ? 'RGBA' : 'RGB';
  }

  /** The native samples, for the fake's own use (putPixels, encodeImageData). */
  samples(): NativeData {
    if (this.disposed) throw new Error('This PhotoshopImageData was disposed.');
    return this.native;
  }

  async getData(options: { chunky?: boolean; fullRange?: boolean } = {}): Promise<PsComponentData> {
    const scope = this.madeIn && this.madeIn.endedAt === undefined ? this.madeIn : null;
    if (scope?.cancelled) throw userCancelled();
    const src = this.samples();
    const full = this.componentSize === 16 && options.fullRange === true;
    const planar = options.chunky === false;
    const out = nativeArray(this.componentSize, src.length);
    const c = this.components;
    const n = this.width * this.height;
    await this.host.slicer(scope).chunks(n, CHUNK, (from, to) => {
      if (!full && !planar) {
        out.set(src.subarray(from * c, to * c), from * c);
        return;
      }
      for (let p = from; p < to; p++) {
        for (let k = 0; k < c; k++) {
          const v = src[p * c + k];
          out[planar ? k * n + p : p * c + k] = full ? Math.round((v * 65535) / 32768) : v;
        }
      }
    });
    return out;
  }

  dispose(): void {
    this.disposed = true;
    this.host.live.delete(this);
  }
}

/** Native samples converted between 8 and 16 bits (Photoshop ranges); the same array when nothing changes. */
export async function convertDepth(data: NativeData, from: number, to: number, slicer: Slicer): Promise<NativeData> {
  if (from === to) return data;
  const out = nativeArray(to, data.length);
  const scale = nativeMax(to) / nativeMax(from);
  await slicer.chunks(data.length, CHUNK, (a, b) => {
    for (let i = a; i < b; i++) out[i] = Math.round(data[i] * scale);
  });
  return out;
}

/** A caller's buffer as native samples: 16-bit clamped to 32768, or scaled from 0..65535 with fullRange; planar made chunky. */
export async function nativeFromBuffer(data: NativeData, o: { width: number; height: number; components: number; chunky?: boolean; fullRange?: boolean }, slicer: Slicer): Promise<NativeData> {
  const sixteen = data instanceof Uint16Array;
  const out = nativeArray(sixteen ? 16 : 8, data.length);
  const n = o.width * o.height;
  const c = o.components;
  const planar = o.chunky === false;
  await slicer.chunks(n, CHUNK, (from, to) => {
    for (let p = from; p < to; p++) {
      for (let k = 0; k < c; k++) {
        const v = data[planar ? k * n + p : p * c + k];
        out[p * c + k] = !sixteen ? v : o.fullRange ? Math.round((v * 32768) / 65535) : Math.min(v, 32768);
      }
    }
  });
  return out;
}

/**
 * RGBA → RGB: with `overWhite` (getPixels' applyAlpha) the colour composited on white, else the
 * alpha dropped (an opaque source).
 */
export async function flattenAlpha(data: NativeData, bits: number, overWhite: boolean, slicer: Slicer): Promise<NativeData> {
  const m = nativeMax(bits);
  const n = data.length / 4;
  const rgb = nativeArray(bits, n * 3);
  await slicer.chunks(n, CHUNK, (from, to) => {
    for (let p = from; p < to; p++) {
      const a = data[p * 4 + 3];
      for (let c = 0; c < 3; c++) rgb[p * 3 + c] = overWhite ? Math.round((data[p * 4 + c] * a + m * (m - a)) / m) : data[p * 4 + c];
    }
  });
  return rgb;
}
