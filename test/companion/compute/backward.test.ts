import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../companion/compute/onnx/graph-builder.js';
import { emitForward } from '../../../companion/compute/forward.js';
import { emitBackwardLayer, flipTranspose } from '../../../companion/compute/backward.js';
import { inferShapes, type BackboneSpec, type LayerSpec } from '../../../companion/compute/backbones/types.js';
import { createSession } from '../../../companion/compute/backends/onnx.js';
import type { WeightMap } from '../../../companion/compute/backbones/index.js';
import { gradcheck, mulberry32, randomArray } from '../../support/gradcheck.js';
import { randomWeights } from '../../support/tiny-nets.js';
import { maxPoolBackward, maxPoolForward, volume } from '../../support/torch-nets.js';

/**
 * Builds loss = Σ R ⊙ layer(x) for one layer on an input of shape [C,H,W], and its input
 * gradient through the layer's backward rule with gradOut = R. Returns f(x) and grad(x).
 */
async function singleLayer(layer: LayerSpec, inShape: [number, number, number], weights: WeightMap, extra: LayerSpec[] = []) {
  const spec: BackboneSpec = {
    name: 't', weights: 't', preprocess: { scale: 1, meanBGR: [0, 0, 0] }, tvScale: { pass1: 1, pass2: 1 }, maxStride: 1,
    layers: [...extra, layer],
    roles: { relu1_1: layer.name, relu2_1: layer.name, relu3_1: layer.name, relu4_1: layer.name },
    pass1: { style: [], content: layer.name }, photo: { content: layer.name, style: [] }, pass2: { style: [], content: layer.name, histogram: [], reference: layer.name },
  };
  const [C, H, W] = inShape;
  const fullShapes = inferShapes(spec, W, H, C);
  const outShape = fullShapes.get(layer.name)!;
  const rand = mulberry32(11);
  const R = randomArray(outShape[0] * outShape[1] * outShape[2], rand);
  const g = new GraphBuilder('t');
  const x = g.input('x', [1, C, H, W]);
  const fwd = emitForward(g, spec.layers, weights, x, { poolIndices: true });
  const y = fwd.out.get(layer.name)!;
  const r = g.tensor('R', R, [1, ...outShape]);
  g.name_(g.op('ReduceSum', [g.mul(y, r)], { keepdims: 0 }), 'loss');
  let grads = emitBackwardLayer({ g, fwd, shapes: fullShapes, weights }, layer, r);
  for (const l of [...extra].reverse()) {
    const gIn = grads.filter(([n]) => n === l.name).map(([, v]) => v);
    grads = [...grads.filter(([n]) => n !== l.name), ...emitBackwardLayer({ g, fwd, shapes: fullShapes, weights }, l, g.sum(gIn))];
  }
  const inputGrads = grads.filter(([n]) => n === 'input').map(([, v]) => v);
  g.name_(g.sum(inputGrads), 'grad');
  g.output('loss', []);
  g.output('grad', [1, C, H, W]);
  const session = await createSession(g.toBytes());
  const run = async (v: Float32Array) => session.run({ x: { data: v, dims: [1, C, H, W] } });
  return {
    R,
    f: async (v: Float32Array) => (await run(v)).loss.data[0] as number,
    grad: async (v: Float32Array) => (await run(v)).grad.data as Float32Array,
    release: () => session.release(),
  };
}

/** Distinct values 0.05 apart in random order: a small step can never change which one is the max. */
function separated(n: number): Float32Array {
  const rand = mulberry32(21);
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}

async function check(layer: LayerSpec, inShape: [number, number, number], weights: WeightMap = new Map(), extra: LayerSpec[] = [], opts: { eps?: number; distinct?: boolean } = {}) {
  const net = await singleLayer(layer, inShape, weights, extra);
  try {
    const n = inShape[0] * inShape[1] * inShape[2];
    const x = opts.distinct ? separated(n) : randomArray(n, mulberry32(3));
    const grad = await net.grad(x);
    const report = await gradcheck(net.f, x, grad, { eps: opts.eps ?? 2e-3 });
    expect(report.worst).toBeLessThan(2e-2);
  } finally {
    await net.release();
  }
}

function convWeights(name: string, out: number, cin: number, k: number): WeightMap {
  const spec = { layers: [{ op: 'conv', name, from: 'input', weight: name, out, k, stride: 1, pad: 0, relu: true }] } as BackboneSpec;
  const w = randomWeights(spec, 5);
  // randomWeights assumes 3 input channels; rebuild for cin.
  const rand = mulberry32(9);
  w.set(`${name}.weight`, { shape: [out, cin, k, k], data: randomArray(out * cin * k * k, rand, 0.5) });
  return w;
}

