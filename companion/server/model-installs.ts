// Models from the panel: the catalogue, and installs by name. One install at a time in the whole
// companion; it belongs to the connection that asked, which alone sees its progress and may
// cancel it. A connection that closes cancels its install, as it cancels its jobs: the bytes
// received so far stay on disk and the next install resumes from them, so nothing is lost, and
// the companion never keeps downloading for a panel that is no longer there.
import { isPainterlyError, PainterlyError } from '../../shared/errors.js';
import type { ModelMessage, ServerMessage } from '../../shared/protocol.js';
import type { BackboneAvailability, InstallableModel, ModelInfo } from '../../shared/catalogue.js';
import type { ServerLog } from './log.js';
import { errorMessage } from './wire-error.js';

export interface ServiceProgress {
  /** Title of the source being downloaded. */
  source: string;
  bytesDone: number;
  bytesTotal?: number;
  bytesPerSecond: number;
  secondsLeft?: number;
}

/** Where models come from: the model manager in the companion, something small in tests. Never reachable from a message. */
export interface ModelService {
  /** The catalogue and what is installed now. */
  list(): Promise<ModelInfo[]>;
  /** Downloads, checks and installs `model`; rejects with CANCELLED when `signal` aborts. */
  install(
    model: InstallableModel,
    hooks: { signal: AbortSignal; onProgress(p: ServiceProgress): void; onSourceFailed(source: string, message: string): void },
  ): Promise<{ source: string }>;
}

/** Whoever asked for an install: a connection. */
export interface InstallOwner {
  send(msg: ServerMessage): void;
}

interface RunningInstall {
  model: InstallableModel;
  owner: InstallOwner;
  abort: AbortController;
  done: Promise<void>;
}

/** First line of a message, at most `max` characters (a source's failure can be long). */
function oneLine(text: string, max = 240): string {
  const line = text.split('\n')[0];
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class ModelInstalls {
  private current?: RunningInstall;

  /**
   * `backbones(fresh)`: what is installed, re-read when `fresh` (after an install). Without a
   * service the companion offers no installs: `welcome` carries no `models`.
   */
  constructor(
    private readonly service: ModelService | undefined,
    private readonly backbones: (fresh: boolean) => Promise<BackboneAvailability>,
    private readonly log: ServerLog,
  ) {}

  /** The catalogue for `welcome`, or undefined when this companion installs nothing (or cannot read it now). */
  async catalogue(): Promise<ModelInfo[] | undefined> {
    return this.service?.list().catch(() => undefined);
  }

  /** Answers one model message of `owner`; a refusal is thrown as PainterlyError (sent with `model` by the caller). */
  async handle(owner: InstallOwner, msg: ModelMessage): Promise<void> {
    const service = this.service;
    if (!service) throw new PainterlyError('UNKNOWN_MESSAGE', 'This companion does not install models: run `npx painterly models fetch NAME` where it runs.');
    switch (msg.type) {
      case 'listModels': {
        const [models, backbones] = await Promise.all([service.list(), this.backbones(true)]);
        owner.send({ type: 'models', models, backbones, ...(this.current ? { installing: this.current.model } : {}) });
        return;
      }
      case 'installModel':
        return this.start(service, owner, msg.model);
      case 'cancelInstall': {
        const cur = this.current;
        if (!cur || cur.model !== msg.model || cur.owner !== owner) {
          throw new PainterlyError('BAD_ARGUMENT', `This connection is not installing ${msg.model}; there is nothing to cancel.`);
        }
        cur.abort.abort();
        return;
      }
    }
  }

  private async start(service: ModelService, owner: InstallOwner, model: InstallableModel): Promise<void> {
    if (this.current) {
      const cur = this.current;
      const titles = new Map((await service.list().catch(() => [])).map((m) => [m.name, m.title]));
      const title = (m: InstallableModel) => titles.get(m) ?? m;
      const who = cur.owner === owner ? '' : ' for another panel';
      throw new PainterlyError(
        'BUSY',
        cur.model === model
          ? `${title(model)} is already being installed${who}; wait for it to finish.`
          : `${title(cur.model)} is being installed${who}; the companion installs one model at a time: install ${title(model)} when it is done.`,
      );
    }
    const abort = new AbortController();
    const cur: RunningInstall = { model, owner, abort, done: Promise.resolve() };
    this.current = cur;
    cur.done = this.run(service, cur);
  }

  private async run(service: ModelService, cur: RunningInstall): Promise<void> {
    const { model, owner } = cur;
    this.log({ event: 'model-install-started', model });
    let source = '';
    try {
      const out = await service.install(model, {
        signal: cur.abort.signal,
        onProgress: (p) => {
          source = p.source;
          owner.send({ type: 'installProgress', model, ...p });
        },
        onSourceFailed: (failed, message) =>
          owner.send({ type: 'installProgress', model, source: failed, bytesDone: 0, bytesPerSecond: 0, note: `${capitalised(failed)} failed: ${oneLine(message)} Trying the next source.` }),
      });
      const [backbones, models] = await Promise.all([this.backbones(true), service.list()]);
      this.current = undefined;
      this.log({ event: 'model-installed', model, source: out.source });
      owner.send({ type: 'installed', model, source: out.source, backbones, models });
    } catch (e) {
      this.current = undefined;
      const err = isPainterlyError(e) ? e : new PainterlyError('INTERNAL', `Installing ${model} failed inside the companion: ${(e as Error)?.message ?? String(e)}`);
      this.log({ event: err.code === 'CANCELLED' ? 'model-install-cancelled' : 'model-install-failed', model, source, message: err.message });
      const said = err.code === 'CANCELLED' ? new PainterlyError('CANCELLED', `Installing ${model} was cancelled; what was downloaded is kept, and installing again resumes from it.`) : err;
      owner.send(errorMessage(said, this.log, { model }));
    } finally {
      if (this.current === cur) this.current = undefined;
    }
  }

  /** The connection is gone: its install stops (the bytes so far are kept for the next one). */
  ownerGone(owner: InstallOwner): void {
    if (this.current?.owner === owner) this.current.abort.abort();
  }

  /** Stops the install (companion shutting down) and waits for it to end. */
  async stop(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    cur.abort.abort();
    await cur.done;
  }
}
