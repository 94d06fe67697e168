// What the GPU check's processes say to each other: the parent (main.ts) starts one probe
// process per provider and one worker for the stages; they report over Node's IPC channel, so
// a crash or a kill loses at most the stage in progress, and everything the runtime prints
// (Vulkan, Dawn and ONNX Runtime warnings) lands in the report instead of the terminal.
import type { Profile, StageName } from './options.js';


export interface ProbeResult {
  device: string;
  ok: boolean;
  seconds: number;
  /** Why the provider cannot be used, as the device check says it. */
  reason?: string;
}

export interface NodeRef {
  /** The node's name in the graph (as ONNX Runtime reports it, fusions included). */
  name: string;
  op?: string;
  /** The layer or loss head the node belongs to, from its name, when it carries one. */
  layer?: string;
}

export interface ErrorReport {
  message: string;
  /** The graph node the runtime's error names, when it names one. */
  node?: NodeRef;
}

export type StageStatus = 'planned' | 'running' | 'done' | 'partial' | 'failed' | 'skipped';

export interface StageReport {
  name: StageName;
  status: StageStatus;
  seconds?: number;
  /** Why the stage was skipped, stopped early (partial) or failed. */
  reason?: string;
  error?: ErrorReport;
  /** What the stage measured so far (its shape depends on the stage; see compute.ts, harmonize.ts). */
  data?: unknown;
}

export interface PanelFile {
  label: string;
  /** Left to right. */
  order: number;
  file: string;
  width: number;
  height: number;
}

export type WorkerMessage =
  | { type: 'probe'; result: ProbeResult }
  | { type: 'stage'; stage: StageReport }
  | { type: 'panel'; panel: PanelFile };

export type ParentMessage = { type: 'stop'; reason: string };

export interface KitFiles {
  painting?: string;
  composite?: string;
  mask?: string;
  dilatedMask?: string;
  tauTable?: string;
  published?: string;
  weights?: string;
}

export interface WorkerConfig {
  device: string;
  profile: Profile;
  stages: StageName[];
  kit: KitFiles;
  example: number;
  /** Scratch folder: panels and runtime profiles (the parent removes it). */
  scratch: string;
}
