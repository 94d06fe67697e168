// What a companion can run and install: the backbones, the panel's presets over them, and the
// models of the download catalogue. Plain data, shared by the panel, the protocol and the companion.

export const BACKBONES = Object.freeze(['vgg19', 'vgg19-shallow', 'squeezenet', 'googlenet'] as const);
export type BackboneName = (typeof BACKBONES)[number];

/**
 * Backbones by what they mean to a user, best first, with how long a whole harmonization job
 * takes on a 2-core CPU (a GPU is much faster).
 */
export interface BackbonePreset {
  backbone: BackboneName;
  label: 'Best' | 'Faster' | 'Draft';
  network: string;
  /** What the preset gives up, said wherever it is offered. */
  caveat?: string;
  /**
   * Seconds per job on a 2-core CPU at each quality: Preview (350 px, 200 + 200 iterations) and
   * Full (700 px, the default `auto` schedule). How each figure was measured or derived:
   * docs/benchmarks.md, "The presets' times".
   */
  cpuSeconds: { preview: number; full: number };
}
export const BACKBONE_PRESETS: readonly BackbonePreset[] = Object.freeze([
  { backbone: 'vgg19', label: 'Best', network: 'VGG-19', cpuSeconds: { preview: 105, full: 500 } },
  { backbone: 'vgg19-shallow', label: 'Faster', network: 'VGG-19, shallow', cpuSeconds: { preview: 66, full: 162 } },
  // A draft (issue 13): the paper's colours and, with its structure term, about the naive paste's
  // structure, but further from the paper's shapes and shading than VGG-19 (docs/quality.md).
  {
    backbone: 'squeezenet', label: 'Draft', network: 'SqueezeNet', cpuSeconds: { preview: 12, full: 47 },
    caveat: "draft preview: the painting's colours, but the object keeps less of its shape and shading than with VGG-19",
  },
] as const);

/**
 * The models the companion can download and install, by name (the panel can name nothing else:
 * no URL, no path). companion/compute/weights/sources.ts has their sources; the companion's
 * build fails while the two lists disagree.
 */
export const INSTALLABLE_MODELS = Object.freeze(['vgg19', 'squeezenet', 'googlenet'] as const);
export type InstallableModel = (typeof INSTALLABLE_MODELS)[number];

/** One model of the catalogue, as the panel shows it. */
export interface ModelInfo {
  name: InstallableModel;
  /** For people: "SqueezeNet 1.1". */
  title: string;
  license: string;
  /** Bytes the first source downloads (a later source may differ). */
  downloadBytes: number;
  installed: boolean;
  /** Backbones it makes available. */
  backbones: BackboneName[];
  /** Panel presets those backbones serve. */
  presets: Array<BackbonePreset['label']>;
  /** Hosts it is downloaded from, in the order tried. */
  hosts: string[];
}

/**
 * The model to install first, on any machine: VGG-19 (80 MB). Without a GPU its shallow variant
 * (the Faster preset) is the closest to the paper that can be verified (docs/quality.md: the only
 * backbone that keeps the object's structure) at about a minute a preview on 2 cores; SqueezeNet
 * is five times faster but loses the structure. With a GPU the full network (Best) is the
 * paper's own configuration (docs/models.md, "Which model first").
 */
export const DEFAULT_MODEL: InstallableModel = 'vgg19';

/** The preset to use when the user has chosen none and nothing is installed yet. */
export function recommendedBackbone(device: string): BackboneName {
  return device === 'cpu' ? 'vgg19-shallow' : 'vgg19';
}

export interface BackboneAvailability {
  present: BackboneName[];
  /** Backbones whose weights are not installed, with the command that fetches them. */
  missing: { name: BackboneName; fetchCommand: string }[];
}

/** The command that installs a backbone's weights from a terminal, as shown to users (the panel can Install instead). */
export function fetchCommandFor(backbone: BackboneName): string {
  return `npx painterly models fetch ${backbone === 'vgg19-shallow' ? 'vgg19' : backbone}`;
}
