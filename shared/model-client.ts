// Models over a connected CompanionClient: the catalogue, and installs by name with byte
// progress and cancel. The companion decides where a model comes from; a client only names it.
import { PainterlyError } from './errors.js';
import type { InstalledMessage, InstallProgressMessage, ModelMessage, ModelsMessage, ServerMessage } from './protocol.js';
import type { InstallableModel } from './catalogue.js';

/** The part of CompanionClient this module uses. */
export interface ModelChannel {
  sendModelMessage(msg: ModelMessage): void;
  onMessage(listener: (msg: ServerMessage) => void): () => void;
  onClose(listener: (err: PainterlyError) => void): void;
}

/** Resolves with the next `models` message after asking; rejects if the connection ends first. */
export function listModels(client: ModelChannel): Promise<ModelsMessage> {
  return new Promise((resolve, reject) => {
    let done = false;
    const stop = client.onMessage((msg) => {
      if (msg.type !== 'models' || done) return;
      done = true;
      stop();
      resolve(msg);
    });
    client.onClose((err) => {
      if (done) return;
      done = true;
      stop();
      reject(err);
    });
    client.sendModelMessage({ type: 'listModels' });
  });
}

export interface InstallHandle {
  model: InstallableModel;
  /** Resolves when the model is installed; rejects with PainterlyError (CANCELLED when cancelled, BUSY when another install runs). */
  result: Promise<InstalledMessage>;
  /** Asks the companion to stop; `result` then rejects with CANCELLED (the bytes so far are kept for the next try). */
  cancel(): void;
}

/** Asks the companion to install `model`; `onProgress` sees its byte progress. */
export function installModel(client: ModelChannel, model: InstallableModel, onProgress?: (p: InstallProgressMessage) => void): InstallHandle {
  let settled = false;
  let stop = () => {};
  const result = new Promise<InstalledMessage>((resolve, reject) => {
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      stop();
      fn();
    };
    stop = client.onMessage((msg) => {
      if (msg.type === 'installProgress' && msg.model === model && !settled) onProgress?.(msg);
      else if (msg.type === 'installed' && msg.model === model) finish(() => resolve(msg));
      else if (msg.type === 'error' && msg.model === model) finish(() => reject(new PainterlyError(msg.code, msg.message, msg.details)));
    });
    client.onClose((err) => finish(() => reject(err)));
  });
  client.sendModelMessage({ type: 'installModel', model });
  return {
    model,
    result,
    cancel: () => {
      if (!settled) client.sendModelMessage({ type: 'cancelInstall', model });
    },
  };
}
