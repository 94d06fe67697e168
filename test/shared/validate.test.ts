import { describe, expect, it } from 'vitest';
import { describeValue, expected } from '../../shared/errors.js';
import { DEFAULT_LIMITS, resolveLimits } from '../../shared/limits.js';
import type { PlaneDeclaration, SubmitMessage } from '../../shared/protocol.js';
import { checkSubmit, parseClientMessage, parseJobOptions, parseServerMessage, resolveJobOptions } from '../../shared/validate.js';
import { fails } from '../support/fails.js';

const parse = (v: unknown) => parseClientMessage(typeof v === 'string' ? v : JSON.stringify(v), DEFAULT_LIMITS);
const decl = (plane: PlaneDeclaration['plane'], width = 10, height = 8, channels = plane.toLowerCase().includes('mask') ? 1 : 3): PlaneDeclaration => ({ plane, width, height, channels, bitsPerChannel: 8 });
const harmonize = (planes = [decl('painting'), decl('composite'), decl('mask')]): SubmitMessage => ({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes });

describe('expected and describeValue', () => {
  it('say what was expected for which field and what arrived, with its type', () => {
    expect(expected('options.tau', 'a number', 'x').message).toBe("Expected a number for `options.tau`, got 'x' (string).");
    expect(expected('a', 'b', null).message).toBe('Expected b for `a`, got null.');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(3)).toBe('3 (number)');
  });

  it('never echo a long string whole, so a token cannot leak into an error', () => {
    const token = 'f'.repeat(64);
    expect(describeValue(token)).toBe(`'${'f'.repeat(24)}…' (string)`);
  });
});

describe('parseClientMessage', () => {
  it('accepts each message type with its fields', () => {
    expect(parse({ type: 'hello', protocolVersion: 1, token: 't', client: { name: 'panel', version: '1' } })).toEqual({ type: 'hello', protocolVersion: 1, token: 't', client: { name: 'panel', version: '1' } });
    expect(parse({ type: 'cancel', jobId: 4 })).toEqual({ type: 'cancel', jobId: 4 });
    expect(parse({ type: 'ping' })).toEqual({ type: 'ping' });
    expect(parse(harmonize())).toEqual(harmonize());
  });

  it('refuses text that is not a JSON object, or has no string type', () => {
    expect(fails(() => parse('{')).message).toBe('The message is not valid JSON.');
    expect(fails(() => parse('"hi"')).message).toBe("Expected a JSON object for `message`, got 'hi' (string).");
    expect(fails(() => parse({ type: 3 })).code).toBe('BAD_MESSAGE');
  });

  it('refuses an unknown type with UNKNOWN_MESSAGE listing the known ones', () => {
    const e = fails(() => parse({ type: 'update' }));
    expect(e.code).toBe('UNKNOWN_MESSAGE');
    expect(e.message).toBe("Unknown message type 'update' (string); known types: hello, submit, cancel, ping, listModels, installModel, cancelInstall.");
  });

  it('refuses unknown fields at every level', () => {
    expect(fails(() => parse({ type: 'ping', path: '/etc' })).message).toContain('Unknown field `path`');
    expect(fails(() => parse({ ...harmonize(), options: { mode: 'harmonize', device: 'cuda' } })).message).toContain('`options.device`');
    expect(fails(() => parse({ ...harmonize(), planes: [{ ...decl('mask'), file: 'x' }] })).message).toContain('`planes[0].file`');
  });

  it('refuses a hello without a token with UNAUTHORIZED', () => {
    expect(fails(() => parse({ type: 'hello', protocolVersion: 1 })).code).toBe('UNAUTHORIZED');
  });

  it('refuses bad job ids and plane declarations with the field named', () => {
    expect(fails(() => parse({ type: 'cancel', jobId: 0 })).message).toContain('`jobId`');
    expect(fails(() => parse({ type: 'cancel', jobId: 2 ** 32 })).message).toContain('`jobId`');
    expect(fails(() => parse({ ...harmonize(), planes: [{ ...decl('mask'), bitsPerChannel: 32 }] })).message).toContain('`planes[0].bitsPerChannel`');
    expect(fails(() => parse({ ...harmonize(), planes: [{ ...decl('mask'), plane: 'result' }] })).message).toContain('an input plane name');
    expect(fails(() => parse({ ...harmonize(), planes: [{ ...decl('mask'), width: 1.5 }] })).message).toContain('`planes[0].width`');
  });

  it('refuses a message over maxJsonBytes, counting UTF-8 bytes', () => {
    const limits = { maxJsonBytes: 100 };
    const ascii = JSON.stringify({ type: 'ping', nonce: 1, x: 'a'.repeat(90) });
    expect(fails(() => parseClientMessage(ascii, limits)).code).toBe('FRAME_TOO_LARGE');
    const wide = JSON.stringify({ type: 'ping', x: 'é'.repeat(45) }); // 60 characters, 105 bytes
    expect(wide.length).toBeLessThan(100);
    expect(fails(() => parseClientMessage(wide, limits)).code).toBe('FRAME_TOO_LARGE');
  });
});

