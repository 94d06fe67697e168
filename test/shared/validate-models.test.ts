// The model messages at the boundary: a model is a name from the catalogue, nothing else.
import { describe, expect, it } from 'vitest';
import { PainterlyError } from '../../shared/errors.js';
import { DEFAULT_LIMITS } from '../../shared/limits.js';
import { INSTALLABLE_MODELS } from '../../shared/catalogue.js';
import { parseClientMessage, parseModelName, parseServerMessage } from '../../shared/validate.js';

const parse = (v: unknown) => parseClientMessage(JSON.stringify(v), DEFAULT_LIMITS);
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PainterlyError);
    return (e as PainterlyError).code;
  }
  throw new Error('expected a PainterlyError');
};

describe('model messages', () => {
  it('accepts listModels, installModel and cancelInstall with a catalogue name', () => {
    expect(parse({ type: 'listModels' })).toEqual({ type: 'listModels' });
    for (const model of INSTALLABLE_MODELS) {
      expect(parse({ type: 'installModel', model })).toEqual({ type: 'installModel', model });
      expect(parse({ type: 'cancelInstall', model })).toEqual({ type: 'cancelInstall', model });
    }
  });

  it.each(['https://example.com/x.caffemodel', 'http://127.0.0.1/squeezenet', '/home/u/.cache/painterly/x', 'C:\\\\x.safetensors', '../squeezenet', 'squeezenet ', 'SqueezeNet', 'vgg19-partial', ''])(
    'refuses %j as a model (BAD_ARGUMENT), naming the ones it takes',
    (model) => {
      expect(codeOf(() => parse({ type: 'installModel', model }))).toBe('BAD_ARGUMENT');
      expect(() => parseModelName(model)).toThrow('the companion installs only vgg19, squeezenet, googlenet, by name.');
    },
  );

  it('refuses a model that is not a string, and any other field (BAD_MESSAGE)', () => {
    expect(codeOf(() => parse({ type: 'installModel', model: ['squeezenet'] }))).toBe('BAD_MESSAGE');
    expect(codeOf(() => parse({ type: 'installModel' }))).toBe('BAD_MESSAGE');
    expect(codeOf(() => parse({ type: 'installModel', model: 'squeezenet', url: 'https://x' }))).toBe('BAD_MESSAGE');
    expect(codeOf(() => parse({ type: 'installModel', model: 'squeezenet', path: '/tmp/x' }))).toBe('BAD_MESSAGE');
    expect(codeOf(() => parse({ type: 'listModels', dir: '/tmp' }))).toBe('BAD_MESSAGE');
  });

  it('never echoes a long value whole', () => {
    const long = `https://example.com/${'a'.repeat(200)}`;
    expect(() => parseModelName(long)).toThrow(/'https:\/\/example\.com\/aaaa…'/);
  });

  it('reads the companion’s model messages, which carry no job id', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'installProgress', model: 'squeezenet', source: 's', bytesDone: 1, bytesPerSecond: 0 })).type).toBe('installProgress');
    expect(parseServerMessage(JSON.stringify({ type: 'models', models: [], backbones: { present: [], missing: [] } })).type).toBe('models');
    expect(parseServerMessage(JSON.stringify({ type: 'installed', model: 'squeezenet', source: 's', models: [], backbones: { present: [], missing: [] } })).type).toBe('installed');
  });
});
