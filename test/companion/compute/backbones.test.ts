import { describe, it, expect } from 'vitest';
import { inferShapes, poolOutSize, ancestors } from '../../../companion/compute/backbones/types.js';
import { BACKBONES, getBackbone, checkWeights, allTaps, minimumSide, checkInputSize } from '../../../companion/compute/backbones/index.js';
import { GraphBuilder } from '../../../companion/compute/onnx/graph-builder.js';
import { emitForward } from '../../../companion/compute/forward.js';
import { createSession } from '../../../companion/compute/backends/onnx.js';
import { randomWeights } from '../../support/tiny-nets.js';

describe('backbone descriptions', () => {
  it('VGG-19 pools in ceil mode: 700 → 350 → 175 → 88 → 44', () => {
    const s = inferShapes(getBackbone('vgg19'), 525, 700);
    expect(s.get('relu1_1')).toEqual([64, 700, 525]);
    expect(s.get('relu2_1')).toEqual([128, 350, 263]);
    expect(s.get('relu3_1')).toEqual([256, 175, 132]);
    expect(s.get('relu4_1')).toEqual([512, 88, 66]);
    expect(s.get('relu5_1')).toEqual([512, 44, 33]);
  });

  it('ONNX Runtime\'s ceil-mode pooling gives the shapes the description predicts', async () => {
    for (const spec of Object.values(BACKBONES)) {
      // Pools only (no weights): the same pooling chain as the backbone, on odd sizes.
      const pools = spec.layers.filter((l) => l.op === 'maxpool');
      const chain = pools.map((l, i) => ({ ...l, from: i === 0 ? 'input' : pools[i - 1].name }));
      for (const [H, W] of [[700, 525], [351, 233], [97, 131]]) {
        const g = new GraphBuilder('pools');
        const x = g.input('x', [1, 1, H, W]);
        const fwd = emitForward(g, chain, new Map(), x, { poolIndices: false });
        const shapes = inferShapes({ layers: chain }, W, H, 1);
        for (const l of chain) { g.name_(fwd.out.get(l.name)!, l.name); g.output(l.name); }
        const s = await createSession(g.toBytes());
        const out = await s.run({ x: { data: new Float32Array(H * W), dims: [1, 1, H, W] } });
        for (const l of chain) expect(Array.from(out[l.name].dims)).toEqual([1, ...shapes.get(l.name)!]);
        await s.release();
      }
    }
  });

  it('Caffe does not start a ceil-mode window inside the padding', () => {
    expect(poolOutSize(5, 3, 2, 1)).toBe(3);
    expect(poolOutSize(6, 2, 2, 0)).toBe(3);
    expect(poolOutSize(7, 2, 2, 0)).toBe(4);
  });

  it('every role and pass layer exists, and each relu4_1 role has stride 8 (or is the deepest tap)', () => {
    for (const spec of Object.values(BACKBONES)) {
      const s = inferShapes(spec, 256, 256);
      for (const t of allTaps(spec)) expect(s.has(t)).toBe(true);
      expect(spec.pass2.reference).toBe(spec.roles.relu4_1);
      const stride = Math.round(256 / s.get(spec.roles.relu4_1)![1]);
      expect(spec.name === 'vgg19-shallow' ? stride === 4 : stride === 8).toBe(true);
    }
  });

  it('vgg19-shallow maps relu3_1 onto the relu4_1 roles and needs only conv1_1…conv3_1', () => {
    const spec = getBackbone('vgg19-shallow');
    expect(spec.roles.relu4_1).toBe('relu3_1');
    expect(spec.pass2).toEqual({ style: ['relu1_1', 'relu2_1', 'relu3_1'], content: 'relu3_1', histogram: ['relu1_1', 'relu3_1'], reference: 'relu3_1' });
    expect(spec.pass1).toEqual({ style: ['relu2_1', 'relu3_1'], content: 'relu3_1' });
    const convs = ancestors(spec, allTaps(spec)).filter((l) => l.op === 'conv').map((l) => (l.op === 'conv' ? l.weight : ''));
    expect(convs).toEqual(['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1']);
  });

  it('refuses weights that lack layers, naming them', () => {
    const full = randomWeights(getBackbone('vgg19'));
    expect(() => checkWeights(getBackbone('vgg19'), full)).not.toThrow();
    const partial = new Map([...full].filter(([k]) => !k.startsWith('conv4') && !k.startsWith('conv5')));
    expect(() => checkWeights(getBackbone('vgg19-shallow'), partial)).not.toThrow();
    expect(() => checkWeights(getBackbone('vgg19'), partial, 'test.safetensors')).toThrow(/test.safetensors lacks layers .*conv4_1.weight/);
    try { checkWeights(getBackbone('vgg19'), partial); } catch (e) { expect((e as { code: string }).code).toBe('MODEL_LAYERS_MISSING'); }
  });

  it('knows the smallest input for which no tap grid is empty', () => {
    for (const spec of Object.values(BACKBONES)) {
      const n = minimumSide(spec, allTaps(spec));
      const shapes = inferShapes(spec, n, n);
      for (const t of allTaps(spec)) expect(Math.min(shapes.get(t)![1], shapes.get(t)![2])).toBeGreaterThanOrEqual(1);
      const smaller = inferShapes(spec, n - 1, n - 1);
      expect(allTaps(spec).some((t) => Math.min(smaller.get(t)![1], smaller.get(t)![2]) < 1)).toBe(true);
      expect(() => checkInputSize(spec, n, n, allTaps(spec), 'image')).not.toThrow();
      expect(() => checkInputSize(spec, n - 1, n + 50, allTaps(spec), 'image')).toThrow(expect.objectContaining({ code: 'IMAGE_TOO_SMALL' }));
    }
  });

  it('refuses an unknown backbone by listing the valid ones', () => {
    expect(() => getBackbone('resnet')).toThrow(/vgg19, vgg19-shallow, squeezenet, googlenet/);
  });
});
