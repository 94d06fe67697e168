// Nodes the WebGPU provider registers but cannot run go to the CPU: the MaxPool nodes that
// produce argmax indices (3×3 pools of SqueezeNet and GoogLeNet in the step graph), and no
// others. Also the graph builder's share of the GPU fixes: no Sum node, node names that carry
// their layer.
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { GraphBuilder } from '../../../companion/compute/onnx/graph-builder.js';
import { emitForward } from '../../../companion/compute/forward.js';
import { nodesForCpu } from '../../../companion/compute/backends/provider-quirks.js';
import { createSession } from '../../../companion/compute/backends/onnx.js';
import { randomWeights, tinyGoogle, tinySqueeze, tinyVgg } from '../../support/tiny-nets.js';
import type { BackboneSpec } from '../../../companion/compute/backbones/types.js';

const { onnx } = onnxProto;

function forwardModel(spec: BackboneSpec, poolIndices: boolean): Uint8Array {
  const g = new GraphBuilder('fwd');
  const x = g.input('image', [1, 3, 32, 32]);
  const fwd = emitForward(g, spec.layers, randomWeights(spec), x, { poolIndices });
  const last = spec.layers[spec.layers.length - 1].name;
  g.name_(fwd.out.get(last)!, 'y');
  g.output('y');
  for (const [layer, idx] of fwd.poolIndices) {
    g.name_(idx, `idx_${layer}`);
    g.output(`idx_${layer}`, undefined, 'int64');
  }
  return g.toBytes();
}

function nodes(model: Uint8Array): onnxProto.onnx.INodeProto[] {
  return onnx.ModelProto.decode(model).graph!.node!;
}

describe('nodes WebGPU must leave to the CPU', () => {
  it('are the MaxPool nodes with an indices output, named after their pool layer', () => {
    for (const spec of [tinySqueeze, tinyGoogle]) {
      const model = forwardModel(spec, true);
      const withIndices = nodes(model).filter((n) => n.opType === 'MaxPool' && n.output!.length === 2);
      expect(withIndices.length).toBeGreaterThan(0);
      const names = nodesForCpu(model, 'webgpu');
      expect(names).toEqual(withIndices.map((n) => n.name));
      const pools = spec.layers.filter((l) => l.op === 'maxpool' && !(l.k === 2 && l.stride === 2)).map((l) => l.name);
      expect(names.map((n) => n.split('/')[0]).sort()).toEqual([...new Set(pools)].sort());
    }
  });

  it('are none for VGG (its 2×2 pools of ReLUs need no indices), without indices, or on other devices', () => {
    expect(nodesForCpu(forwardModel(tinyVgg, true), 'webgpu')).toEqual([]);
    expect(nodesForCpu(forwardModel(tinySqueeze, false), 'webgpu')).toEqual([]);
    for (const device of ['cpu', 'cuda', 'dml', 'coreml'] as const) expect(nodesForCpu(forwardModel(tinySqueeze, true), device)).toEqual([]);
  });
});

describe('graph builder', () => {
  it('sums with Adds, left to right, giving what ONNX Runtime’s Sum gives', async () => {
    const build = (viaSum: boolean): Uint8Array => {
      const g = new GraphBuilder('s');
      const xs = ['a', 'b', 'c', 'd'].map((n) => g.input(n, [5]));
      g.name_(viaSum ? g.op('Sum', xs) : g.sum(xs), 'y');
      g.output('y');
      return g.toBytes();
    };
    expect(nodes(build(false)).map((n) => n.opType)).toEqual(['Add', 'Add', 'Add', 'Identity']);
    const feeds = Object.fromEntries(['a', 'b', 'c', 'd'].map((n, k) => [n, { data: Float32Array.from({ length: 5 }, (_, i) => Math.fround(0.1 * (i + 1) * (k + 1) ** 3) * (k % 2 ? -1 : 1)), dims: [5] }]));
    const run = async (model: Uint8Array): Promise<Float32Array> => {
      const s = await createSession(model);
      try {
        return (await s.run(feeds)).y.data as Float32Array;
      } finally {
        await s.release();
      }
    };
    const chain = await run(build(false));
    expect(Array.from(chain)).toEqual(Array.from(await run(build(true))));
    const g = new GraphBuilder('one');
    expect(g.sum(['only'])).toBe('only');
    expect(() => g.sum([])).toThrow(/no values/);
  });

  it('names each node after the layer or head it belongs to', () => {
    const g = new GraphBuilder('n');
    const x = g.input('x', [1, 3, 4, 4]);
    g.op('Relu', [x], {}, 'conv2_1');
    g.mul(x, x);
    const [a, b] = nodes(g.toBytes());
    expect(a.name).toMatch(/^conv2_1\/Relu__\d+$/);
    expect(b.name).toMatch(/^n_Mul__\d+$/);
  });
});
