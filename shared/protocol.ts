// The companion protocol: JSON control messages (a union keyed by `type`) plus binary image
// frames (shared/frames.ts). Plain data only, so the panel and the companion share it.
// docs/protocol.md describes the same thing for people; change both together.
import type { ErrorCode } from './errors.js';
import type { InputPlaneName, PlaneFormat, BitsPerChannel } from './frames.js';
import type { Limits } from './limits.js';
import type { BackboneAvailability, BackboneName, InstallableModel, ModelInfo } from './catalogue.js';
import type { StageId } from './stages.js';
import { PROTOCOL_VERSION } from './version.js';

export { PROTOCOL_VERSION };

/** The port `painterly serve` listens on unless told otherwise. */
export const DEFAULT_PORT = 47653;
/**
 * The ports the panel may reach (manifest.json's network domains name each: Photoshop allows
 * only origins the manifest lists, and a port-less entry is not known to cover other ports).
 */
export const PANEL_PORTS = Object.freeze([47653, 47654, 47655, 47656, 47657] as const);
export const DEFAULT_HOST = '127.0.0.1';

export const MODES = Object.freeze(['harmonize', 'photo-style'] as const);
export type Mode = (typeof MODES)[number];

export const QUALITIES = Object.freeze(['preview', 'full'] as const);
export type Quality = (typeof QUALITIES)[number];

/**
 * How many iterations a harmonization runs: `auto` stops each pass when the picture stops
 * changing and runs pass 1 at half size (iteration counts become caps); `paper` runs exactly the
 * given or the preset's counts at the working size, as the original does.
 */
export const SCHEDULES = Object.freeze(['auto', 'paper'] as const);
export type Schedule = (typeof SCHEDULES)[number];

/** Harmonize's detail: refined up to the document's own resolution, or the paper's scale enlarged (the original's behaviour). */
export const DETAILS = Object.freeze(['native', 'paper'] as const);
export type Detail = (typeof DETAILS)[number];

export const SMOOTHINGS = Object.freeze(['affine', 'closed-form', 'none'] as const);
export type Smoothing = (typeof SMOOTHINGS)[number];

/** Which planes each mode takes. Planes of one group must share width and height. */
export const MODE_PLANES: Readonly<Record<Mode, { required: readonly InputPlaneName[]; optional: readonly InputPlaneName[]; sameSize: readonly (readonly InputPlaneName[])[] }>> = Object.freeze({
  harmonize: {
    required: ['painting', 'composite', 'mask'],
    optional: ['dilatedMask'],
    sameSize: [['painting', 'composite', 'mask', 'dilatedMask']],
  },
  'photo-style': {
    required: ['content', 'style'],
    optional: ['contentLabels', 'styleLabels'],
    sameSize: [['content', 'contentLabels'], ['style', 'styleLabels']],
  },
});

/**
 * The planes of a harmonize job given in parts (`submit.document` set): the whole painting at the
 * paper's scale, and the document's own pixels where the job needs them, each placed by its
 * `left`/`top` — the painting over a window around the object, the pasted layer as the user sees
 * it (RGBA) over its bounds, and the tight mask over its bounds (shared/native-window.ts).
 */
export const HARMONIZE_PARTS_PLANES = Object.freeze(['painting', 'paintingWindow', 'pasted', 'mask'] as const);

/** Channel counts each input plane may have (a 4th channel is alpha and is ignored, but for `pasted`). */
export const PLANE_CHANNELS: Readonly<Record<InputPlaneName, readonly number[]>> = Object.freeze({
  painting: [3, 4],
  composite: [3, 4],
  mask: [1],
  dilatedMask: [1],
  paintingWindow: [3, 4],
  pasted: [4],
  content: [3, 4],
  style: [3, 4],
  contentLabels: [3, 4],
  styleLabels: [3, 4],
});


// ---- Job options as sent (everything but `mode` optional) and as resolved --------------------
// Ranges, defaults and help of every option: JOB_OPTIONS in options.ts (it checks these agree).

export interface HarmonizeJobOptions {
  mode: 'harmonize';
  quality?: Quality;
  /** Style strength τ, or `auto`: read from the painting when the job runs (the job reports it, `tau` message). */
  tau?: number | 'auto';
  /** Working size (longer side, px); overrides the preset. */
  size?: number;
  pass1Iters?: number;
  pass2Iters?: number;
  /** `auto` (default): stop when the picture stops changing; `paper`: exactly the iteration counts. */
  schedule?: Schedule;
  postProcess?: boolean;
  /** `native`: refined to the document's resolution; `paper`: the working size enlarged. */
  detail?: Detail;
  backbone?: BackboneName;
}

