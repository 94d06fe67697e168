// Validation at the boundary, once: small predicates and the checks every incoming message goes
// through (job options by the option table, options.ts). Past these, code trusts its types.
import { describeValue, expected, PainterlyError, type ErrorCode } from './errors.js';
import { isPlaneName, planeByteLength, type FrameHeader, type InputPlaneName } from './frames.js';
import type { Limits } from './limits.js';
import { checkPartsPlanes, parseDocumentSize } from './validate-parts.js';
import { checkOptionType, optionsOf, PROTOCOL_CONTEXT, resolveOptions, type OptionContext } from './options.js';
import { CLIENT_MESSAGE_TYPES, HARMONIZE_PARTS_PLANES, MODES, MODE_PLANES, PLANE_CHANNELS, SERVER_MESSAGE_TYPES, type ClientMessage, type JobOptions, type Mode, type PlaneDeclaration, type ResolvedJobOptions, type ServerMessage, type SubmitMessage } from './protocol.js';
import { INSTALLABLE_MODELS, type InstallableModel } from './catalogue.js';

// ---- predicates ---------------------------------------------------------------------------

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
export const isU32 = (v: unknown): v is number => isInteger(v) && v >= 0 && v <= 0xffffffff;
export const isJobId = (v: unknown): v is number => isU32(v) && v >= 1;
export const isOneOf = <T extends string>(values: readonly T[], v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string, code: ErrorCode = 'BAD_MESSAGE'): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new PainterlyError(code, `Unknown field \`${where}${key}\`; allowed: ${allowed.join(', ')}.`);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PainterlyError('BAD_MESSAGE', 'The message is not valid JSON.');
  }
}

// ---- client → companion ---------------------------------------------------------------------

/**
 * Parses one text message from a client and checks its shape: known type, known fields, field
 * types. Limits and cross-field rules of `submit` are checked by `checkSubmit`.
 */
export function parseClientMessage(text: string, limits: Pick<Limits, 'maxJsonBytes'>): ClientMessage {
  // UTF-16 length bounds the UTF-8 length from below and a third of it from above: encode only when in doubt.
  const max = limits.maxJsonBytes;
  if (text.length > max || (text.length * 3 > max && new TextEncoder().encode(text).byteLength > max)) {
    throw new PainterlyError('FRAME_TOO_LARGE', `A control message may be at most ${limits.maxJsonBytes} bytes; images go in binary frames.`);
  }
  const msg = parseJson(text);
  if (!isObject(msg)) throw expected('message', 'a JSON object', msg);
  if (!isString(msg.type)) throw expected('type', 'a string', msg.type);
  if (!isOneOf(CLIENT_MESSAGE_TYPES, msg.type)) {
    throw new PainterlyError('UNKNOWN_MESSAGE', `Unknown message type ${describeValue(msg.type)}; known types: ${CLIENT_MESSAGE_TYPES.join(', ')}.`);
  }
  switch (msg.type) {
    case 'hello': {
      onlyKeys(msg, ['type', 'protocolVersion', 'token', 'client'], '');
      if (!isInteger(msg.protocolVersion)) throw expected('protocolVersion', 'an integer', msg.protocolVersion);
      if (!isString(msg.token)) throw new PainterlyError('UNAUTHORIZED', 'The hello message carries no pairing token: run `painterly token` and paste it into the panel.');
      let client: { name: string; version: string } | undefined;
      if (msg.client !== undefined) {
        if (!isObject(msg.client) || !isString(msg.client.name) || !isString(msg.client.version)) throw expected('client', '{ name, version } strings', msg.client);
        client = { name: msg.client.name.slice(0, 100), version: msg.client.version.slice(0, 100) };
      }
      return { type: 'hello', protocolVersion: msg.protocolVersion, token: msg.token, ...(client ? { client } : {}) };
    }
    case 'submit': {
      onlyKeys(msg, ['type', 'jobId', 'options', 'planes', 'document'], '');
      if (!isJobId(msg.jobId)) throw expected('jobId', 'an integer from 1 to 4294967295', msg.jobId);
      const options = parseJobOptions(msg.options);
      if (!Array.isArray(msg.planes)) throw expected('planes', 'an array', msg.planes);
      if (msg.planes.length > 8) throw expected('planes', 'at most 8 planes', msg.planes);
      const planes = msg.planes.map((p, i) => parsePlaneDeclaration(p, `planes[${i}]`));
      const document = msg.document === undefined ? undefined : parseDocumentSize(msg.document);
      return { type: 'submit', jobId: msg.jobId, options, planes, ...(document ? { document } : {}) };
    }
    case 'cancel':
      onlyKeys(msg, ['type', 'jobId'], '');
      if (!isJobId(msg.jobId)) throw expected('jobId', 'an integer from 1 to 4294967295', msg.jobId);
      return { type: 'cancel', jobId: msg.jobId };
    case 'ping':
      onlyKeys(msg, ['type', 'nonce'], '');
      if (msg.nonce !== undefined && !isFiniteNumber(msg.nonce)) throw expected('nonce', 'a number', msg.nonce);
      return msg.nonce === undefined ? { type: 'ping' } : { type: 'ping', nonce: msg.nonce };
    case 'listModels':
      onlyKeys(msg, ['type'], '');
      return { type: 'listModels' };
    case 'installModel':
    case 'cancelInstall':
      onlyKeys(msg, ['type', 'model'], '');
      return { type: msg.type, model: parseModelName(msg.model) };
  }
}

