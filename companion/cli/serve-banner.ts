// What `painterly serve` prints when it is ready: address, device, models and presets, modes and
// the pairing token, in one screen (at most 24 lines, whatever the machine has). The device
// probe's details go to the debug log; `--verbose` prints them too.
import { homedir } from 'node:os';
import { formatBytes } from '../../shared/bytes.js';
import { formatDuration } from '../../shared/duration.js';
import { BACKBONE_PRESETS, DEFAULT_MODEL, type BackboneAvailability, type ModelInfo } from '../../shared/catalogue.js';

export interface BannerInfo {
  url: string;
  version: string;
  device: string;
  /** The probe's notes: one per device tried and not used. */
  notes: string[];
  logFile: string;
  verbose: boolean;
  backbones: BackboneAvailability;
  /** The catalogue (names, titles, sizes, what is installed). */
  models: ModelInfo[];
  modes: string[];
  token: string;
  tokenFile: string;
}

/** A path as the user would type it: the home folder as `~`. */
export function tildify(path: string, home: string = homedir()): string {
  return home && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}

/** Words wrapped at `width` columns, every line starting with `indent`. */
export function wrap(text: string, width = 78, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(`${indent}${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(`${indent}${line}`);
  return lines;
}

/** At most this many characters of a note (a runtime's message can run to hundreds): lines fit 80 columns. */
const NOTE_WIDTH = 66;

function deviceLine(info: BannerInfo): string[] {
  const unused = info.notes.map((n) => /^(\w+): not used/.exec(n)?.[1]).filter((d): d is string => d !== undefined);
  const why = unused.length ? ` (${unused.join(', ')} unusable: ${tildify(info.logFile)})` : '';
  const lines = [`  device:   ${info.device}${info.verbose ? '' : why}`];
  if (info.verbose) for (const n of info.notes) lines.push(`            ${n.length > NOTE_WIDTH ? `${n.slice(0, NOTE_WIDTH)}…` : n}`);
  return lines;
}

function modelLines(info: BannerInfo): string[] {
  const installed = info.models.filter((m) => m.installed).map((m) => m.name);
  const missing = info.models.filter((m) => !m.installed).map((m) => m.name);
  if (info.backbones.present.length === 0) {
    const first = info.models.find((m) => m.name === DEFAULT_MODEL);
    const size = first ? ` (${formatBytes(first.downloadBytes)})` : '';
    return [
      `  models:   none. Get ${first?.title ?? DEFAULT_MODEL}${size}: npx painterly models fetch ${DEFAULT_MODEL}`,
      '            (or npm start -- --fetch-default, or Install in the panel)',
    ];
  }
  const lines = [`  models:   ${installed.join(', ') || 'none from the catalogue'}${missing.length ? `; not installed: ${missing.join(', ')}` : ''}`];
  if (missing.length) lines.push('            (Install in the panel, or npx painterly models fetch NAME)');
  return lines;
}

/**
 * The panel's presets with their speed, or "not installed", and what a preset gives up (its
 * caveat, wrapped under it); none while no model is installed (the models line says what to get).
 */
function presetLines(info: BannerInfo): string[] {
  if (info.backbones.present.length === 0) return [];
  return BACKBONE_PRESETS.flatMap((p) => {
    const speed = `about ${formatDuration(p.cpuSeconds.preview)} preview, ${formatDuration(p.cpuSeconds.full)} full on a 2-core CPU`;
    const have = info.backbones.present.includes(p.backbone);
    const line = `  ${p.label.padEnd(9)} ${p.backbone.padEnd(14)} ${have ? speed : 'not installed'}`;
    return p.caveat ? [line, ...wrap(`(${p.caveat})`, 78, ' '.repeat(27))] : [line];
  });
}

export function bannerLines(info: BannerInfo): string[] {
  return [
    `Painterly companion ${info.version} listening on ${info.url}`,
    ...deviceLine(info),
    ...modelLines(info),
    ...presetLines(info),
    `  modes:    ${info.modes.join(', ') || 'none (the pipelines are not installed)'}`,
    `Paste this token into the panel once (it is in ${tildify(info.tokenFile)}):`,
    `pairing token: ${info.token}`,
    'Press Ctrl-C to stop.',
  ];
}
