// What every path runs a job with: the server, `painterly harmonize` / `photo-style` and `batch`
// all call a Runners object, and tests hand them recording fakes. The real pipelines are imported
// on first use, so the server and the CLI start without loading ONNX Runtime.
import type { BackboneName } from '../../shared/catalogue.js';
import type { Mode } from '../../shared/protocol.js';
import type {
  HarmonizeInputs, HarmonizeOptions, HarmonizeResult, PhotoStyleInputs, PhotoStyleOptions, PhotoStyleResult, PipelineHooks, RunSettings,
} from './types.js';

export type HarmonizeRunner = (inputs: HarmonizeInputs, options: HarmonizeOptions, hooks: PipelineHooks) => Promise<HarmonizeResult>;
export type PhotoStyleRunner = (inputs: PhotoStyleInputs, options: PhotoStyleOptions, hooks: PipelineHooks) => Promise<PhotoStyleResult>;

/** A mode is offered when its runner is present. */
export interface Runners {
  harmonize?: HarmonizeRunner;
  photoStyle?: PhotoStyleRunner;
  /**
   * Loads a backbone's weights before any job (a batch fails at once on a missing model, and every
   * job then finds them loaded); says the device they run on.
   */
  preload?(backbone: BackboneName, run: RunSettings): Promise<{ device: string }>;
  /**
   * The jobs run elsewhere (a studio's queue, companion/queue/): they say where they wait and
   * which worker runs them through onQueued / onStarted, instead of starting on this machine.
   */
  remote?: boolean;
}

/** The modes these runners offer, in the protocol's order. */
export function modesOffered(runners: Runners): Mode[] {
  const modes: Mode[] = [];
  if (runners.harmonize) modes.push('harmonize');
  if (runners.photoStyle) modes.push('photo-style');
  return modes;
}

/** The real pipelines, each imported on first use. */
export function pipelineRunners(): Required<Omit<Runners, 'remote'>> {
  return {
    harmonize: async (inputs, options, hooks) => (await import('./harmonize/harmonize.js')).harmonize(inputs, options, hooks),
    photoStyle: async (inputs, options, hooks) => (await import('./photo-style/photo-style.js')).photoStyle(inputs, options, hooks),
    preload: async (backbone, run) => {
      const { loadNetwork } = await import('../compute/network.js');
      const net = await loadNetwork(backbone, run);
      return { device: net.device };
    },
  };
}
