// The two kinds of panel job from reading Photoshop to the new layer: a harmonization sent in
// parts (parts-job.ts: only what it needs, strip by strip), and a photo-style job sent as whole
// layers (jobs.ts). The controller owns the job's state and cancel; these own the steps.
import type { CompanionClient, JobHandle, JobOutput } from '../shared/client.js';
import { PainterlyError } from '../shared/errors.js';
import { resolveOptions } from '../shared/options.js';
import type { HarmonizeJobOptions, JobEvent, PhotoStyleJobOptions, ResolvedHarmonizeOptions } from '../shared/protocol.js';
import { prepareLayerStyle, resultLayerPixels } from './jobs.js';
import { partsResultPixels, planParts, preparePartsJob } from './parts-job.js';
import type { DocumentSummary, LayerSummary, PhotoshopHost, Rect, Samples } from './photoshop/host.js';

/** What a run needs from the controller. */
export interface RunContext {
  host: PhotoshopHost;
  client: CompanionClient;
  doc: DocumentSummary;
  pasted: LayerSummary;
  cancelled(): boolean;
  /** The job's handle, once submitted (the controller cancels through it). */
  submitted(handle: JobHandle): void;
  onEvent(e: JobEvent): void;
  onPhase(phase: 'uploading' | 'writing'): void;
  onNotice(text: string): void;
}

/** The new layer's pixels and depth, with the companion's result they came from. */
export interface RunOutput {
  out: JobOutput;
  rect: Rect;
  rgba: Samples;
  bits: 8 | 16;
}

/** Sends the job and waits for its result; a Cancel that came while the result arrived still cancels. */
async function submit(ctx: RunContext, request: Parameters<CompanionClient['submit']>[0]): Promise<JobOutput> {
  if (ctx.cancelled()) throw new PainterlyError('CANCELLED');
  ctx.onPhase('uploading');
  const handle = ctx.client.submit(request, (e) => ctx.onEvent(e));
  ctx.submitted(handle);
  const out = await handle.result;
  if (ctx.cancelled()) throw new PainterlyError('CANCELLED');
  return out;
}

export async function runHarmonize(ctx: RunContext, paintingId: number, options: HarmonizeJobOptions): Promise<RunOutput> {
  const { size } = resolveOptions(options) as ResolvedHarmonizeOptions;
  const plan = planParts(ctx.doc, ctx.pasted, paintingId, size);
  const job = await preparePartsJob(ctx.host, plan, options, ctx.cancelled);
  if (job.notice) ctx.onNotice(job.notice);
  const out = await submit(ctx, job.request);
  ctx.onPhase('writing');
  const { rect, rgba } = await partsResultPixels(job, out);
  return { out, rect, rgba, bits: job.bits };
}

export async function runPhotoStyle(ctx: RunContext, ids: { content: number; style: number; contentLabels?: number; styleLabels?: number }, options: PhotoStyleJobOptions): Promise<RunOutput> {
  const layerIds = [ids.content, ids.style, ids.contentLabels, ids.styleLabels].filter((id): id is number => id !== undefined);
  const read = await ctx.host.readPixels({ documentId: ctx.doc.id, layerIds, selection: false });
  const prepared = prepareLayerStyle(read, ids, options);
  if (prepared.notice) ctx.onNotice(prepared.notice);
  const out = await submit(ctx, prepared.request);
  ctx.onPhase('writing');
  const { rect, rgba } = resultLayerPixels(prepared, out);
  return { out, rect, rgba, bits: prepared.bits };
}
