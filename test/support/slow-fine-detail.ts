// Issue 12's fine-detail measure written out the slow, obvious way, to test fine-detail.ts
// against: Rec. 601 grey; a 5×5 Gaussian of σ 0.7 normalised to sum 1, zero outside the image,
// as a full 2-D sum; the 4-neighbour Laplacian; mean |value| over the selected pixels that are
// not on the image's border.
import type { Image } from '../../companion/image/image.js';

export function slowFineDetail(img: Image, select: (x: number, y: number) => boolean): number {
  const { width: w, height: h, channels: c } = img;
  const grey = (x: number, y: number): number => {
    if (x < 0 || y < 0 || x >= w || y >= h) return 0;
    const i = (y * w + x) * c;
    return c >= 3 ? 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2] : img.data[i];
  };
  const k: number[][] = [];
  let sum = 0;
  for (let dy = -2; dy <= 2; dy++) {
    k.push([]);
    for (let dx = -2; dx <= 2; dx++) {
      const v = Math.exp(-(dx * dx + dy * dy) / (2 * 0.7 * 0.7));
      k[dy + 2].push(v);
      sum += v;
    }
  }
  const smooth = (x: number, y: number): number => {
    let s = 0;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) s += (k[dy + 2][dx + 2] / sum) * grey(x + dx, y + dy);
    return s;
  };
  let total = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    if (!select(x, y)) continue;
    total += Math.abs(smooth(x - 1, y) + smooth(x + 1, y) + smooth(x, y - 1) + smooth(x, y + 1) - 4 * smooth(x, y));
    n++;
  }
  return total / n;
}
