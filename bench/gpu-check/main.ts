// `npm run gpu-check -- --out DIR [--device D] [--deadline SECONDS] [--tiny] [--kit DIR]`
// (issue 16): one prepared run that proves or disproves the GPU path. It probes every provider
// in a process of its own, then one worker process runs the stages on the chosen device while
// this process keeps the clock: at the deadline it asks the worker to stop, then stops it, and
// writes what was measured — DIR/gpu-check.json and DIR/gpu-check.png — with what was not done.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEVICES, autoCandidates, parseDevice } from '../../companion/compute/device-names.js';
import { PainterlyError } from '../../shared/errors.js';
import { STAGES, USAGE, UsageError, parseCheckArgs, profileOf, type CheckOptions, type StageName } from './options.js';
import { checkKit, kitPaths } from './kit.js';
import { machineInfo } from './machine.js';
import { startWorker } from './children.js';
import { PNG_NAME, REPORT_SCHEMA, composePanels, foldOutput, writeReport, type CheckReport, type ProbeReport } from './report.js';
import { summarize } from './summary.js';
import { nodeOfError } from './placement.js';
import type { PanelFile, ProbeResult, StageReport, WorkerConfig } from './protocol.js';

/** A probe that has not answered in this long is stopped (a provider can hang while it starts). */
const PROBE_SECONDS = 60;

/** Counts from the process's start (performance.now()'s origin), module loading included. */
class Clock {
  readonly t0 = 0;
  readonly softStopAt: number;
  readonly hardKillAt: number;
  constructor(readonly deadlineSeconds: number) {
    const ms = deadlineSeconds * 1000;
    // Ask the worker to stop early enough that it can report, stop it a little later, and leave
    // time to write the report inside the deadline.
    this.softStopAt = this.t0 + ms - Math.max(1500, 0.06 * ms);
    this.hardKillAt = this.t0 + ms - Math.max(700, 0.03 * ms);
  }
  seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }
  pastSoftStop(): boolean {
    return performance.now() >= this.softStopAt;
  }
  log(line: string): void {
    console.log(`[${this.seconds().toFixed(1).padStart(6)} s] ${line}`);
  }
}

function newReport(opts: CheckOptions, clock: Clock): CheckReport {
  const kit = checkKit(opts.kit, opts.example);
  const { files: _files, ...kitReport } = kit;
  const profile = profileOf(opts);
  const stages: StageReport[] = STAGES.map((name) => (opts.stages.includes(name) ? { name, status: 'planned' } : { name, status: 'skipped', reason: 'not asked for (--stages)' }));
  if (!kit.hasQualityInputs) {
    const missing = kitPaths(opts.example).filter((p) => p.required && kit.missing.includes(p.rel)).map((p) => p.rel);
    for (const s of stages) {
      if (s.status === 'planned' && (s.name === 'harmonize-quality' || s.name === 'harmonize-compare')) {
        Object.assign(s, { status: 'skipped', reason: `kit files missing under ${opts.kit}: ${missing.join(', ')} (give --kit DIR; see docs/gpu-check.md)` });
      }
    }
  }
  return {
    schema: REPORT_SCHEMA, startedAt: new Date().toISOString(), finished: false, options: { ...opts }, profile, machine: machineInfo(),
    kit: kitReport, probes: [], device: opts.device ? { requested: opts.device } : {}, stages, notDone: [],
    deadline: { seconds: clock.deadlineSeconds, reached: false }, png: null, workerOutput: [], summary: [],
  };
}

