// Runs first in the test page (bundled by the e2e test, added as an init script): defines the
// widget stand-ins, builds the fake Photoshop with the test scene and hands it to the panel the
// way UXP does, through a global require('photoshop') / require('uxp'); and gives the page's
// WebSocket UXP's send-buffer limit.
import { createFakePhotoshop } from '../fake-photoshop.js';
import { addScene, addSecondDocument, bigScene, type BigSceneOptions, type Scene, type SceneOptions } from './scene.js';
import { defineSpectrumStubs } from './spectrum-stub.js';

/**
 * UXP documents that `WebSocket.send` closes the socket by itself when its send buffer is full,
 * without saying how big the buffer is. Other Photoshop plugins report silent disconnects when
 * they send large images, so a limit exists and is not huge. 16 MiB is the fake's guess: well
 * above the 4 MiB our client keeps in flight (so a correct panel never meets it) and low enough
 * that a client which does not pace its uploads does.
 */
export const DEFAULT_SEND_LIMIT_BYTES = 16 * 1024 * 1024;

export interface PageConfig {
  /** Where the panel's WebSocket goes. */
  url: string;
  /** Pre-paired: the token already in secure storage. */
  token?: string;
  /** The stand-ins' stylesheet. */
  css: string;
  scene: SceneOptions;
  /** Instead of `scene`: the bench's big scene (scene.ts bigScene). */
  bigScene?: BigSceneOptions;
  /** A second open document; the first stays the active one. */
  secondScene?: SceneOptions;
  /** Job size and iterations for the test (the panel honours `painterlyJobOverrides`). */
  jobOverrides?: { size?: number; pass1Iters?: number; pass2Iters?: number; stage1Iters?: number; stage2Iters?: number };
  /** The WebSocket send-buffer size past which `send` closes the socket; default DEFAULT_SEND_LIMIT_BYTES. */
  sendLimitBytes?: number;
}

const w = window as unknown as Record<string, unknown>;
const config = w.__painterlyTest as PageConfig;

/** What the send-buffer limit did, for the probe. */
const socketStats = { overflowCloses: 0, peakBufferedAmount: 0, bytesSent: 0 };

/**
 * The page's WebSocket with UXP's behaviour on a full send buffer: a `send` that would take
 * `bufferedAmount` past the limit is not sent; the socket closes, and its close event says 1006
 * with no reason and no error event before it, as UXP closes silently.
 */
function limitSendBuffer(limit: number): void {
  const Native = window.WebSocket;
  type Sendable = Parameters<WebSocket['send']>[0];
  const size = (data: Sendable): number =>
    typeof data === 'string' ? new TextEncoder().encode(data).length : data instanceof Blob ? data.size : data.byteLength;
  const overflowed = new WeakSet<WebSocket>();
  const handlers = new WeakMap<WebSocket, ((this: WebSocket, ev: CloseEvent) => unknown) | null>();
  /** The close event the panel sees: 1006 after an overflow. */
  const seen = (ws: WebSocket, ev: CloseEvent): CloseEvent => (overflowed.has(ws) ? new CloseEvent('close', { code: 1006, reason: '', wasClean: false }) : ev);
  const nativeAdd = Native.prototype.addEventListener;

  class UxpLikeWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      nativeAdd.call(this, 'close', (ev) => handlers.get(this)?.call(this, seen(this, ev as CloseEvent)));
    }

    override send(data: Sendable): void {
      const open = this.readyState === Native.OPEN;
      if (open && this.bufferedAmount + size(data) > limit) {
        overflowed.add(this);
        socketStats.overflowCloses++;
        this.close();
        return;
      }
      super.send(data); // after a close the browser drops it, as any closed socket does
      if (open) {
        socketStats.bytesSent += size(data);
        socketStats.peakBufferedAmount = Math.max(socketStats.peakBufferedAmount, this.bufferedAmount);
      }
    }
  }
  // onclose and close listeners get the rewritten event (accessors on the prototype: the DOM types declare plain properties).
  Object.defineProperty(UxpLikeWebSocket.prototype, 'onclose', {
    get(this: WebSocket) {
      return handlers.get(this) ?? null;
    },
    set(this: WebSocket, fn: ((this: WebSocket, ev: CloseEvent) => unknown) | null) {
      handlers.set(this, fn);
    },
  });
  Object.defineProperty(UxpLikeWebSocket.prototype, 'addEventListener', {
    value(this: WebSocket, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions) {
      if (type !== 'close' || !listener) return nativeAdd.call(this, type, listener as EventListenerOrEventListenerObject, options);
      const call = typeof listener === 'function' ? listener : (ev: Event) => listener.handleEvent(ev);
      return nativeAdd.call(this, 'close', (ev) => call.call(this, seen(this, ev as CloseEvent)), options);
    },
  });
  window.WebSocket = UxpLikeWebSocket;
}

limitSendBuffer(config.sendLimitBytes ?? DEFAULT_SEND_LIMIT_BYTES);
defineSpectrumStubs();
const fake = createFakePhotoshop();
const scene: Scene = config.bigScene ? bigScene(fake, config.bigScene) : addScene(fake, config.scene);
const second: Scene | undefined = config.secondScene ? addSecondDocument(fake, { ...config.secondScene, activate: false }) : undefined;
if (config.token) fake.secrets.set('painterly.pairingToken', new TextEncoder().encode(config.token));

w.require = (id: string) => {
  if (id === 'photoshop') return fake.photoshop;
  if (id === 'uxp') return fake.uxp;
  throw new Error(`Cannot find module '${id}'`);
};
w.painterlyCompanionUrl = config.url;
if (config.jobOverrides) w.painterlyJobOverrides = config.jobOverrides;

/** What the test reads back with page.evaluate. */
w.__probe = {
  layers: () => scene.doc.allLayers().map((l) => ({ id: l.id, name: l.name, visible: l.visible, bounds: l.bounds })),
  history: () => scene.doc.historyStates.map((h) => h.name),
  /** Small scenes only: the whole composite as numbers. */
  composite: () => Array.from(fake.composite(scene.doc)),
  modalActive: () => fake.modalActive(),
  modalLog: () => fake.modalLog.map((m) => m.commandName),
  liveImageData: () => fake.liveImageData(),
  scene: () => ({ width: scene.doc.width, height: scene.doc.height, object: scene.object, selection: scene.selection }),
  /** The user brings the first (0) or the second (1) document to the front. */
  activateDocument: (which: 0 | 1) => fake.activateDocument(which === 1 && second ? second.doc : scene.doc),
  /** The user presses Esc while a modal scope runs. */
  pressEscape: () => fake.pressEscape(),
  /** Sockets closed by the send-buffer limit, and the largest bufferedAmount seen right after a send. */
  socket: () => ({ ...socketStats, limit: config.sendLimitBytes ?? DEFAULT_SEND_LIMIT_BYTES }),
  /** The fake's own memory (pixels it stores) and how its loops shared the thread: the bench subtracts these. */
  fake: () => ({ storedBytes: fake.storedBytes(), ...fake.slicing() }),
};

const addStyle = () => {
  const style = document.createElement('style');
  style.textContent = config.css;
  document.head.prepend(style);
};
if (document.head) addStyle();
else document.addEventListener('DOMContentLoaded', addStyle, { once: true });
