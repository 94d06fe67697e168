// The full tensor lists of the downloadable networks against the kit's files and the backbone
// descriptions, and the errors checkLayout gives.
import { describe, expect, it } from 'vitest';
import { checkWeights, getBackbone } from '../../../../companion/compute/backbones/index.js';
import { checkLayout, layoutBytes, layoutTensors } from '../../../../companion/compute/weights/layouts.js';
import type { Tensor } from '../../../../companion/compute/weights/safetensors.js';
import { kitTensors } from './model-files.js';

function zeros(model: 'vgg19' | 'squeezenet' | 'googlenet'): Map<string, Tensor> {
  return new Map(layoutTensors(model).map(([name, shape]) => [name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }]));
}

describe('model layouts', () => {
  it.each(['squeezenet', 'googlenet'] as const)('%s lists exactly the kit file\'s tensors, names, shapes and order', async (model) => {
    const kit = await kitTensors(model);
    expect(layoutTensors(model)).toEqual([...kit].map(([name, t]) => [name, t.shape]));
    expect(layoutBytes(model)).toBe([...kit.values()].reduce((s, t) => s + t.data.byteLength, 0));
  });

  it('agree with the backbone descriptions (the backbones accept a set built from the layout)', () => {
    expect(() => checkWeights(getBackbone('squeezenet'), zeros('squeezenet'))).not.toThrow();
    expect(() => checkWeights(getBackbone('googlenet'), zeros('googlenet'))).not.toThrow();
    expect(() => checkWeights(getBackbone('vgg19'), zeros('vgg19'))).not.toThrow();
    expect(() => checkWeights(getBackbone('vgg19-shallow'), zeros('vgg19'))).not.toThrow();
  });

  it('VGG-19 has its 16 conv layers with the published channel counts', () => {
    const convs = layoutTensors('vgg19').filter(([n]) => n.endsWith('.weight'));
    expect(convs).toHaveLength(16);
    expect(convs[0]).toEqual(['conv1_1.weight', [64, 3, 3, 3]]);
    expect(convs[15]).toEqual(['conv5_4.weight', [512, 512, 3, 3]]);
    expect(layoutBytes('vgg19')).toBe(20_024_384 * 4);
  });
});

describe('checkLayout', () => {
  it('returns the tensors in network order and drops ones the model does not have', () => {
    const set = new Map([...zeros('squeezenet')].reverse());
    set.set('loss1/conv.weight', { shape: [1], data: new Float32Array(1) });
    const out = checkLayout('squeezenet', set, 'x.caffemodel');
    expect([...out.keys()]).toEqual(layoutTensors('squeezenet').map(([n]) => n));
  });

  it('names missing tensors', () => {
    const set = zeros('googlenet');
    set.delete('inception_5b/pool_proj.bias');
    expect(() => checkLayout('googlenet', set, 'g.onnx')).toThrow(
      expect.objectContaining({ code: 'MODEL_LAYERS_MISSING', message: 'g.onnx is not complete GoogLeNet weights: it lacks inception_5b/pool_proj.bias.' }),
    );
  });

  it('names a tensor of the wrong shape with both shapes', () => {
    const set = zeros('squeezenet');
    set.set('conv10.weight', { shape: [1000, 512], data: new Float32Array(512000) });
    expect(() => checkLayout('squeezenet', set, 's.caffemodel')).toThrow(
      expect.objectContaining({ code: 'MODEL_LAYERS_MISSING', message: expect.stringContaining('s.caffemodel: conv10.weight has shape [1000,512]; SqueezeNet 1.1 has [1000,512,1,1] there') }),
    );
  });
});