describe('parseJobOptions and resolveJobOptions', () => {
  const limits = DEFAULT_LIMITS;

  it('fills harmonize options from the quality preset and defaults', () => {
    expect(resolveJobOptions({ mode: 'harmonize' }, limits)).toEqual({ mode: 'harmonize', quality: 'full', tau: 'auto', size: 700, pass1Iters: 1000, pass2Iters: 1000, schedule: 'auto', postProcess: true, detail: 'native', backbone: 'vgg19' });
    // Full refines to the document's resolution; Preview stays fast, enlarging the working-size result.
    expect(resolveJobOptions({ mode: 'harmonize', quality: 'preview' }, limits)).toMatchObject({ size: 350, pass1Iters: 200, pass2Iters: 200, detail: 'paper' });
    expect(resolveJobOptions({ mode: 'harmonize', quality: 'preview', detail: 'native' }, limits)).toMatchObject({ size: 350, detail: 'native' });
    expect(() => resolveJobOptions({ mode: 'harmonize', detail: 'huge' as never }, limits)).toThrow(/Expected one of native, paper for `options.detail`/);
  });

  it('takes the schedule, auto by default, and refuses other names with the list', () => {
    expect(resolveJobOptions({ mode: 'harmonize', schedule: 'paper' }, limits)).toMatchObject({ schedule: 'paper', pass1Iters: 1000, pass2Iters: 1000 });
    expect(resolveJobOptions({ mode: 'harmonize', quality: 'preview' }, limits)).toMatchObject({ schedule: 'auto' });
    expect(fails(() => resolveJobOptions({ mode: 'harmonize', schedule: 'fast' as never }, limits)).message).toBe("Expected one of auto, paper for `options.schedule`, got 'fast' (string).");
    expect(fails(() => parseJobOptions({ mode: 'harmonize', schedule: 1 })).code).toBe('BAD_MESSAGE');
    expect(fails(() => parseJobOptions({ mode: 'photo-style', schedule: 'auto' })).message).toContain('Unknown field `options.schedule`');
  });

  it('lets explicit values override the preset', () => {
    expect(resolveJobOptions({ mode: 'harmonize', quality: 'preview', size: 500, pass2Iters: 0, tau: 1, postProcess: false, backbone: 'squeezenet' }, limits)).toMatchObject({
      size: 500, pass1Iters: 200, pass2Iters: 0, tau: 1, postProcess: false, backbone: 'squeezenet',
    });
  });

  it('fills photo-style options, smoothing affine by default', () => {
    expect(resolveJobOptions({ mode: 'photo-style' }, limits)).toEqual({ mode: 'photo-style', quality: 'full', size: 700, stage1Iters: 1000, stage2Iters: 1000, smoothing: 'affine', backbone: 'vgg19' });
  });

  it('refuses values outside their ranges with BAD_ARGUMENT', () => {
    expect(fails(() => resolveJobOptions({ mode: 'harmonize', tau: 0 }, limits)).message).toBe('Expected a number from 1 to 20, or \'auto\' for `options.tau`, got 0 (number).');
    expect(fails(() => resolveJobOptions({ mode: 'harmonize', size: 5000 }, limits)).code).toBe('BAD_ARGUMENT');
    expect(fails(() => resolveJobOptions({ mode: 'photo-style', stage1Iters: -1 }, limits)).code).toBe('BAD_ARGUMENT');
  });

  it('refuses wrong types and options of the other mode', () => {
    expect(fails(() => parseJobOptions({ mode: 'harmonize', tau: '5' })).message).toContain('`options.tau`');
    expect(fails(() => parseJobOptions({ mode: 'harmonize', smoothing: 'affine' })).message).toContain('Unknown field `options.smoothing`');
    expect(fails(() => parseJobOptions({ mode: 'paint' })).message).toContain('one of harmonize, photo-style');
    expect(fails(() => parseJobOptions({ mode: 'harmonize', postProcess: 1 })).message).toContain('true or false');
  });
});

