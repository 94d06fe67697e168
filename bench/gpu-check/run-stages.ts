// The worker's stages, one after another: each gets its share of the time (the profile's cap)
// and the parent's stop; what it measured is sent as it grows, so a stop or a crash loses
// little. A stage stopped early is 'partial'; one that threw is 'failed', with the graph node
// the runtime's error names.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setRuntimeDiagnostics } from '../../companion/compute/diagnostics.js';
import { writeImage } from '../../companion/image/io.js';
import type { Image } from '../../companion/image/image.js';
import { PainterlyError } from '../../shared/errors.js';
import type { StageName } from './options.js';
import { computeStage } from './compute.js';
import { compareStage, qualityStage, timingStage, type SharedExample } from './harmonize.js';
import { errorReport } from './placement.js';
import type { StageReport, WorkerConfig, WorkerMessage } from './protocol.js';
import type { StageContext } from './stage.js';

const RUNNERS: Record<StageName, (ctx: StageContext, shared: SharedExample) => Promise<void>> = {
  compute: (ctx) => computeStage(ctx),
  'harmonize-quality': qualityStage,
  'harmonize-compare': compareStage,
  'harmonize-timing': timingStage,
};

export async function runStages(config: WorkerConfig, send: (m: WorkerMessage) => Promise<void>, stop: AbortSignal): Promise<void> {
  // Warnings and errors only: sessions are opened by the dozen here.
  setRuntimeDiagnostics({ logSeverity: 2 });
  await mkdir(path.join(config.scratch, 'profiles'), { recursive: true });
  const shared: SharedExample = {};
  let panels = 0;
  for (const name of config.stages) {
    if (stop.aborted) break;
    const cap = new AbortController();
    const capSeconds = config.profile.stageCaps[name];
    const timer = setTimeout(() => cap.abort(`the stage's share of the time (${capSeconds} s) was used up`), capSeconds * 1000);
    const signal = AbortSignal.any([stop, cap.signal]);
    const report: StageReport = { name, status: 'running' };
    const t0 = performance.now();
    let lastSent = 0;
    const ctx: StageContext = {
      config,
      signal,
      update(data) {
        report.data = data;
        report.seconds = (performance.now() - t0) / 1000;
        if (performance.now() - lastSent > 1000) {
          lastSent = performance.now();
          void send({ type: 'stage', stage: structuredClone(report) });
        }
      },
      async panel(label: string, img: Image, order: number) {
        const file = path.join(config.scratch, `panel-${++panels}.png`);
        await writeImage(file, img);
        await send({ type: 'panel', panel: { label, order, file, width: img.width, height: img.height } });
      },
    };
    await send({ type: 'stage', stage: { ...report } });
    // The test suite's stand-in for a provider that takes the process down (a native abort).
    if (process.env.PAINTERLY_GPU_CHECK_CRASH_IN === name) process.kill(process.pid, 'SIGSEGV');
    try {
      await RUNNERS[name](ctx, shared);
      report.status = signal.aborted ? 'partial' : 'done';
    } catch (e) {
      const cancelled = signal.aborted && (!(e instanceof PainterlyError) || e.code === 'CANCELLED');
      report.status = cancelled ? 'partial' : 'failed';
      if (!cancelled) report.error = errorReport(e);
    }
    clearTimeout(timer);
    if (report.status === 'partial') report.reason = String(signal.reason);
    report.seconds = (performance.now() - t0) / 1000;
    await send({ type: 'stage', stage: report });
  }
}