/**
 * A model is named, never located: only a name from the catalogue passes, so no message can make
 * the companion download from a URL or read or write a path of its choosing.
 */
export function parseModelName(v: unknown): InstallableModel {
  if (!isString(v)) throw expected('model', `a model name (${INSTALLABLE_MODELS.join(', ')})`, v);
  if (!isOneOf(INSTALLABLE_MODELS, v)) {
    throw new PainterlyError('BAD_ARGUMENT', `Unknown model ${describeValue(v)}: the companion installs only ${INSTALLABLE_MODELS.join(', ')}, by name.`);
  }
  return v;
}

function parsePlaneDeclaration(p: unknown, name: string): PlaneDeclaration {
  if (!isObject(p)) throw expected(name, 'an object', p);
  onlyKeys(p, ['plane', 'width', 'height', 'channels', 'bitsPerChannel', 'left', 'top'], `${name}.`);
  if (!isPlaneName(p.plane) || p.plane === 'result' || p.plane === 'preview') throw expected(`${name}.plane`, 'an input plane name', p.plane);
  for (const key of ['width', 'height', 'channels'] as const) {
    if (!isU32(p[key]) || p[key] === 0) throw expected(`${name}.${key}`, 'a positive integer', p[key]);
  }
  if (p.bitsPerChannel !== 8 && p.bitsPerChannel !== 16) throw expected(`${name}.bitsPerChannel`, '8 or 16', p.bitsPerChannel);
  for (const key of ['left', 'top'] as const) if (p[key] !== undefined && !isU32(p[key])) throw expected(`${name}.${key}`, 'a whole number of pixels', p[key]);
  return {
    plane: p.plane,
    width: p.width as number,
    height: p.height as number,
    channels: p.channels as number,
    bitsPerChannel: p.bitsPerChannel,
    ...(p.left !== undefined ? { left: p.left as number } : {}),
    ...(p.top !== undefined ? { top: p.top as number } : {}),
  };
}

/**
 * Checks the shape of job options: a known mode, only that mode's options (JOB_OPTIONS), each
 * of its option's type (BAD_MESSAGE). Ranges and choices are checked by `resolveJobOptions`.
 */
export function parseJobOptions(o: unknown, ctx: OptionContext = PROTOCOL_CONTEXT): JobOptions {
  if (!isObject(o)) throw expected('options', 'an object', o, ctx.typeCode);
  if (!isOneOf(MODES, o.mode)) throw expected('options.mode', `one of ${MODES.join(', ')}`, o.mode, ctx.typeCode);
  const names = optionsOf(o.mode);
  onlyKeys(o, ['mode', ...names], 'options.', ctx.typeCode);
  for (const name of names) if (o[name] !== undefined) checkOptionType(name, o[name], ctx);
  return o as unknown as JobOptions;
}

/**
 * Fills in the defaults (JOB_OPTIONS; sizes and iterations from the quality preset) and checks
 * every value against its range or choices (BAD_ARGUMENT; UNKNOWN_BACKBONE for a backbone);
 * the companion's limits may lower the table's caps.
 */
export function resolveJobOptions(o: JobOptions, limits: Pick<Limits, 'maxWorkingSize' | 'maxIterations'>, ctx: OptionContext = PROTOCOL_CONTEXT): ResolvedJobOptions {
  return resolveOptions(o, limits, ctx);
}

/** Pixel limits of one plane (declared or seen in a frame header). Throws IMAGE_TOO_LARGE. */
export function checkPlaneLimits(p: { plane: string; width: number; height: number }, limits: Pick<Limits, 'maxPlaneSide' | 'maxPlanePixels'>): void {
  if (p.width > limits.maxPlaneSide || p.height > limits.maxPlaneSide || p.width * p.height > limits.maxPlanePixels) {
    throw new PainterlyError(
      'IMAGE_TOO_LARGE',
      `Plane '${p.plane}' is ${p.width}×${p.height}; the companion accepts at most ${limits.maxPlaneSide} px a side and ${limits.maxPlanePixels} pixels.`,
    );
  }
}