describe('backward rules', () => {
  it('conv 3×3 stride 1 + ReLU matches finite differences', async () => {
    await check({ op: 'conv', name: 'c', from: 'input', weight: 'c', out: 5, k: 3, stride: 1, pad: 1, relu: true }, [3, 9, 8], convWeights('c', 5, 3, 3));
  });

  it('conv 1×1 without ReLU matches finite differences', async () => {
    await check({ op: 'conv', name: 'c', from: 'input', weight: 'c', out: 4, k: 1, stride: 1, pad: 0, relu: false }, [3, 6, 7], convWeights('c', 4, 3, 1));
  });

  it('conv 5×5 pad 2 matches finite differences', async () => {
    await check({ op: 'conv', name: 'c', from: 'input', weight: 'c', out: 3, k: 5, stride: 1, pad: 2, relu: true }, [2, 8, 9], convWeights('c', 3, 2, 5));
  });

  it('strided conv 3×3/2 without padding (odd and even sizes) matches finite differences', async () => {
    await check({ op: 'conv', name: 'c', from: 'input', weight: 'c', out: 4, k: 3, stride: 2, pad: 0, relu: true }, [3, 10, 9], convWeights('c', 4, 3, 3));
  });

  it('strided conv 7×7/2 pad 3 matches finite differences', async () => {
    await check({ op: 'conv', name: 'c', from: 'input', weight: 'c', out: 3, k: 7, stride: 2, pad: 3, relu: true }, [3, 11, 12], convWeights('c', 3, 3, 7));
  });

  it('2×2/2 ceil-mode max pooling on odd sizes matches finite differences', async () => {
    await check({ op: 'maxpool', name: 'p', from: 'input', k: 2, stride: 2, pad: 0 }, [3, 7, 9], new Map(), [], { distinct: true, eps: 5e-3 });
  });

  it('2×2/2 pooling of a ReLU output (VGG) matches finite differences, odd sizes included', async () => {
    // The pool follows a conv + ReLU, so the elementwise winner rule is used (not the scatter).
    await check({ op: 'maxpool', name: 'p', from: 'c', k: 2, stride: 2, pad: 0 }, [3, 7, 9], convWeights('c', 4, 3, 3), [
      { op: 'conv', name: 'c', from: 'input', weight: 'c', out: 4, k: 3, stride: 1, pad: 1, relu: true },
    ]);
  });

  // A 1×1 identity conv + ReLU in front of the pool: its output is the input where positive, so
  // the pool sees the values given. Returns the pool's input gradient and THCUNN's (the literal
  // transcription in test/support/torch-nets.ts), and how many windows have tied positive maxima.
  async function poolAgainstThcunn(C: number, H: number, W: number, x: Float32Array) {
    const eye = new Float32Array(C * C).map((_, i) => (i % (C + 1) === 0 ? 1 : 0));
    const weights: WeightMap = new Map([['c.weight', { shape: [C, C, 1, 1], data: eye }], ['c.bias', { shape: [C], data: new Float32Array(C) }]]);
    const pool: LayerSpec = { op: 'maxpool', name: 'p', from: 'c', k: 2, stride: 2, pad: 0 };
    const net = await singleLayer(pool, [C, H, W], weights, [{ op: 'conv', name: 'c', from: 'input', weight: 'c', out: C, k: 1, stride: 1, pad: 0, relu: true }]);
    try {
      const got = await net.grad(x);
      const relu = volume(C, H, W, Float64Array.from(x, (v) => Math.max(0, v)));
      const { y, argmax } = maxPoolForward(relu);
      const torch = maxPoolBackward(relu, argmax, volume(C, y.h, y.w, Float64Array.from(net.R))).data.map((g, i) => (relu.data[i] > 0 ? g : 0));
      let ties = 0;
      for (let i = 0; i < y.data.length; i++) {
        const c = Math.floor(i / (y.h * y.w)), o = i % (y.h * y.w), oy = Math.floor(o / y.w), ox = o % y.w;
        let n = 0;
        for (let iy = 2 * oy; iy < Math.min(2 * oy + 2, H); iy++) for (let ix = 2 * ox; ix < Math.min(2 * ox + 2, W); ix++) if (relu.data[(c * H + iy) * W + ix] === y.data[i]) n++;
        if (n > 1 && y.data[i] > 0) ties++;
      }
      return { got: Array.from(got), torch: Array.from(torch, (v) => Math.fround(v)), ties };
    } finally {
      await net.release();
    }
  }

  it('2×2/2 pooling of a ReLU output gives each window\'s gradient to its first maximum (THCUNN), with planted ties', async () => {
    // Values on a coarse grid make many windows tie (as flat image areas do), some at zero.
    const r = mulberry32(17);
    const x = Float32Array.from({ length: 3 * 7 * 9 }, () => [-0.5, 0, 0.5, 1, 1][Math.floor(r() * 5)]);
    const { got, torch, ties } = await poolAgainstThcunn(3, 7, 9, x);
    expect(got).toEqual(torch);
    // Teeth: positive ties exist, so giving every tied maximum the gradient would differ.
    expect(ties).toBeGreaterThan(5);
  });

  it('routes like THCUNN at a real layer\'s size too: 64 channels, odd 175 × 131, ties in flat areas', async () => {
    // VGG's pool1 at 350 px has this shape. Each channel is a smooth ramp quantised to steps of
    // 1/8 (flat patches and level lines tie, as in JPEG blocks and clipped highlights), with
    // a quarter of the values negative (zero after the ReLU).
    const [C, H, W] = [64, 175, 131];
    const r = mulberry32(5);
    const x = new Float32Array(C * H * W);
    for (let c = 0; c < C; c++) {
      const [a, b, o] = [r() * 0.2 - 0.1, r() * 0.2 - 0.1, r() * 4 - 1];
      for (let i = 0; i < H * W; i++) x[c * H * W + i] = Math.round((a * Math.floor(i / W) + b * (i % W) + o + 0.3 * r()) * 8) / 8;
    }
    const { got, torch, ties } = await poolAgainstThcunn(C, H, W, x);
    // The routing must be THCUNN's exactly; the values may differ in the last bit (the ReLU's
    // ε-scaled mask, see backward.ts: ×ε then ×1/ε).
    let misrouted = 0;
    let off = 0;
    for (let i = 0; i < got.length; i++) {
      if ((got[i] === 0) !== (torch[i] === 0)) misrouted++;
      else if (Math.abs(got[i] - torch[i]) > 1e-6 * Math.abs(torch[i])) off++;
    }
    expect(misrouted).toBe(0);
    expect(off).toBe(0);
    expect(ties).toBeGreaterThan(10000);
  }, 60_000);

  // The 2×2 rule's graph alone (x and gradOut fed, y its MaxPool), against a slow transcription:
  // each window scanned row by row with a strict >, the first maximum gets gradOut, the others
  // gradOut × 0 (a mask multiply, as the rule has always done: −0 where gradOut < 0).
  async function poolRule(C: number, H: number, W: number, x: Float32Array, gOut: Float32Array): Promise<Float32Array> {
    const pool: LayerSpec = { op: 'maxpool', name: 'p', from: 'a', k: 2, stride: 2, pad: 0 };
    const [oh, ow] = [Math.ceil(H / 2), Math.ceil(W / 2)];
    const g = new GraphBuilder('t');
    const xv = g.input('x', [1, C, H, W]);
    const gv = g.input('gOut', [1, C, oh, ow]);
    const yv = g.op('MaxPool', [xv], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 1 });
    const fwd = { out: new Map([['a', xv], ['p', yv]]), poolIndices: new Map<string, string>(), reluInputs: new Set(['a']) };
    const shapes = new Map<string, [number, number, number]>([['a', [C, H, W]], ['p', [C, oh, ow]]]);
    const grads = emitBackwardLayer({ g, fwd, shapes, weights: new Map() }, pool, gv);
    expect(grads.map(([n]) => n)).toEqual(['a']);
    g.name_(grads[0][1], 'grad');
    g.output('grad', [1, C, H, W]);
    const session = await createSession(g.toBytes());
    try {
      return (await session.run({ x: { data: x, dims: [1, C, H, W] }, gOut: { data: gOut, dims: [1, C, oh, ow] } })).grad.data as Float32Array;
    } finally {
      await session.release();
    }
  }

  /** Also counts, per place in the window (row-major 0–3), the windows it wins, and the windows with tied maxima. */
  function firstMaxRouting(C: number, H: number, W: number, x: Float32Array, gOut: Float32Array) {
    const [oh, ow] = [Math.ceil(H / 2), Math.ceil(W / 2)];
    const out = new Float32Array(C * H * W);
    const wins = [0, 0, 0, 0];
    let ties = 0;
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const gv = gOut[(c * oh + oy) * ow + ox];
          let at = -1;
          for (let iy = 2 * oy; iy < Math.min(2 * oy + 2, H); iy++) {
            for (let ix = 2 * ox; ix < Math.min(2 * ox + 2, W); ix++) {
              const i = (c * H + iy) * W + ix;
              if (at < 0 || x[i] > x[at]) at = i;
            }
          }
          let n = 0;
          for (let iy = 2 * oy; iy < Math.min(2 * oy + 2, H); iy++) {
            for (let ix = 2 * ox; ix < Math.min(2 * ox + 2, W); ix++) {
              const i = (c * H + iy) * W + ix;
              out[i] = i === at ? gv : gv * 0;
              if (x[i] === x[at]) n++;
              if (i === at) wins[2 * (iy - 2 * oy) + (ix - 2 * ox)]++;
            }
          }
          if (n > 1) ties++;
        }
      }
    }
    return { out, wins, ties };
  }

  it('2×2/2 rule: the first maximum of each window gets the gradient, bit for bit, odd sizes and ties everywhere', async () => {
    const r = mulberry32(29);
    const wins = [0, 0, 0, 0];
    let ties = 0;
    for (const [C, H, W] of [[3, 7, 9], [2, 8, 5], [2, 5, 8], [4, 6, 6], [1, 1, 1], [1, 1, 4], [16, 33, 31]] as const) {
      // ReLU outputs from a few levels: most windows tie (at zero too), every place wins somewhere.
      const x = Float32Array.from({ length: C * H * W }, () => [0, 0, 0.5, 1, 1, 1][Math.floor(r() * 6)]);
      // Negative, zero and positive gradients (a −0 among them), so each sign of zero is checked.
      const gOut = Float32Array.from({ length: C * Math.ceil(H / 2) * Math.ceil(W / 2) }, (_, i) => (i % 7 === 0 ? (i % 2 ? -0 : 0) : r() * 2 - 1));
      const got = await poolRule(C, H, W, x, gOut);
      const want = firstMaxRouting(C, H, W, x, gOut);
      expect(new Uint32Array(got.buffer, got.byteOffset, got.length)).toEqual(new Uint32Array(want.out.buffer));
      want.wins.forEach((n, k) => (wins[k] += n));
      ties += want.ties;
    }
    // Teeth: every place wins somewhere, and most windows tie (giving every tied maximum the
    // gradient, or the last, would differ).
    expect(Math.min(...wins)).toBeGreaterThan(50);
    expect(ties).toBeGreaterThan(1000);
  });

  it('overlapping 3×3/2 ceil-mode max pooling matches finite differences', async () => {
    await check({ op: 'maxpool', name: 'p', from: 'input', k: 3, stride: 2, pad: 0 }, [2, 10, 9], new Map(), [], { distinct: true, eps: 5e-3 });
  });

  it('3×3/1 pad-1 max pooling matches finite differences', async () => {
    await check({ op: 'maxpool', name: 'p', from: 'input', k: 3, stride: 1, pad: 1 }, [2, 6, 7], new Map(), [], { distinct: true, eps: 5e-3 });
  });

  it('LRN across channels matches finite differences', async () => {
    // Large alpha so the normalisation term matters at these magnitudes.
    await check({ op: 'lrn', name: 'n', from: 'input', size: 5, alpha: 0.5, beta: 0.75, bias: 1 }, [7, 4, 5]);
  });

  it('concat splits the gradient back to each branch', async () => {
    const w = new Map([...convWeights('a', 2, 3, 1), ...convWeights('b', 3, 3, 3)]);
    await check({ op: 'concat', name: 'cat', from: ['a', 'b'] }, [3, 5, 6], w, [
      { op: 'conv', name: 'a', from: 'input', weight: 'a', out: 2, k: 1, stride: 1, pad: 0, relu: false },
      { op: 'conv', name: 'b', from: 'input', weight: 'b', out: 3, k: 3, stride: 1, pad: 1, relu: false },
    ]);
  });

  it('flipTranspose swaps in/out channels and reverses both spatial axes', () => {
    const w = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i);
    const t = flipTranspose(w, [2, 3, 2, 2]);
    // w[o=1][i=2][y=0][x=1] lands at t[i=2][o=1][y=1][x=0].
    expect(t[((2 * 2 + 1) * 2 + 1) * 2 + 0]).toBe(w[((1 * 3 + 2) * 2 + 0) * 2 + 1]);
  });
});
