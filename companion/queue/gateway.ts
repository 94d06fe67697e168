// The companion as a gateway to the studio queue (`painterly serve --queue URL`): the panel stays
// on loopback and pairs as ever; what it is told the companion offers is what the live workers
// serve (their devices and backbones), and a missing backbone is one no worker serves yet.
import type { Redis } from 'ioredis';
import { BACKBONES, fetchCommandFor } from '../../shared/catalogue.js';
import type { CompanionCapabilities } from '../../shared/protocol.js';
import { liveWorkers } from './registry.js';

/** Devices from the fastest kind down: a studio's GPU before a CPU. */
const DEVICE_ORDER = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

export async function gatewayCapabilities(store: Redis, queueShown: string): Promise<CompanionCapabilities> {
  const workers = await liveWorkers(store).catch(() => []);
  const devices = [...new Set(workers.map((w) => w.device))].sort((a, b) => rank(a) - rank(b));
  const present = BACKBONES.filter((b) => workers.some((w) => w.backbones.includes(b)));
  return {
    device: devices[0] ?? 'cpu',
    devices: devices.length ? devices : ['cpu'],
    backbones: {
      present,
      // What to run on a studio machine that has the model (the note in brackets is shown apart).
      missing: BACKBONES.filter((b) => !present.includes(b)).map((name) => ({ name, fetchCommand: `npx painterly worker --queue ${queueShown} --backbone ${name} (on a studio machine with the model: ${fetchCommandFor(name)})` })),
    },
    queue: { workers: workers.map((w) => ({ name: w.name, device: w.device })) },
  };
}

function rank(device: string): number {
  const i = DEVICE_ORDER.indexOf(device);
  return i < 0 ? DEVICE_ORDER.length : i;
}
