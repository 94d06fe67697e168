// A companion for the panel's tests: the real server (companion/server) with the fast fake
// runners of test/support/fake-runners.ts in place of the pipelines, on 127.0.0.1.
// Stopgap until `painterly serve` can run a tiny real pipeline quickly enough for tests.
import { createCompanionServer, type CompanionServer } from '../../../companion/server/server.js';
import { generateToken } from '../../../companion/server/token.js';
import type { CompanionCapabilities } from '../../../shared/protocol.js';
import type { BackboneAvailability, BackboneName } from '../../../shared/catalogue.js';
import type { ModelService } from '../../../companion/server/model-installs.js';
import { fetchCommandFor } from '../../../shared/catalogue.js';
import { fakeHarmonize, fakePhotoStyle } from '../../support/fake-runners.js';

export interface FakeCompanionOptions {
  port?: number;
  token?: string;
  /** Wall time of one fake iteration. */
  iterationMs?: number;
  previewEvery?: number;
  /** Backbones whose weights are "installed"; the rest are reported missing. */
  present?: BackboneName[];
  photoStyle?: boolean;
  /** Makes the harmonize runner fail at this iteration with this error. */
  failAt?: { iteration: number; error: Error };
  /** Installs models for the panel (none without it). */
  models?: ModelService;
  /** What is installed, read at each question (instead of the fixed `present`). */
  backbones?: () => Promise<BackboneAvailability>;
}

export interface FakeCompanion {
  server: CompanionServer;
  token: string;
  url: string;
  harmonize: ReturnType<typeof fakeHarmonize>;
  close(): Promise<void>;
}

export async function startFakeCompanion(opts: FakeCompanionOptions = {}): Promise<FakeCompanion> {
  const token = opts.token ?? generateToken();
  const runner = { iterationMs: opts.iterationMs ?? 0, previewEvery: opts.previewEvery ?? 20 };
  const harmonizeRunner = { ...runner, ...(opts.failAt ? { failAt: opts.failAt } : {}) };
  const harmonize = fakeHarmonize(harmonizeRunner);
  // Like a machine that ran `painterly models fetch vgg19`: VGG-19 (deep and shallow), no SqueezeNet.
  const present = opts.present ?? ['vgg19', 'vgg19-shallow'];
  const all: BackboneName[] = ['vgg19', 'vgg19-shallow', 'squeezenet'];
  const capabilities: CompanionCapabilities = {
    device: 'cpu',
    devices: ['cpu'],
    backbones: { present, missing: all.filter((b) => !present.includes(b)).map((name) => ({ name, fetchCommand: fetchCommandFor(name) })) },
  };
  const server = await createCompanionServer({
    port: opts.port ?? 0,
    token,
    runners: { harmonize, ...(opts.photoStyle === false ? {} : { photoStyle: fakePhotoStyle(runner) }) },
    capabilities: async () => (opts.backbones ? { ...capabilities, backbones: await opts.backbones() } : capabilities),
    ...(opts.models ? { models: opts.models } : {}),
    progressIntervalMs: 50,
  });
  return { server, token, url: server.url, harmonize, close: () => server.close() };
}
