// How many threads the runtime's CPU kernels get: one per physical core. Convolutions and matrix
// products keep a core's vector units busy, so a second hardware thread on the same core adds
// little and two threads of one process then fight over one core's caches; ONNX Runtime's own
// default is the physical core count too, but we pass it explicitly so a container's or the
// user's CPU limit (os.availableParallelism) is respected. PAINTERLY_CPU_THREADS overrides it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Physical cores from Linux's CPU topology: the distinct thread-sibling lists of the CPUs (one per core). */
export function coresFromSiblingLists(lists: readonly string[]): number {
  return new Set(lists.map((l) => l.trim()).filter(Boolean)).size;
}

function linuxPhysicalCores(): number | undefined {
  const root = '/sys/devices/system/cpu';
  const lists: string[] = [];
  for (const name of readdirSync(root)) {
    if (!/^cpu\d+$/.test(name)) continue;
    try {
      lists.push(readFileSync(`${root}/${name}/topology/thread_siblings_list`, 'utf8'));
    } catch {
      // An offline CPU has no topology folder.
    }
  }
  return lists.length > 0 ? coresFromSiblingLists(lists) : undefined;
}

function macPhysicalCores(): number | undefined {
  const n = Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8', timeout: 2000 }).trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A positive whole number from the override variable, or undefined when unset; anything else is ignored. */
export function threadsOverride(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

let cached: number | undefined | null = null;

/**
 * Intra-op threads for CPU sessions: PAINTERLY_CPU_THREADS, else the physical cores (Linux, macOS)
 * capped by the CPUs this process may use; undefined where the physical count is unknown
 * (Windows), which leaves ONNX Runtime's default — the physical cores, which it reads itself.
 */
export function cpuThreads(): number | undefined {
  const forced = threadsOverride(process.env.PAINTERLY_CPU_THREADS);
  if (forced !== undefined) return forced;
  if (cached !== null) return cached;
  let physical: number | undefined;
  try {
    physical = process.platform === 'linux' ? linuxPhysicalCores() : process.platform === 'darwin' ? macPhysicalCores() : undefined;
  } catch {
    physical = undefined;
  }
  cached = physical === undefined ? undefined : Math.max(1, Math.min(physical, os.availableParallelism()));
  return cached;
}
