// The contract between pipelines (harmonize, photo-style) and their callers (CLI, server, eval).
import type { Image } from '../image/image.js';
import type { BackboneName, Detail, Schedule, Smoothing } from '../../shared/protocol.js';

/** One progress event; `stage` names a step of the paper's pipeline. */
export interface Progress {
  stage: string;
  /** 1-based iteration within the stage, 0 when the stage has no iterations. */
  iteration: number;
  total: number;
  /** Seconds left for the whole job, when it can be estimated. */
  etaSeconds?: number;
  /** A small RGB preview of the current result, now and then. */
  preview?: Image;
}

export interface PipelineHooks {
  /** Aborting stops the job within one iteration; the pipeline then throws PainterlyError('CANCELLED'). */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export type { BackboneName };

export interface HarmonizeInputs {
  painting: Image; // RGB
  composite: Image; // RGB, the naive cut-and-paste
  mask: Image; // 1 channel, tight mask in [0,1]
  dilatedMask?: Image; // 1 channel; made from `mask` when absent
}

export interface HarmonizeOptions {
  backbone: BackboneName;
  /** safetensors file to load instead of the model cache. */
  weightsFile?: string;
  /** Working size: longer side in pixels (the paper uses 700). */
  size: number;
  /** Stylisation level τ (1 realistic, 5 impressionist, 10 expressionist). */
  tau: number;
  /** Caps with `auto`; exact counts with `paper`. */
  pass1Iters: number;
  pass2Iters: number;
  schedule: Schedule;
  postProcess: boolean;
  /** `native`: refine the result up to the inputs' resolution (detail/native.ts); `paper`: enlarge the working-size result. */
  detail: Detail;
  device: string;
}

export interface HarmonizeResult {
  /** Final image at the input's resolution. */
  image: Image;
  /** Intermediate results at working size, for --save-stages and evaluation. */
  stages: { pass1?: Image; pass2?: Image; final?: Image };
  /** The compute device that ran the job. */
  device: string;
  /** Steps of pass 1 and pass 2 that the optimiser's divergence guard undid (0 in a healthy run). */
  restarts: [number, number];
}

export interface PhotoStyleInputs {
  content: Image; // RGB
  style: Image; // RGB, any size
  contentLabels?: Image; // RGB colour-coded labels, content's size
  styleLabels?: Image; // RGB colour-coded labels, style's size
}

export interface PhotoStyleOptions {
  backbone: BackboneName;
  weightsFile?: string;
  /** Working size: longer side in pixels (the paper uses 700). */
  size: number;
  stage1Iters: number;
  stage2Iters: number;
  smoothing: Smoothing;
  device: string;
}

export interface PhotoStyleResult {
  /** Final image at the content's resolution. */
  image: Image;
  device: string;
  /** Steps of stage 1 and stage 2 that the optimiser's divergence guard undid (0 in a healthy run). */
  restarts: [number, number];
}
