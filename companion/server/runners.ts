// What the server runs: the pipelines, passed in (never imported here) so that tests can use
// fakes and the server starts without loading ONNX Runtime.
import type { Image } from '../image/image.js';
import type { HarmonizeInputs, HarmonizeOptions, HarmonizeResult, PipelineHooks, BackboneName } from '../pipeline/types.js';
import type { CompanionCapabilities, Smoothing } from '../../shared/protocol.js';

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
}

export type HarmonizeRunner = (inputs: HarmonizeInputs, options: HarmonizeOptions, hooks: PipelineHooks) => Promise<HarmonizeResult>;
export type PhotoStyleRunner = (inputs: PhotoStyleInputs, options: PhotoStyleOptions, hooks: PipelineHooks) => Promise<PhotoStyleResult>;

/** A mode is offered when its runner is present. */
export interface Runners {
  harmonize?: HarmonizeRunner;
  photoStyle?: PhotoStyleRunner;
}

export type CapabilitiesProvider = () => Promise<CompanionCapabilities>;
