// What the check ran on: CPU, memory, Node, ONNX Runtime, and what the system says about its
// GPU (nvidia-smi, the Vulkan loader and ICD variables) — the first things to look at when a
// provider's probe fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MachineInfo {
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  onnxruntime?: string;
  /** `nvidia-smi` name, driver and memory per GPU, when the tool is there. */
  nvidiaSmi?: string[];
  /** Where the Vulkan loader (libvulkan.so.1) was found, on Linux. */
  vulkanLoader?: string | null;
  /** The loader's and EGL's driver variables, as set for this run. */
  env: Record<string, string>;
}

function run(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function onnxruntimeVersion(): string | undefined {
  // The repository root in a checkout, the bundle's root on a GPU machine.
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    const f = path.join(dir, 'node_modules', 'onnxruntime-node', 'package.json');
    if (existsSync(f)) return (JSON.parse(readFileSync(f, 'utf8')) as { version?: string }).version;
  }
  return undefined;
}

function vulkanLoader(): string | null {
  const listed = run('ldconfig', ['-p'])?.split('\n').find((l) => l.includes('libvulkan.so.1'));
  if (listed) return listed.split('=>').pop()!.trim();
  const known = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];
  return known.find((f) => existsSync(f)) ?? null;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const smi = run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(VK_|__EGL_|__GLX_|DAWN_|CUDA_VISIBLE)/.test(k)) as Array<[string, string]>);
  return {
    platform: process.platform,
    arch: process.arch,
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    onnxruntime: onnxruntimeVersion(),
    ...(smi ? { nvidiaSmi: smi.split('\n') } : {}),
    ...(process.platform === 'linux' ? { vulkanLoader: vulkanLoader() } : {}),
    env,
  };
}
