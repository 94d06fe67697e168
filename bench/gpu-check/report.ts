// The check's one JSON file and one PNG: the report's shape, the side-by-side image, the
// runtime output kept (deduplicated, ONNX Runtime's info chatter dropped) and the summary lines.
import { writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { CheckOptions, Profile, StageName } from './options.js';
import type { MachineInfo } from './machine.js';
import type { KitCheck } from './kit.js';
import type { PanelFile, ProbeResult, StageReport } from './protocol.js';

export const REPORT_SCHEMA = 'painterly-gpu-check/1';
export const JSON_NAME = 'gpu-check.json';
export const PNG_NAME = 'gpu-check.png';
const GAP = 4;

export interface ProbeReport extends ProbeResult {
  /** Whether `--device auto` tries this provider on this platform. */
  offeredByAuto: boolean;
  /** What the probe's process printed (the provider's own warnings included). */
  output: string[];
}

export interface CheckReport {
  schema: typeof REPORT_SCHEMA;
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
  /** False until the check has written its final report. */
  finished: boolean;
  options: Omit<CheckOptions, 'out'> & { out: string };
  profile: Profile;
  machine: MachineInfo;
  kit: Omit<KitCheck, 'files'>;
  probes: ProbeReport[];
  device: { requested?: string; chosen?: string; reason?: string };
  stages: StageReport[];
  /** Every stage that did not run to the end, and why. */
  notDone: Array<{ stage: StageName | 'probes'; status: string; reason: string }>;
  deadline: { seconds: number; reached: boolean };
  png: { file: string; width: number; height: number; panels: Array<Omit<PanelFile, 'file'> & { x: number }> } | null;
  /** What the worker process printed: runtime warnings (Vulkan, Dawn, ONNX Runtime), deduplicated. */
  workerOutput: string[];
  summary: string[];
}

/** ORT's own info/verbose lines are dropped unless they mention a provider or device; everything else is kept. */
export function keepOutputLine(line: string): boolean {
  if (line.trim() === '') return false;
  const ortLevel = /\[([VI]):onnxruntime/.exec(line);
  if (!ortLevel) return true;
  return /webgpu|dawn|adapter|vulkan|cuda|directml|\bdml\b|coreml|placed on|not assigned/i.test(line);
}

/** Lines kept in order, repeats folded into "(×n)". */
export function foldOutput(lines: string[], dropped = 0): string[] {
  const counts = new Map<string, number>();
  const order: string[] = [];
  for (const raw of lines) {
    // ORT colours and timestamps its lines; repeats differ only in the timestamp.
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ /, '');
    if (!keepOutputLine(line)) continue;
    if (!counts.has(line)) order.push(line);
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  const out = order.map((l) => (counts.get(l)! > 1 ? `${l} (×${counts.get(l)})` : l));
  if (dropped > 0) out.push(`(${dropped} more lines not kept)`);
  return out;
}

/** The panels side by side, in their order, on a white background; null when there are none. */
export async function composePanels(panels: PanelFile[], file: string): Promise<CheckReport['png']> {
  if (panels.length === 0) return null;
  const sorted = [...panels].sort((a, b) => a.order - b.order);
  const height = Math.max(...sorted.map((p) => p.height));
  let x = 0;
  const placed = sorted.map((p) => {
    const at = { ...p, x };
    x += p.width + GAP;
    return at;
  });
  const width = x - GAP;
  await sharp({ create: { width, height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(placed.map((p) => ({ input: p.file, left: p.x, top: 0 })))
    .png()
    .toFile(file);
  return { file: path.basename(file), width, height, panels: placed.map(({ file: _f, ...rest }) => rest) };
}

/** Written whole to a temporary name and renamed, so a reader never sees half a report. */
export async function writeReport(dir: string, report: CheckReport): Promise<void> {
  const file = path.join(dir, JSON_NAME);
  await writeFile(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
