// Runs one job on the device: hands the mode's runner the decoded planes and the job's resolved
// options as they are, forwards progress (throttled), previews and notes, sends the result, and
// reports cancel or failure. It sees its connection only as a JobChannel.
import { PainterlyError, isPainterlyError, throwIfCancelled } from '../../shared/errors.js';
import type { BitsPerChannel, InputPlaneName, PlaneFormat } from '../../shared/frames.js';
import type { ServerMessage } from '../../shared/protocol.js';
import type { CheckedSubmit } from '../../shared/validate.js';
import type { Image } from '../image/image.js';
import type { Region } from '../image/planar.js';
import type { PipelineHooks, Progress } from '../pipeline/types.js';
import { harmonizeInputs, photoStyleInputs, resultBits } from './job-inputs.js';
import type { JobContext } from './context.js';
import { imageToSamples, previewSamples } from './planes.js';
import { errorMessage } from './wire-error.js';

/** Where a job's events go: its connection, as far as the job is concerned. */
export interface JobChannel {
  readonly isOpen: boolean;
  send(msg: ServerMessage): void;
  sendPlaneFrames(jobId: number, plane: 'result' | 'preview', format: PlaneFormat, samples: Uint8Array | Uint16Array): void;
}

/** Progress messages at most every `intervalMs`; a new stage, a stage's last step and a preview always go. */
function progressForwarder(channel: JobChannel, jobId: number, intervalMs: number, signal: AbortSignal): (p: Progress) => void {
  let lastAt = -Infinity;
  let lastStage = '';
  return (p) => {
    if (signal.aborted || !channel.isOpen) return;
    const now = Date.now();
    if (p.preview === undefined && p.stage === lastStage && p.iteration < p.total && now - lastAt < intervalMs) return;
    lastAt = now;
    lastStage = p.stage;
    channel.send({
      type: 'progress',
      jobId,
      stage: p.stage,
      iteration: p.iteration,
      total: p.total,
      ...(p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? { etaSeconds: Math.max(0, p.etaSeconds) } : {}),
    });
    if (p.preview) {
      const small = previewSamples(p.preview);
      channel.sendPlaneFrames(jobId, 'preview', { width: small.width, height: small.height, channels: 3, bitsPerChannel: 8 }, small.data);
    }
  };
}

/** Runs the job's mode; the result image (and where it lies, for parts) and the bit depth to send it at. */
async function runMode(ctx: JobContext, checked: CheckedSubmit, inputs: Map<InputPlaneName, Image>, device: string, hooks: PipelineHooks): Promise<{ image: Image; region?: Region; device: string; bits: BitsPerChannel }> {
  const options = checked.options;
  const bits = resultBits(checked);
  if (options.mode === 'harmonize') {
    const run = ctx.runners.harmonize;
    if (!run) throw new PainterlyError('MODE_UNAVAILABLE', 'This companion does not offer harmonize.');
    const result = await run(harmonizeInputs(checked, inputs), { ...options, device }, hooks);
    return { image: result.image, region: result.region, device: result.device, bits };
  }
  const run = ctx.runners.photoStyle;
  if (!run) throw new PainterlyError('MODE_UNAVAILABLE', 'This companion does not offer photo-style.');
  const result = await run(photoStyleInputs(inputs), { ...options, device }, hooks);
  return { image: result.image, device: result.device, bits };
}

export async function runJob(channel: JobChannel, ctx: JobContext, checked: CheckedSubmit, inputs: Map<InputPlaneName, Image>, signal: AbortSignal): Promise<void> {
  const { jobId, options } = checked;
  const caps = await ctx.capabilities().catch(() => undefined);
  const device = caps?.device ?? 'cpu';
  const started = Date.now();
  const hooks: PipelineHooks = {
    signal,
    onProgress: progressForwarder(channel, jobId, ctx.progressIntervalMs, signal),
    onNote: (message) => channel.send({ type: 'note', jobId, message }),
    onTau: (chosen) => channel.isOpen && channel.send({ type: 'tau', jobId, ...chosen }),
  };
  if (ctx.runners.remote) {
    // Run by a studio's worker: it starts when a worker takes it, on that worker's device.
    hooks.onQueued = (place) => channel.isOpen && !signal.aborted && channel.send({ type: 'queued', jobId, place });
    hooks.onStarted = (where) => {
      if (!channel.isOpen || signal.aborted) return;
      channel.send({ type: 'started', jobId, device: where.device, worker: where.worker, options });
      ctx.log({ event: 'job-started', jobId, mode: options.mode, worker: where.worker });
    };
  } else {
    channel.send({ type: 'started', jobId, device, options });
    ctx.log({ event: 'job-started', jobId, mode: options.mode });
  }
  try {
    const { image, region, device: ranOn, bits } = await runMode(ctx, checked, inputs, device, hooks);
    inputs.clear();
    throwIfCancelled(signal);
    const format = { width: image.width, height: image.height, channels: 3, bitsPerChannel: bits };
    channel.sendPlaneFrames(jobId, 'result', format, imageToSamples(image, bits));
    const seconds = (Date.now() - started) / 1000;
    channel.send({ type: 'result', jobId, ...format, ...(region ? { left: region.x0, top: region.y0 } : {}), device: ranOn, seconds });
    ctx.stats.jobsCompleted++;
    ctx.log({ event: 'job-done', jobId, seconds });
  } catch (e) {
    if (signal.aborted || (isPainterlyError(e) && e.code === 'CANCELLED')) {
      ctx.stats.jobsCancelled++;
      channel.send({ type: 'cancelled', jobId, phase: 'running' });
      ctx.log({ event: 'job-cancelled', jobId });
      return;
    }
    ctx.stats.jobsFailed++;
    channel.send(errorMessage(e, ctx.log, { jobId }));
  }
}
