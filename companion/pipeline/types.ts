// The contract between pipelines (harmonize, photo-style) and their callers (CLI, server, batch,
// eval). A pipeline's options are the protocol's resolved job options as they are (one
// declaration, in shared/protocol.ts; shared/options.ts resolves them), plus where the job runs.
import type { Image } from '../image/image.js';
import type { Region, Size } from '../image/planar.js';
import type { ResolvedHarmonizeOptions, ResolvedPhotoStyleOptions, TauChoice } from '../../shared/protocol.js';
import type { StageId } from '../../shared/stages.js';

/** One progress event of a stage of the job's table (shared/stages.ts). */
export interface Progress {
  stage: StageId;
  /** 1-based step within the stage, 0 when the stage has no steps. */
  iteration: number;
  total: number;
  /** Seconds left for the whole job, when it can be estimated. */
  etaSeconds?: number;
  /** A small RGB preview of the current result (shared/stages.ts PREVIEW_POLICY). */
  preview?: Image;
}

export interface PipelineHooks {
  /** Aborting stops the job within one iteration; the pipeline then throws PainterlyError('CANCELLED'). */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** A remark for the user, a sentence (e.g. a label only one photo has); the job goes on. */
  onNote?: (sentence: string) => void;
  /** A job run elsewhere (a studio's queue): jobs ahead of it while it waits for a worker. */
  onQueued?: (place: number) => void;
  /** A job run elsewhere: the worker that took it, and its device. */
  onStarted?: (where: { worker: string; device: string }) => void;
  /** The τ a job with `tau: 'auto'` read from its painting, as soon as it is known. */
  onTau?: (chosen: TauChoice) => void;
}

/** Where and with what a job runs: settings of the machine, never sent by a client. */
export interface RunSettings {
  /** A device name or `auto` (compute/device.ts). */
  device: string;
  /** A safetensors file to load instead of the model cache (the CLI's --weights). */
  weightsFile?: string;
}

/**
 * What a harmonization is given: every resolved job option (the quality preset has already chosen
 * size, iterations and detail) and the run settings. Callers pass the resolved object through.
 */
export type HarmonizeOptions = ResolvedHarmonizeOptions & RunSettings;
export type PhotoStyleOptions = ResolvedPhotoStyleOptions & RunSettings;

/** The options a pipeline entry takes from code (tests, benchmarks): any of them, the rest defaulted. `quality` is left out: it means something only before resolution. */
export type PipelineOptions<O> = Partial<Omit<O, 'mode' | 'quality'>>;

/** A whole document (the CLI, batch): every image at the document's own size. */
export interface HarmonizeDocument {
  painting: Image; // RGB
  composite: Image; // RGB, the naive cut-and-paste
  mask: Image; // 1 channel, tight mask in [0,1]
  dilatedMask?: Image; // 1 channel; made from `mask` when absent
}

/** Document pixels over a region of the document. */
export interface DocumentPart {
  /** Where `image` lies in the document (document pixels). */
  region: Region;
  image: Image;
}

/**
 * A document given in parts (the panel): the whole painting at the paper's scale, and the
 * document's own pixels only where the job needs them (shared/native-window.ts says where).
 * The result is the object's rectangle, not a document.
 */
export interface HarmonizeParts {
  /** The document's size. */
  document: Size;
  /** The whole painting, RGB, on a canvas of Torch's size rule at paperPaintingSide (shared/native-window.ts). */
  painting: Image;
  /** The document's painting, RGB, over a region holding at least nativeWindow(). */
  window: DocumentPart;
  /** The pasted layer as the user sees it, RGBA (alpha with the layer's mask and opacity), over its bounds. */
  pasted: DocumentPart;
  /** The tight mask, 1 channel, over a region holding every pixel where it is not 0. */
  mask: DocumentPart;
}

export type HarmonizeInputs = HarmonizeDocument | HarmonizeParts;

export function isParts(inputs: HarmonizeInputs): inputs is HarmonizeParts {
  return (inputs as HarmonizeParts).document !== undefined;
}

export interface HarmonizeResult {
  /** The result at the document's resolution: the whole document, or for parts the object's rectangle. */
  image: Image;
  /** Where `image` lies in the document; absent when it is the whole document. */
  region?: Region;
  /** Intermediate results at working size, for --save-stages and evaluation. */
  stages: { pass1?: Image; pass2?: Image; final?: Image };
  /** The compute device that ran the job. */
  device: string;
  /** Steps of pass 1 and pass 2 that the optimiser's divergence guard undid (0 in a healthy run). */
  restarts: [number, number];
  /** The style strength used; with `tau: 'auto'`, `auto` says what the painting was taken for. */
  tau: number;
  auto?: TauChoice;
}

export interface PhotoStyleInputs {
  content: Image; // RGB
  style: Image; // RGB, any size
  contentLabels?: Image; // RGB colour-coded labels, content's size
  styleLabels?: Image; // RGB colour-coded labels, style's size
}

export interface PhotoStyleResult {
  /** Final image at the content's resolution. */
  image: Image;
  /** Intermediate results at working size, for --save-stages and evaluation. */
  stages: { stage1?: Image; stage2?: Image; final?: Image };
  device: string;
  /** Steps of stage 1 and stage 2 that the optimiser's divergence guard undid (0 in a healthy run). */
  restarts: [number, number];
}