function probe(device: string, clock: Clock): Promise<ProbeReport> {
  const offeredByAuto = autoCandidates().includes(device as never);
  const limit = Math.min(PROBE_SECONDS * 1000, clock.hardKillAt - performance.now());
  if (limit < 300) return Promise.resolve({ device, ok: false, seconds: 0, reason: 'not probed: the deadline was reached', offeredByAuto, output: [] });
  return new Promise((resolve) => {
    let result: ProbeResult | undefined;
    const child = startWorker(['probe', device], (m) => {
      if (m.type === 'probe') result = m.result;
    });
    const timer = setTimeout(() => child.kill(), limit);
    void child.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      const output = foldOutput(child.output, child.dropped);
      const fallback = signal === 'SIGKILL'
        ? `the probe did not finish in ${(limit / 1000).toFixed(0)} s and was stopped`
        : `the probe's process exited (code ${code}, signal ${signal}) without an answer${output.length ? `: ${output[output.length - 1]}` : ''}`;
      resolve({ ...(result ?? { device, ok: false, seconds: clock.seconds(), reason: fallback }), offeredByAuto, output });
    });
  });
}

function chooseDevice(opts: CheckOptions, probes: ProbeReport[]): CheckReport['device'] {
  if (opts.device === 'cpu') return { requested: 'cpu', chosen: 'cpu' };
  if (opts.device) {
    const p = probes.find((x) => x.device === opts.device);
    return p?.ok ? { requested: opts.device, chosen: opts.device } : { requested: opts.device, reason: `device '${opts.device}' does not work here: ${p?.reason ?? 'not probed'}` };
  }
  const first = autoCandidates().find((d) => d !== 'cpu' && probes.find((p) => p.device === d)?.ok);
  return first ? { chosen: first } : { reason: 'no GPU provider works on this machine (see the probes); run with --device cpu to check the CPU path' };
}

/**
 * One worker process for `config.stages`. Returns its panels, and whether it crashed: then the
 * stage it was running is marked failed and the caller starts another worker for the rest.
 */
async function runWorker(report: CheckReport, config: WorkerConfig, clock: Clock, save: () => void): Promise<{ panels: PanelFile[]; crashed: boolean }> {
  const panels: PanelFile[] = [];
  const child = startWorker(['run', JSON.stringify(config)], (m) => {
    if (m.type === 'stage') {
      const i = report.stages.findIndex((s) => s.name === m.stage.name);
      const was = report.stages[i].status;
      report.stages[i] = m.stage;
      if (was !== m.stage.status) clock.log(`${m.stage.name}: ${m.stage.status}${m.stage.seconds !== undefined && m.stage.status !== 'running' ? ` (${m.stage.seconds.toFixed(1)} s)` : ''}${m.stage.reason ? ` — ${m.stage.reason}` : ''}${m.stage.error ? ` — ${m.stage.error.message.split('\n')[0]}` : ''}`);
      save();
    } else if (m.type === 'panel') panels.push(m.panel);
  });
  const soft = setTimeout(() => {
    report.deadline.reached = true;
    clock.log('deadline: asking the worker to stop');
    child.send({ type: 'stop', reason: 'the deadline was reached' });
  }, Math.max(0, clock.softStopAt - performance.now()));
  const hard = setTimeout(() => {
    clock.log('deadline: stopping the worker');
    child.kill();
  }, Math.max(0, clock.hardKillAt - performance.now()));
  const { code, signal } = await child.exited;
  clearTimeout(soft);
  clearTimeout(hard);
  const output = foldOutput(child.output, child.dropped);
  report.workerOutput.push(...(report.workerOutput.length > 0 ? [`— worker for ${config.stages.join(', ')} —`] : []), ...output);
  if (report.deadline.reached) {
    for (const s of report.stages) {
      if (s.status === 'planned') Object.assign(s, { status: 'skipped', reason: 'the deadline was reached' });
      if (s.status === 'running') Object.assign(s, { status: 'partial', reason: 'the deadline was reached (stopped while running)' });
    }
    return { panels, crashed: false };
  }
  const crashed = code !== 0 || signal !== null;
  const last = output.slice(-6).join('\n');
  if (crashed && !report.stages.some((s) => s.status === 'running')) {
    // It died before running anything: another would too.
    for (const s of report.stages) {
      if (s.status === 'planned') Object.assign(s, { status: 'failed', reason: `the worker process could not start (code ${code}, signal ${signal})`, error: { message: last } });
    }
    return { panels, crashed: false };
  }
  for (const s of report.stages) {
    if (s.status === 'running') {
      const why = `the worker process ended while running it (code ${code}, signal ${signal})`;
      const node = nodeOfError(last);
      Object.assign(s, { status: 'failed', reason: why, error: { message: `${why}; its last output: ${last}`, ...(node ? { node } : {}) } });
      clock.log(`${s.name}: failed — ${why}`);
    }
    if (s.status === 'planned' && !crashed) Object.assign(s, { status: 'skipped', reason: `the worker process ended before it (code ${code})` });
  }
  return { panels, crashed };
}

