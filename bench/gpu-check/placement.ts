// Where each node of a graph ran, read from ONNX Runtime's session profiles, and which node a
// runtime error is about. The graph builder names nodes `<layer or head>/<Op>__<n>` (plain
// `n_<Op>__<n>` for small helper ops), so a node's name says which layer it belongs to.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorReport, NodeRef } from './protocol.js';

export interface PlacementReport {
  /** Nodes that ran, per execution provider. */
  nodesPerProvider: Record<string, number>;
  /** Nodes the session ran on the CPU although it was opened for another device (none on the CPU itself). */
  onCpu: NodeRef[];
  /**
   * The nodes that took longest per run, slowest first (ms per run): the host-side kernel time
   * ORT's profiler records, which for an asynchronous GPU provider is mostly the dispatch.
   */
  slowest: Array<NodeRef & { msPerRun: number }>;
  /** GPU-side times per kernel where the provider's profiler reports them (WebGPU timestamp queries). */
  gpuSlowest: Array<{ name: string; msPerRun: number }>;
}

/** The layer part of a node name (`conv3_1_bwd/Conv__57` → `conv3_1_bwd`), if any. */
export function layerOf(nodeName: string): string | undefined {
  const cut = nodeName.lastIndexOf('/');
  return cut > 0 ? nodeName.slice(0, cut) : undefined;
}

function ref(name: string, op?: string): NodeRef {
  const layer = layerOf(name);
  return { name, ...(op ? { op } : {}), ...(layer ? { layer } : {}) };
}

/**
 * The node an ONNX Runtime error message names: a run-time failure ("… running TopK node.
 * Name:'hist_sort/TopK__90' Status Message: …") or a session that could not place, check or
 * build a node ("… node with name 'x'", "Node (x) Op (TopK) …", "In Node, ("x", TopK, …").
 * Undefined when it names none.
 */
export function nodeOfError(message: string): NodeRef | undefined {
  const running = /running (\w+) node\. Name:\s*'([^']+)'/.exec(message);
  if (running) return ref(running[2], running[1]);
  const implementation = /implementation for (\w+)\(\d+\) node with name '([^']+)'/.exec(message);
  if (implementation) return ref(implementation[2], implementation[1]);
  const nodeOp = /Node \(([^)]+)\) Op \((\w+)\)/.exec(message);
  if (nodeOp) return ref(nodeOp[1], nodeOp[2]);
  const invalid = /In Node, \("([^"]+)", (\w+),/.exec(message);
  if (invalid) return ref(invalid[1], invalid[2]);
  const named = /node with name '([^']+)'/.exec(message) ?? /\bName:\s*'([^']+)'/.exec(message);
  return named ? ref(named[1]) : undefined;
}

/** An error as the report keeps it: its message, and the node it names. */
export function errorReport(e: unknown): ErrorReport {
  const message = String((e as Error)?.message ?? e).slice(0, 2000);
  const node = nodeOfError(message);
  return node ? { message, node } : { message };
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

/** Reads ONNX Runtime profile files (JSON traces) and sums them up for one session's device. */
export async function placementOf(files: string[], device: string, runs: number): Promise<PlacementReport> {
  const perNode = new Map<string, { op: string; provider: string; us: number }>();
  const gpu = new Map<string, number>();
  for (const f of files) {
    const events = JSON.parse(await readFile(f, 'utf8')) as ProfileEvent[];
    for (const e of events) {
      if (e.cat === 'Kernel' && e.name) gpu.set(e.name, (gpu.get(e.name) ?? 0) + (e.dur ?? 0));
      if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.provider) continue;
      const name = e.name.slice(0, -'_kernel_time'.length);
      const n = perNode.get(name) ?? { op: e.args.op_name ?? '?', provider: e.args.provider, us: 0 };
      n.us += e.dur ?? 0;
      perNode.set(name, n);
    }
  }
  const nodesPerProvider: Record<string, number> = {};
  for (const n of perNode.values()) nodesPerProvider[n.provider] = (nodesPerProvider[n.provider] ?? 0) + 1;
  const onCpu = device === 'cpu' ? [] : [...perNode].filter(([, n]) => n.provider === 'CPUExecutionProvider').map(([name, n]) => ref(name, n.op));
  const perRun = (us: number): number => Math.round((us / Math.max(1, runs)) * 1e-3 * 1000) / 1000;
  const slowest = [...perNode]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, 8)
    .map(([name, n]) => ({ ...ref(name, n.op), msPerRun: perRun(n.us) }));
  const gpuSlowest = [...gpu].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, us]) => ({ name, msPerRun: perRun(us) }));
  return { nodesPerProvider, onCpu, slowest, gpuSlowest };
}

/** Profile files in `dir` that are not in `seen` (and adds them to it). */
export async function newProfiles(dir: string, seen: Set<string>): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json') && !seen.has(f)).sort();
  for (const f of files) seen.add(f);
  return files.map((f) => path.join(dir, f));
}
