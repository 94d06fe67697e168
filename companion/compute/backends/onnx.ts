// The only module that imports onnxruntime-node: sessions, runs, and the check that a device
// works. Nothing outside companion/compute/ imports it: pipelines get runnable graphs from
// compute/graphs/ and the device from compute/device.ts.
import './ort-env.js'; // first: turns the runtime's telemetry off before it loads
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { PainterlyError } from '../../../shared/errors.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { cpuThreads } from '../cpu-threads.js';
import { autoCandidates, type Device, type DeviceChoice, type DeviceRequest } from '../device-names.js';
import { runtimeDiagnostics } from '../diagnostics.js';
import { nodesForCpu } from './provider-quirks.js';

// Failures reach callers as exceptions with their reason; ORT's own stderr lines (e.g. "failed to
// load libonnxruntime_providers_cuda.so" while `auto` probes) would only alarm a user.
ort.env.logLevel = 'fatal';

export interface Session {
  readonly device: Device;
  run(feeds: Record<string, { data: Float32Array | BigInt64Array; dims: number[] }>): Promise<Record<string, { data: Float32Array | BigInt64Array; dims: readonly number[] }>>;
  release(): Promise<void>;
}

export interface SessionTuning {
  /**
   * Let idle intra-op threads spin between runs (ORT's default). Helper sessions that run
   * between runs of the main graph turn it off, or their idle threads compete with it.
   */
  spin?: boolean;
}

const LOG_LEVELS = ['verbose', 'info', 'warning', 'error', 'fatal'] as const;
let sessionCount = 0;

function sessionOptions(model: Uint8Array, device: Device, tuning: SessionTuning = {}): ort.InferenceSession.SessionOptions {
  const threads = cpuThreads();
  const diag = runtimeDiagnostics();
  const cpuNodes = nodesForCpu(model, device);
  const webgpu = device === 'webgpu' && (cpuNodes.length > 0 || diag.webgpuLayout)
    ? { name: 'webgpu' as const, ...(cpuNodes.length > 0 ? { forceCpuNodeNames: cpuNodes } : {}), ...(diag.webgpuLayout ? { preferredLayout: diag.webgpuLayout } : {}) }
    : undefined;
  return {
    ...(tuning.spin === false ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {}),
    executionProviders: [webgpu ?? device],
    graphOptimizationLevel: 'all',
    // One per physical core (cpu-threads.ts); unset, the runtime picks the physical cores itself.
    ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    // Probing a provider that is not installed logs an error line; the caller reports it instead.
    logSeverityLevel: diag.logSeverity ?? (device === 'cpu' ? 3 : 4),
    ...(diag.profileDir ? { enableProfiling: true, profileFilePrefix: path.join(diag.profileDir, `session-${++sessionCount}-${device}`) } : {}),
  };
}

export async function createSession(model: Uint8Array, device: Device = 'cpu', tuning: SessionTuning = {}): Promise<Session> {
  let session: ort.InferenceSession;
  const diag = runtimeDiagnostics();
  // Read when the runtime's environment starts, i.e. before the first session only.
  if (diag.logSeverity !== undefined) ort.env.logLevel = LOG_LEVELS[diag.logSeverity];
  try {
    session = await ort.InferenceSession.create(model, sessionOptions(model, device, tuning));
  } catch (e) {
    if (device !== 'cpu') throw new PainterlyError('DEVICE_UNAVAILABLE', `Device '${device}' could not run the model: ${firstLine(e)}`);
    throw e;
  }
  const profiling = diag.profileDir !== undefined;
  return {
    device,
    async run(feeds) {
      const inputs: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) {
        inputs[k] = v.data instanceof Float32Array ? new ort.Tensor('float32', v.data, v.dims) : new ort.Tensor('int64', v.data, v.dims);
      }
      const out = await session.run(inputs);
      const result: Record<string, { data: Float32Array | BigInt64Array; dims: readonly number[] }> = {};
      for (const [k, t] of Object.entries(out)) {
        result[k] = { data: t.data as Float32Array | BigInt64Array, dims: t.dims };
        t.dispose?.();
      }
      return result;
    },
    async release() {
      if (profiling) session.endProfiling();
      await session.release();
    },
  };
}

/**
 * Resolves `auto` (or checks an explicit device): each candidate runs a tiny conv graph and
 * must match the CPU result; the first that does is used. Callers go through
 * compute/device.ts `selectDevice`, which asks once per process.
 */
export async function chooseDevice(request: DeviceRequest): Promise<DeviceChoice> {
  const candidates = request === 'auto' ? autoCandidates() : [request];
  const notes: string[] = [];
  const probe = probeModel();
  const cpu = await runProbe(probe, 'cpu');
  for (const device of candidates) {
    if (device === 'cpu') return { device, notes };
    try {
      const got = await runProbe(probe, device);
      const maxErr = got.reduce((m, v, i) => Math.max(m, Math.abs(v - cpu[i])), 0);
      if (!(maxErr < 1e-3)) throw new Error(`its result differs from the CPU's by ${maxErr.toExponential(2)}`);
      return { device, notes };
    } catch (e) {
      const why = e instanceof PainterlyError ? e.message : firstLine(e);
      notes.push(`${device}: not used (${why})`);
      if (request !== 'auto') throw new PainterlyError('DEVICE_UNAVAILABLE', `Device '${device}' is not available: ${why}`);
    }
  }
  return { device: 'cpu', notes };
}

function probeModel(): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input('x', [1, 4, 8, 8]);
  const w = new Float32Array(4 * 4 * 9).map((_, i) => Math.sin(i));
  const y = g.op('Relu', [g.op('Conv', [x, g.tensor('w', w, [4, 4, 3, 3])], { pads: [1, 1, 1, 1] })]);
  g.name_(y, 'y');
  g.output('y', [1, 4, 8, 8]);
  return g.toBytes();
}

async function runProbe(model: Uint8Array, device: Device): Promise<Float32Array> {
  const s = await createSession(model, device);
  try {
    const x = new Float32Array(256).map((_, i) => Math.cos(i * 0.37));
    const out = await s.run({ x: { data: x, dims: [1, 4, 8, 8] } });
    return out.y.data as Float32Array;
  } finally {
    await s.release();
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
