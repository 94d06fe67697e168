// The check's findings in a few lines (printed at the end and kept in the JSON's `summary`).
import type { ComputeData } from './compute.js';
import type { RunFigures } from './harmonize.js';
import type { NodeRef } from './protocol.js';
import type { CheckReport } from './report.js';

const f = (n: number | undefined, digits = 3): string => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));
const e = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '–' : n.toExponential(2));

function nodeText(n: NodeRef | undefined): string {
  return n ? ` [node ${n.name}${n.op ? `, op ${n.op}` : ''}${n.layer ? `, layer ${n.layer}` : ''}]` : '';
}

function run(label: string, r: RunFigures | undefined): string[] {
  if (!r) return [];
  const passes = r.passes.map((p) => `${p.stage} ${f(p.seconds, 1)} s (${p.iterations}/${p.of} it, ${f(p.secondsPerIteration)} s/it)`).join(', ');
  const est = r.completed ? '' : `; stopped early, whole run est. ${f(r.estimatedTotalSeconds, 0)} s`;
  return [`${label}: ${r.backbone} (${r.weights} weights) on ${r.device}, ${r.size.width}×${r.size.height}, ${r.iterations.join(' + ')} iterations: ${f(r.totalSeconds, 1)} s total; ${passes}${est}`];
}

export function summarize(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const p of report.probes) lines.push(`probe ${p.device}: ${p.ok ? `works (${f(p.seconds, 1)} s)` : `not usable — ${p.reason ?? 'no reason given'}`}`);
  const d = report.device;
  lines.push(d.chosen ? `device: ${d.chosen}${d.requested ? ' (asked for)' : ' (first GPU provider that works)'}` : `device: none — ${d.reason ?? ''}`);
  for (const s of report.stages) {
    if (s.name === 'compute' && s.data) {
      const c = s.data as ComputeData;
      for (const r of c.rows) {
        if (r.error) lines.push(`${r.graph} ${r.size} px on ${r.error.on} failed: ${r.error.message.split('\n')[0]}${nodeText(r.error.node)}`);
        const cpu = r.cpu ? `${f(r.cpu.seconds)} s${r.cpu.extrapolatedFrom ? ` (extrapolated from ${r.cpu.extrapolatedFrom} px)` : ''}` : '–';
        lines.push(`${r.graph} ${r.size} px: ${c.device} ${f(r.device?.seconds)} s (${f(r.device?.gflopPerSecond, 1)} GFLOP/s, first run ${f(r.device?.firstRunSeconds, 2)} s), cpu ${cpu}, speedup ×${f(r.speedup, 2)}`);
      }
      const a = c.agreement;
      if (a) lines.push(`agreement at ${a.size} px: loss rel. diff ${e(a.loss.relDiff)}, gradient rel. L2 ${e(a.grad.relL2)} (cosine ${f(a.grad.cosine, 6)}), features rel. L2 ${e(a.features?.relL2)} → ${a.agrees ? 'agrees' : 'DOES NOT AGREE'}`);
      for (const l of c.layouts ?? []) lines.push(`step ${report.profile.benchSizes[0]} px, WebGPU layout ${l.layout}: ${l.error ? `failed: ${l.error.message.split('\n')[0]}${nodeText(l.error.node)}` : `${f(l.seconds)} s`}`);
      for (const [graph, p] of Object.entries(c.placement)) {
        const cpuNodes = p.onCpu.map((n) => `${n.name} (${n.op})`).join(', ');
        lines.push(`placement ${graph}: ${Object.entries(p.nodesPerProvider).map(([k, v]) => `${k} ${v}`).join(', ')}${cpuNodes ? `; on the CPU: ${cpuNodes}` : ''}`);
      }
    }
    if (s.name === 'harmonize-quality' && s.data) {
      const q = s.data as { run?: RunFigures; deltaE?: Record<string, number> };
      lines.push(...run('quality', q.run));
      if (q.deltaE) lines.push(`quality: ΔE76 in the mask vs the published result ${f(q.deltaE.deviceVsPublished, 2)} (naive ${f(q.deltaE.naiveVsPublished, 2)})`);
    }
    if (s.name === 'harmonize-compare' && s.data) {
      const c = s.data as { device?: RunFigures; cpu?: RunFigures; deltaE?: { deviceVsCpu: number }; cpuEstimate?: { seconds: number }; speedupPerIteration?: number[] };
      lines.push(...run('compare (device)', c.device), ...run('compare (cpu)', c.cpu));
      if (c.deltaE) lines.push(`compare: ΔE76 in the mask, device vs cpu ${f(c.deltaE.deviceVsCpu, 3)}`);
      if (c.speedupPerIteration) lines.push(`compare: speedup per iteration ×${c.speedupPerIteration.map((x) => f(x, 2)).join(' / ×')} (pass 1 / pass 2); cpu for the quality run est. ${f(c.cpuEstimate?.seconds, 0)} s`);
    }
    if (s.name === 'harmonize-timing' && s.data) lines.push(...run('timing', (s.data as { run?: RunFigures }).run));
    if (s.error) lines.push(`${s.name} failed: ${s.error.message.split('\n')[0]}${nodeText(s.error.node)}`);
  }
  for (const n of report.notDone) lines.push(`not done: ${n.stage} (${n.status}) — ${n.reason}`);
  if (report.png) lines.push(`image: ${report.png.file} (${report.png.width}×${report.png.height}): ${report.png.panels.map((p) => p.label).join(' | ')}`);
  return lines;
}
