// What the server runs: the pipelines, passed in (never imported here) so that tests can use
// fakes and the server starts without loading ONNX Runtime.
import type {
  HarmonizeInputs, HarmonizeOptions, HarmonizeResult, PhotoStyleInputs, PhotoStyleOptions, PhotoStyleResult, PipelineHooks,
} from '../pipeline/types.js';
import type { CompanionCapabilities } from '../../shared/protocol.js';

export type { PhotoStyleInputs, PhotoStyleOptions, PhotoStyleResult };

export type HarmonizeRunner = (inputs: HarmonizeInputs, options: HarmonizeOptions, hooks: PipelineHooks) => Promise<HarmonizeResult>;
export type PhotoStyleRunner = (inputs: PhotoStyleInputs, options: PhotoStyleOptions, hooks: PipelineHooks) => Promise<PhotoStyleResult>;

/** A mode is offered when its runner is present. */
export interface Runners {
  harmonize?: HarmonizeRunner;
  photoStyle?: PhotoStyleRunner;
}

export type CapabilitiesProvider = () => Promise<CompanionCapabilities>;
