// Histogram loss head (§3.5, after Risser et al. 2017), computed inside the step graph.
// The remap tables come from histogram-remap.ts (reference statistics, rank → value table,
// and the slow obvious remap the tests compare against).
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { HistogramHead } from './types.js';

/**
 * Gathers F at the positions I, sorts each channel (TopK ascending over all |I| values gives
 * the rank order), writes table[c, k] at the element of rank k, and returns u ∝ F − R on I and
 * 0 elsewhere. R is treated as a constant, as the original does. Value: w·Σu²/numel(F).
 */
export function emitHistogramHead(
  g: GraphBuilder,
  feat: string,
  shape: [number, number, number],
  head: HistogramHead,
): { loss: string; grad: string } {
  const [c, h, w] = shape;
  const nI = head.positions.length;
  const flat = g.reshape(feat, [c, h * w]);
  const pos = g.int64('hist_positions', head.positions);
  const fI = g.op('Gather', [flat, pos], { axis: 1 });
  const [, order] = g.node('TopK', [fI, g.ints([nI])], { axis: 1, largest: 0, sorted: 1 }, 2, 'hist_sort');
  const remapped = g.op('ScatterElements', [fI, order, g.tensor('hist_table', head.table, [c, nI])], { axis: 1 });
  // Scaled to be the true gradient of the value (R held constant); pass 2 normalises it anyway.
  const diff = g.sub(fI, remapped);
  const uI = g.scale(diff, 2 / (c * h * w));
  const posAll = g.int64('hist_positions_2d', tileRows(head.positions, c), [c, nI]);
  const zeros = g.op('ConstantOfShape', [g.ints([c, h * w])]);
  const u = g.reshape(g.op('ScatterElements', [zeros, posAll, uI], { axis: 1 }), [1, c, h, w]);
  const loss = g.scale(g.sumSquares(diff), head.weight / (c * h * w));
  return { loss, grad: u };
}

function tileRows(v: Int32Array, rows: number): Int32Array {
  const out = new Int32Array(v.length * rows);
  for (let r = 0; r < rows; r++) out.set(v, r * v.length);
  return out;
}