export interface PhotoStyleJobOptions {
  mode: 'photo-style';
  quality?: Quality;
  size?: number;
  stage1Iters?: number;
  stage2Iters?: number;
  smoothing?: Smoothing;
  backbone?: BackboneName;
}

export type JobOptions = HarmonizeJobOptions | PhotoStyleJobOptions;

export type ResolvedHarmonizeOptions = Required<HarmonizeJobOptions>;
export type ResolvedPhotoStyleOptions = Required<PhotoStyleJobOptions>;
export type ResolvedJobOptions = ResolvedHarmonizeOptions | ResolvedPhotoStyleOptions;

/** One plane a job will send, declared up front in `submit`. */
export interface PlaneDeclaration extends PlaneFormat {
  plane: InputPlaneName;
  /** Where the plane lies in the document, for the planes of a job given in parts that are the document's own pixels. */
  left?: number;
  top?: number;
}

// ---- Client → companion ------------------------------------------------------------------

/** Must be the first message; nothing else is accepted before the companion answers `welcome`. */
export interface HelloMessage {
  type: 'hello';
  protocolVersion: number;
  token: string;
  client?: { name: string; version: string };
}

/** Starts a job: the companion answers `accepted`, then the client sends every declared plane's frames. */
export interface SubmitMessage {
  type: 'submit';
  /** Chosen by the client, unique among its open jobs; 1 .. 2^32-1; frames carry it. */
  jobId: number;
  options: JobOptions;
  planes: PlaneDeclaration[];
  /** A harmonize job given in parts (HARMONIZE_PARTS_PLANES): the document's size. The result is then the object's rectangle. */
  document?: { width: number; height: number };
}

/** Stops a job while it uploads, waits in the queue or runs; answered by `cancelled` (or `error` UNKNOWN_JOB). */
export interface CancelMessage {
  type: 'cancel';
  jobId: number;
}

export interface PingMessage {
  type: 'ping';
  nonce?: number;
}

/** Asks for the model catalogue; answered by `models`. */
export interface ListModelsMessage {
  type: 'listModels';
}

/**
 * Downloads and installs a model of the catalogue, by name only: the companion knows where each
 * one comes from and how it is checked. Answered by `installProgress` …, then `installed` or an
 * `error` carrying `model`. One install at a time in the companion.
 */
export interface InstallModelMessage {
  type: 'installModel';
  model: InstallableModel;
}

/** Stops this connection's install of `model`; it ends with an `error` CANCELLED carrying `model`. */
export interface CancelInstallMessage {
  type: 'cancelInstall';
  model: InstallableModel;
}

export type ModelMessage = ListModelsMessage | InstallModelMessage | CancelInstallMessage;
export type ClientMessage = HelloMessage | SubmitMessage | CancelMessage | PingMessage | ModelMessage;
export const CLIENT_MESSAGE_TYPES = Object.freeze(['hello', 'submit', 'cancel', 'ping', 'listModels', 'installModel', 'cancelInstall'] as const);

// ---- Companion → client ------------------------------------------------------------------

/** What the companion can do on this machine; part of `welcome`. */
export interface CompanionCapabilities {
  /** The device jobs run on, e.g. 'cuda' or 'cpu'. */
  device: string;
  /** Every device this machine offers. */
  devices: string[];
  backbones: BackboneAvailability;
  /** Set when the companion is a gateway to a studio's queue: the workers serving it now. */
  queue?: { workers: { name: string; device: string }[] };
}

export interface WelcomeMessage extends CompanionCapabilities {
  type: 'welcome';
  protocolVersion: number;
  companionVersion: string;
  /** Modes the companion can run now. */
  modes: Mode[];
  limits: Limits;
  /** The models this companion can install (`installModel`); absent when it cannot install any. */
  models?: ModelInfo[];
}

/** The submission is valid; send the planes. */
export interface AcceptedMessage {
  type: 'accepted';
  jobId: number;
}

/** All planes arrived; `place` jobs are ahead of this one (0: it starts next). Sent again when the place changes. */
export interface QueuedMessage {
  type: 'queued';
  jobId: number;
  place: number;
}

export interface StartedMessage {
  type: 'started';
  jobId: number;
  device: string;
  /** The machine that runs it, when it is not the companion itself (a studio's queue worker). */
  worker?: string;
  options: ResolvedJobOptions;
}

/**
 * A step of a stage of the job (shared/stages.ts: its label, unit and place on the bar). Now and
 * then a preview follows as a binary frame of plane `preview` (8-bit RGB, one chunk;
 * PREVIEW_POLICY).
 */
