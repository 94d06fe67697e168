// `painterly serve` on a machine with no model: says which one to get and why, and offers to
// download it — a y/N question on a terminal, `--fetch-default` for scripts, nothing asked when
// stdin is not a terminal (the start-up text then says how to get it).
import { formatBytes } from '../../shared/bytes.js';
import { isPainterlyError } from '../../shared/errors.js';
import { formatDuration } from '../../shared/duration.js';
import { BACKBONE_PRESETS, DEFAULT_MODEL, type InstallableModel, type ModelInfo } from '../../shared/catalogue.js';
import { wrap } from './serve-banner.js';

export interface FirstStartIO {
  /** Asks on the terminal and resolves with the answer. */
  ask(question: string): Promise<string>;
  print(line: string): void;
  /** Downloads and installs a model, with progress on the terminal; throws PainterlyError. */
  download(model: InstallableModel): Promise<void>;
}

export interface FirstStartSituation {
  device: string;
  /** Backbones installed now (any model, imported ones too). */
  present: readonly string[];
  /** The catalogue, with what is installed. */
  models: readonly ModelInfo[];
  /** `--fetch-default`: make sure the default model is installed, without asking. */
  fetchDefault: boolean;
  /** stdin is a terminal. */
  interactive: boolean;
}

export type FirstStartOutcome = 'installed' | 'declined' | 'failed' | 'not-asked' | 'not-needed';

/** Why the default model on this machine, wrapped for an 80-column terminal. */
export function whyDefault(device: string): string[] {
  if (device !== 'cpu') return wrap('With a GPU its Best preset runs the paper’s own network; Faster runs its first layers only.', 78, '  ');
  const faster = BACKBONE_PRESETS.find((p) => p.backbone === 'vgg19-shallow')!;
  return wrap(
    `Without a GPU its Faster preset is the closest to the paper that Painterly can verify (a preview takes about ${formatDuration(faster.cpuSeconds.preview)} on 2 cores); SqueezeNet is quicker, a draft whose object keeps less of its shape and shading.`,
    78,
    '  ',
  );
}

/** Offers (or, with `--fetch-default`, makes) the download of the default model; says what happened. */
export async function offerDefaultModel(s: FirstStartSituation, io: FirstStartIO): Promise<FirstStartOutcome> {
  const model = s.models.find((m) => m.name === DEFAULT_MODEL);
  if (!model) return 'not-needed';
  const size = formatBytes(model.downloadBytes);
  if (s.fetchDefault) {
    if (model.installed) return 'not-needed';
    io.print(`Downloading the default model, ${model.title} (${size}).`);
    await io.download(model.name); // a script wants to know: a failure ends `serve` with its error
    return 'installed';
  }
  if (s.present.length > 0 || !s.interactive) return s.present.length > 0 ? 'not-needed' : 'not-asked';
  io.print(`No model is installed yet. Painterly recommends ${model.title} (${size} download).`);
  for (const line of whyDefault(s.device)) io.print(line);
  for (const line of wrap(`Licence: ${model.license}.`, 78, '  ')) io.print(line);
  const answer = (await io.ask(`Download ${model.title} now (${size})? [y/N] `)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') {
    io.print('Not downloaded.');
    return 'declined';
  }
  try {
    await io.download(model.name);
    return 'installed';
  } catch (e) {
    if (!isPainterlyError(e) || e.code === 'CANCELLED') throw e;
    io.print(`painterly: ${e.code}: ${e.message}`);
    io.print('Starting without it: Install in the Photoshop panel, or run the command again (a cut download resumes).');
    return 'failed';
  }
}
