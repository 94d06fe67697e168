// Runs one job on the device: calls the mode's runner with the decoded planes, forwards progress
// and previews (throttled), sends the result, and reports cancel or failure.
import { PainterlyError, isPainterlyError, throwIfCancelled } from '../../shared/errors.js';
import type { InputPlaneName } from '../../shared/frames.js';
import type { CheckedSubmit } from '../../shared/validate.js';
import type { Image } from '../image/image.js';
import type { PipelineHooks, Progress } from '../pipeline/types.js';
import type { Connection, ConnectionContext } from './connection.js';
import { imageToSamples, previewSamples } from './planes.js';

export async function runJob(
  conn: Connection,
  ctx: ConnectionContext,
  jobId: number,
  checked: CheckedSubmit,
  inputs: Map<InputPlaneName, Image>,
  signal: AbortSignal,
): Promise<void> {
  const caps = await ctx.capabilities().catch(() => undefined);
  const device = caps?.device ?? 'cpu';
  const options = checked.options;
  const started = Date.now();
  conn.send({ type: 'started', jobId, device, options });
  ctx.log({ event: 'job-started', jobId, mode: options.mode });

  let lastProgressAt = -Infinity;
  let lastPreviewAt = -Infinity;
  let lastStage = '';
  const onProgress = (p: Progress) => {
    if (signal.aborted || !conn.isOpen) return;
    const now = Date.now();
    const wantPreview = p.preview !== undefined && now - lastPreviewAt >= ctx.previewIntervalMs;
    const due = wantPreview || p.stage !== lastStage || p.iteration >= p.total || now - lastProgressAt >= ctx.progressIntervalMs;
    if (!due) return;
    lastProgressAt = now;
    lastStage = p.stage;
    conn.send({
      type: 'progress',
      jobId,
      stage: p.stage,
      iteration: p.iteration,
      total: p.total,
      ...(p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? { etaSeconds: Math.max(0, p.etaSeconds) } : {}),
    });
    if (wantPreview && p.preview) {
      lastPreviewAt = now;
      const small = previewSamples(p.preview);
      conn.sendPlaneFrames(jobId, 'preview', { width: small.width, height: small.height, channels: 3, bitsPerChannel: 8 }, small.data);
    }
  };
  const hooks: PipelineHooks = { signal, onProgress };

  const bitsOf = (name: InputPlaneName) => checked.planes.get(name)?.bitsPerChannel ?? 8;
  try {
    let image: Image;
    let ranOn: string;
    let bits: 8 | 16;
    if (options.mode === 'harmonize') {
      const run = ctx.runners.harmonize;
      if (!run) throw new PainterlyError('MODE_UNAVAILABLE', 'This companion does not offer harmonize.');
      const result = await run(
        { painting: inputs.get('painting')!, composite: inputs.get('composite')!, mask: inputs.get('mask')!, dilatedMask: inputs.get('dilatedMask') },
        { backbone: options.backbone, size: options.size, tau: options.tau, pass1Iters: options.pass1Iters, pass2Iters: options.pass2Iters, schedule: options.schedule, postProcess: options.postProcess, detail: options.detail, device },
        hooks,
      );
      image = result.image;
      ranOn = result.device;
      bits = bitsOf('composite');
    } else {
      const run = ctx.runners.photoStyle;
      if (!run) throw new PainterlyError('MODE_UNAVAILABLE', 'This companion does not offer photo-style.');
      const result = await run(
        { content: inputs.get('content')!, style: inputs.get('style')!, contentLabels: inputs.get('contentLabels'), styleLabels: inputs.get('styleLabels') },
        { backbone: options.backbone, size: options.size, stage1Iters: options.stage1Iters, stage2Iters: options.stage2Iters, smoothing: options.smoothing, device },
        hooks,
      );
      image = result.image;
      ranOn = result.device;
      bits = bitsOf('content');
    }
    inputs.clear();
    throwIfCancelled(signal);
    const format = { width: image.width, height: image.height, channels: 3, bitsPerChannel: bits };
    conn.sendPlaneFrames(jobId, 'result', format, imageToSamples(image, bits));
    const seconds = (Date.now() - started) / 1000;
    conn.send({ type: 'result', jobId, ...format, device: ranOn, seconds });
    ctx.stats.jobsCompleted++;
    ctx.log({ event: 'job-done', jobId, seconds });
  } catch (e) {
    if (signal.aborted || (isPainterlyError(e) && e.code === 'CANCELLED')) {
      ctx.stats.jobsCancelled++;
      conn.send({ type: 'cancelled', jobId, phase: 'running' });
      ctx.log({ event: 'job-cancelled', jobId });
      return;
    }
    ctx.stats.jobsFailed++;
    const err = isPainterlyError(e) ? e : new PainterlyError('INTERNAL', `Something went wrong inside the companion: ${(e as Error)?.message ?? String(e)}`);
    if (!isPainterlyError(e)) ctx.log({ event: 'internal-error', jobId, message: (e as Error)?.stack ?? String(e) });
    conn.send({ type: 'error', jobId, code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
  }
}