export interface ProgressMessage {
  type: 'progress';
  jobId: number;
  stage: StageId;
  /** 1-based within the stage; 0 when the stage has no iterations. */
  iteration: number;
  total: number;
  etaSeconds?: number;
}

/** A remark for the user while the job runs (e.g. a label only one photo has); the job goes on. */
export interface NoteMessage {
  type: 'note';
  jobId: number;
  message: string;
}

/** The kinds of painting an automatic τ tells apart (companion/tau/), by the nearest of τ 1 / 5 / 10. */
export const PAINTING_KINDS = Object.freeze(['realistic', 'impressionist', 'expressive'] as const);
export type PaintingKind = (typeof PAINTING_KINDS)[number];

/** The style strength a job with `tau: 'auto'` read from its painting, with what it took the painting for. */
export interface TauChoice {
  tau: number;
  kind: PaintingKind;
  /** A few words on what it saw, e.g. "loose impressionist brushwork". */
  words: string;
}

/** Sent once, early, by a harmonize job whose `tau` is `auto`. */
export interface TauMessage extends TauChoice {
  type: 'tau';
  jobId: number;
}

/** The job finished; its `result` plane frames were sent just before this message. */
export interface ResultMessage extends PlaneFormat {
  type: 'result';
  jobId: number;
  device: string;
  seconds: number;
  /** For a job given in parts, where the result (the object's rectangle) lies in the document. */
  left?: number;
  top?: number;
}

export interface CancelledMessage {
  type: 'cancelled';
  jobId: number;
  /** Where the job was when it stopped. */
  phase: 'uploading' | 'queued' | 'running';
}

/**
 * With `jobId`: that job has ended (or never existed). With `model`: that install has ended
 * (CANCELLED when cancelled) or was refused. Without either: about the connection, which stays
 * open unless `closing`.
 */
export interface ErrorMessage {
  type: 'error';
  jobId?: number;
  model?: InstallableModel;
  code: ErrorCode;
  message: string;
  details?: unknown;
  /** The companion closes the connection after this error. */
  closing?: boolean;
}

export interface PongMessage {
  type: 'pong';
  nonce?: number;
}

/** The catalogue, answering `listModels`. `backbones` is what is installed now. */
export interface ModelsMessage {
  type: 'models';
  models: ModelInfo[];
  backbones: BackboneAvailability;
  /** The install running in the companion (from any connection), if one is. */
  installing?: InstallableModel;
}

/** Bytes of an install so far; at most a few a second. */
export interface InstallProgressMessage {
  type: 'installProgress';
  model: InstallableModel;
  /** Title of the source being downloaded; changes when one fails and the next is tried. */
  source: string;
  bytesDone: number;
  bytesTotal?: number;
  /** 0 until the speed is known. */
  bytesPerSecond: number;
  secondsLeft?: number;
  /** A source failed and the next one is tried: why, in a sentence. */
  note?: string;
}

/** The install is done and checked: `backbones` and `models` are the companion's state now. */
export interface InstalledMessage {
  type: 'installed';
  model: InstallableModel;
  /** Title of the source that worked. */
  source: string;
  backbones: BackboneAvailability;
  models: ModelInfo[];
}

export type ServerMessage =
  | WelcomeMessage
  | ModelsMessage
  | InstallProgressMessage
  | InstalledMessage
  | AcceptedMessage
  | QueuedMessage
  | StartedMessage
  | ProgressMessage
  | NoteMessage
  | TauMessage
  | ResultMessage
  | CancelledMessage
  | ErrorMessage
  | PongMessage;
export const SERVER_MESSAGE_TYPES = Object.freeze(['welcome', 'accepted', 'queued', 'started', 'progress', 'note', 'tau', 'result', 'cancelled', 'error', 'pong', 'models', 'installProgress', 'installed'] as const);

/** Events about one job, as a client sees them (the preview arrives as a frame and is surfaced as an event). */
export type JobEvent =
  | AcceptedMessage
  | QueuedMessage
  | StartedMessage
  | ProgressMessage
  | NoteMessage
  | TauMessage
  | ResultMessage
  | CancelledMessage
  | (ErrorMessage & { jobId: number })
  | { type: 'preview'; jobId: number; width: number; height: number; channels: 3; bitsPerChannel: BitsPerChannel; data: Uint8Array }
  /** The client's own count of the job's bytes: sent (`up`, its planes) or received (`down`, the result). */
  | { type: 'transfer'; jobId: number; direction: 'up' | 'down'; done: number; total: number };

/** WebSocket close codes the companion uses (4000–4999 are for applications). */
export const CLOSE_CODES = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  badHandshake: 4400,
  unauthorized: 4401,
  handshakeTimeout: 4408,
  protocolMismatch: 4426,
  tooManyConnections: 4429,
});
