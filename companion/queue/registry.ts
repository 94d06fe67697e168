// Which workers serve the queue now: each worker keeps a key with its name, device and backbones
// alive while it runs (it expires within WORKER_TTL_SECONDS of a worker dying). A gateway reads
// them to tell the panel what the studio offers.
import type { Redis } from 'ioredis';
import { BACKBONES, type BackboneName } from '../../shared/catalogue.js';
import { QUEUE_PREFIX } from './keys.js';

export interface WorkerInfo {
  name: string;
  device: string;
  backbones: BackboneName[];
  version: string;
}

export const WORKER_TTL_SECONDS = 30;
const workerKey = (name: string) => `${QUEUE_PREFIX}:worker:${name}`;

/** Keeps `info` announced until the returned function is called (which withdraws it). */
export function announceWorker(store: Redis, info: WorkerInfo): () => Promise<void> {
  const put = () => void store.set(workerKey(info.name), JSON.stringify(info), 'EX', WORKER_TTL_SECONDS).catch(() => {});
  put();
  const timer = setInterval(put, (WORKER_TTL_SECONDS * 1000) / 3);
  return async () => {
    clearInterval(timer);
    await store.del(workerKey(info.name)).catch(() => {});
  };
}

/** The workers announced now (entries that do not parse are left out). */
export async function liveWorkers(store: Redis): Promise<WorkerInfo[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await store.scan(cursor, 'MATCH', workerKey('*'), 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0' && keys.length < 1000);
  if (keys.length === 0) return [];
  const values = await store.mget(...keys);
  const out: WorkerInfo[] = [];
  for (const v of values) {
    try {
      const w = JSON.parse(v ?? '') as WorkerInfo;
      if (typeof w.name === 'string' && typeof w.device === 'string' && Array.isArray(w.backbones)) {
        out.push({ name: w.name, device: w.device, version: String(w.version), backbones: w.backbones.filter((b): b is BackboneName => (BACKBONES as readonly string[]).includes(b)) });
      }
    } catch {
      /* not ours, or damaged: skip */
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