/** A frame header against the limits (before anything is allocated for it). */
export function checkFrameLimits(h: FrameHeader, limits: Pick<Limits, 'maxPlaneSide' | 'maxPlanePixels'>): void {
  checkPlaneLimits(h, limits);
}

export interface CheckedSubmit {
  jobId: number;
  options: ResolvedJobOptions;
  planes: Map<InputPlaneName, PlaneDeclaration>;
  /** Set for a harmonize job given in parts: the document's size. */
  document?: { width: number; height: number };
}

/**
 * The rules of a submission that span fields: the mode's planes (all required, none foreign or
 * repeated), their channels, sizes that agree within a group, pixel and byte limits, option ranges.
 */
export function checkSubmit(msg: SubmitMessage, limits: Limits, modesOffered: readonly Mode[] = MODES): CheckedSubmit {
  const mode = msg.options.mode;
  if (!modesOffered.includes(mode)) {
    throw new PainterlyError('MODE_UNAVAILABLE', `This companion does not offer mode '${mode}'; it offers: ${modesOffered.join(', ') || 'none'}.`);
  }
  const parts = msg.document !== undefined;
  const rule = parts ? { required: HARMONIZE_PARTS_PLANES, optional: [], sameSize: [] } : MODE_PLANES[mode];
  const planes = new Map<InputPlaneName, PlaneDeclaration>();
  let totalBytes = 0;
  for (const p of msg.planes) {
    if (!rule.required.includes(p.plane) && !rule.optional.includes(p.plane)) {
      throw new PainterlyError('BAD_MESSAGE', `${parts ? 'A harmonize job in parts' : `Mode '${mode}'`} takes planes ${[...rule.required, ...rule.optional].join(', ')}; got '${p.plane}'.`);
    }
    if (planes.has(p.plane)) throw new PainterlyError('BAD_MESSAGE', `Plane '${p.plane}' is declared twice.`);
    if (!PLANE_CHANNELS[p.plane].includes(p.channels)) {
      throw expected(`${p.plane}.channels`, PLANE_CHANNELS[p.plane].join(' or '), p.channels);
    }
    if (!parts && (p.left !== undefined || p.top !== undefined)) throw new PainterlyError('BAD_MESSAGE', `Plane '${p.plane}' has a left/top, which only planes of a job in parts (with \`document\`) have.`);
    checkPlaneLimits(p, limits);
    totalBytes += planeByteLength(p);
    planes.set(p.plane, p);
  }
  for (const name of rule.required) {
    if (!planes.has(name)) throw new PainterlyError('BAD_MESSAGE', `${parts ? 'A harmonize job in parts' : `Mode '${mode}'`} needs plane '${name}'.`);
  }
  for (const group of rule.sameSize) {
    const present = group.map((n) => planes.get(n)).filter((p): p is PlaneDeclaration => p !== undefined);
    const first = present[0];
    for (const p of present.slice(1)) {
      if (p.width !== first.width || p.height !== first.height) {
        throw new PainterlyError('SIZE_MISMATCH', `Plane '${p.plane}' is ${p.width}×${p.height} but '${first.plane}' is ${first.width}×${first.height}; they must match.`);
      }
    }
  }
  if (totalBytes > limits.maxJobBytes) {
    throw new PainterlyError('IMAGE_TOO_LARGE', `The job's planes add up to ${totalBytes} bytes; the companion accepts at most ${limits.maxJobBytes} per job.`);
  }
  const options = resolveJobOptions(msg.options, limits);
  if (msg.document) checkPartsPlanes(msg.document, options, planes);
  return { jobId: msg.jobId, options, planes, ...(msg.document ? { document: msg.document } : {}) };
}

// ---- companion → client ---------------------------------------------------------------------

/**
 * Parses a text message from the companion. Only the envelope is checked (JSON object with a
 * known `type`, and a numeric `jobId` on job events): the companion is the trusted side.
 */
export function parseServerMessage(text: string): ServerMessage {
  const msg = parseJson(text);
  if (!isObject(msg)) throw expected('message', 'a JSON object', msg);
  if (!isOneOf(SERVER_MESSAGE_TYPES, msg.type)) {
    throw new PainterlyError('UNKNOWN_MESSAGE', `Unknown message type ${describeValue(msg.type)} from the companion.`);
  }
  const needsJob = !['welcome', 'pong', 'error', 'models', 'installProgress', 'installed'].includes(msg.type);
  if (needsJob && !isJobId(msg.jobId)) throw expected('jobId', 'a job id', msg.jobId);
  return msg as unknown as ServerMessage;
}
