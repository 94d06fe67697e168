import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../../companion/compute/onnx/graph-builder.js';
import { emitHistogramHead } from '../../../../companion/compute/losses/histogram.js';
import { createSession } from '../../../../companion/compute/backends/onnx.js';
import { gradcheck, mulberry32 } from '../../../support/gradcheck.js';

const C = 3, h = 5, w = 6;

async function head(positions: Int32Array, table: Float32Array, weight = 2) {
  const g = new GraphBuilder('hist');
  const f = g.input('f', [1, C, h, w]);
  const r = emitHistogramHead(g, f, [C, h, w], { kind: 'histogram', weight, positions, table });
  g.name_(r.loss, 'loss');
  g.name_(r.grad, 'grad');
  g.output('loss', []);
  g.output('grad', [1, C, h, w]);
  const s = await createSession(g.toBytes());
  const run = (x: Float32Array) => s.run({ f: { data: x, dims: [1, C, h, w] } });
  return { s, loss: async (x: Float32Array) => (await run(x)).loss.data[0] as number, grad: async (x: Float32Array) => (await run(x)).grad.data as Float32Array };
}

/** Distinct values 0.1 apart, shuffled: a step of 1e-2 never changes a rank. */
function distinctFeatures(seed: number): Float32Array {
  const rand = mulberry32(seed);
  const v = Float32Array.from({ length: C * h * w }, (_, i) => i * 0.1);
  for (let i = v.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}

describe('histogram loss head in the graph', () => {
  const positions = Int32Array.from([0, 2, 3, 7, 8, 11, 12, 19, 20, 29]);
  const nI = positions.length;
  const table = Float32Array.from({ length: C * nI }, (_, i) => Math.floor(i / nI) + (i % nI) * 0.3);

  it('gives the element of rank k the table value k of its channel, and 0 outside I', async () => {
    const x = distinctFeatures(1);
    const { s, grad } = await head(positions, table, 1);
    const u = await grad(x);
    for (let c = 0; c < C; c++) {
      const vals = Array.from(positions, (p) => x[c * h * w + p]);
      const ranks = vals.map((v) => vals.filter((o) => o < v).length);
      positions.forEach((p, i) => {
        const expected = (2 / (C * h * w)) * (vals[i] - table[c * nI + ranks[i]]);
        expect(u[c * h * w + p]).toBeCloseTo(expected, 5);
      });
      for (let p = 0; p < h * w; p++) if (!positions.includes(p)) expect(u[c * h * w + p]).toBe(0);
    }
    await s.release();
  });

  it('its gradient matches finite differences of its value while ranks stay fixed', async () => {
    const x = distinctFeatures(2);
    // The head returns the unweighted gradient u; with weight 1 it is the gradient of the value.
    const { s, loss, grad } = await head(positions, table, 1);
    await gradcheck(loss, x, await grad(x), { eps: 1e-2, rtol: 1e-2 });
    await s.release();
  });
});