describe('checkSubmit', () => {
  const limits = resolveLimits();

  it('returns the resolved options and the planes by name', () => {
    const c = checkSubmit(harmonize([decl('painting'), decl('composite'), decl('mask'), decl('dilatedMask')]), limits);
    expect(c.options).toMatchObject({ mode: 'harmonize', size: 700 });
    expect([...c.planes.keys()]).toEqual(['painting', 'composite', 'mask', 'dilatedMask']);
  });

  it('refuses a mode the companion does not offer', () => {
    expect(fails(() => checkSubmit(harmonize(), limits, ['photo-style'])).code).toBe('MODE_UNAVAILABLE');
  });

  it('refuses repeated, foreign and missing planes and wrong channel counts', () => {
    expect(fails(() => checkSubmit(harmonize([decl('painting'), decl('painting'), decl('mask')]), limits)).message).toBe("Plane 'painting' is declared twice.");
    expect(fails(() => checkSubmit(harmonize([decl('painting'), decl('composite'), decl('mask'), decl('style')]), limits)).message).toContain("got 'style'");
    expect(fails(() => checkSubmit(harmonize([decl('painting'), decl('composite')]), limits)).message).toBe("Mode 'harmonize' needs plane 'mask'.");
    expect(fails(() => checkSubmit(harmonize([decl('painting'), decl('composite'), decl('mask', 10, 8, 3)]), limits)).message).toContain('`mask.channels`');
  });

  it('requires harmonize planes to share a size but lets the photo-style reference differ from the content', () => {
    expect(fails(() => checkSubmit(harmonize([decl('painting'), decl('composite', 11), decl('mask')]), limits)).code).toBe('SIZE_MISMATCH');
    const photo: SubmitMessage = { type: 'submit', jobId: 2, options: { mode: 'photo-style' }, planes: [decl('content', 10, 8), decl('style', 30, 20), decl('styleLabels', 30, 20)] };
    expect(checkSubmit(photo, limits).planes.size).toBe(3);
    photo.planes.push(decl('contentLabels', 30, 20));
    expect(fails(() => checkSubmit(photo, limits)).message).toBe("Plane 'contentLabels' is 30×20 but 'content' is 10×8; they must match.");
  });

  it('refuses planes over the side, pixel and job byte limits with IMAGE_TOO_LARGE', () => {
    const small = resolveLimits({ maxPlaneSide: 100, maxPlanePixels: 50 * 50, maxJobBytes: 17_000 });
    expect(fails(() => checkSubmit(harmonize([decl('painting', 101, 1), decl('composite', 101, 1), decl('mask', 101, 1)]), small)).code).toBe('IMAGE_TOO_LARGE');
    expect(fails(() => checkSubmit(harmonize([decl('painting', 60, 60), decl('composite', 60, 60), decl('mask', 60, 60)]), small)).code).toBe('IMAGE_TOO_LARGE');
    const e = fails(() => checkSubmit(harmonize([decl('painting', 50, 50), decl('composite', 50, 50), decl('mask', 50, 50)]), small));
    expect(e.message).toContain('add up to 17500 bytes');
    expect(e.code).toBe('IMAGE_TOO_LARGE');
  });
});

describe('parseServerMessage', () => {
  it('accepts known messages and refuses unknown types and job events without a job id', () => {
    expect(parseServerMessage('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(fails(() => parseServerMessage('{"type":"surprise"}')).code).toBe('UNKNOWN_MESSAGE');
    expect(fails(() => parseServerMessage('{"type":"progress","stage":"x"}')).message).toContain('`jobId`');
  });
});