export async function main(argv: string[]): Promise<number> {
  // A closed pipe (`… | head`) must not stop the check before it writes its report.
  process.stdout.on('error', () => undefined);
  let opts: CheckOptions;
  try {
    opts = parseCheckArgs(argv);
    if (opts.device) parseDevice(opts.device);
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof PainterlyError)) throw e;
    if (e.message) console.error(e.message);
    console.error(USAGE);
    return 2;
  }
  const clock = new Clock(opts.deadlineSeconds);
  await mkdir(opts.out, { recursive: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'painterly-gpu-check-'));
  const report = newReport(opts, clock);
  let saving = Promise.resolve();
  const save = (): void => {
    saving = saving.then(() => writeReport(opts.out, report)).catch(() => undefined);
  };
  save();
  clock.log(`GPU check: deadline ${opts.deadlineSeconds} s${opts.tiny ? ', tiny sizes' : ''}; writing ${opts.out}`);
  try {
    const devices = DEVICES.filter((d) => d !== 'cpu');
    report.probes = await Promise.all(devices.map((d) => probe(d, clock)));
    for (const p of report.probes) clock.log(`probe ${p.device}: ${p.ok ? 'works' : `not usable — ${p.reason}`}`);
    report.device = chooseDevice(opts, report.probes);
    save();
    const panels: PanelFile[] = [];
    const planned = (): StageName[] => report.stages.filter((s) => s.status === 'planned').map((s) => s.name);
    if (!report.device.chosen) {
      for (const s of report.stages) if (s.status === 'planned') Object.assign(s, { status: 'skipped', reason: report.device.reason });
    }
    // A worker that crashes (a provider can abort the process) takes one stage with it; another
    // worker runs the rest.
    for (let toRun = planned(); report.device.chosen && toRun.length > 0; toRun = planned()) {
      if (clock.pastSoftStop()) {
        report.deadline.reached = true;
        for (const s of report.stages) if (s.status === 'planned') Object.assign(s, { status: 'skipped', reason: 'the deadline was reached' });
        break;
      }
      clock.log(`device: ${report.device.chosen}; stages: ${toRun.join(', ')}`);
      const kit = checkKit(opts.kit, opts.example);
      const r = await runWorker(report, { device: report.device.chosen, profile: report.profile, stages: toRun, kit: kit.files, example: opts.example, scratch }, clock, save);
      panels.push(...r.panels);
      if (!r.crashed) break;
    }
    report.png = await composePanels(panels, path.join(opts.out, PNG_NAME));
  } finally {
    report.notDone = report.stages.filter((s) => s.status !== 'done' && opts.stages.includes(s.name)).map((s) => ({ stage: s.name, status: s.status, reason: s.reason ?? s.error?.message ?? '' }));
    const slowProbes = report.probes.filter((p) => !p.ok && /did not finish|not probed/.test(p.reason ?? ''));
    if (slowProbes.length > 0) report.notDone.push({ stage: 'probes', status: 'partial', reason: slowProbes.map((p) => `${p.device}: ${p.reason}`).join('; ') });
    report.finished = true;
    report.finishedAt = new Date().toISOString();
    report.wallSeconds = clock.seconds();
    report.summary = summarize(report);
    await saving;
    await writeReport(opts.out, report);
    await rm(scratch, { recursive: true, force: true });
  }
  for (const line of report.summary) console.log(line);
  console.log(`report: ${path.join(opts.out, 'gpu-check.json')}`);
  return report.notDone.length === 0 ? 0 : 3;
}

process.exitCode = await main(process.argv.slice(2));
