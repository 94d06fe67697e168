// Nodes an execution provider claims but cannot run. ONNX Runtime places a node on a provider
// when the provider registers a kernel for its op and opset; a few of those kernels then refuse
// the node at run time. Such nodes are named to the provider up front so that ONNX Runtime runs
// them on the CPU instead (the rest of the graph stays on the device).
//
// WebGPU (onnxruntime 1.30, core/providers/webgpu/nn/pool.cc): MaxPool is registered for opset
// 8+ with an Indices output, but the kernel fails with "The Indices output is not supported yet"
// when the node has one. The step graph asks for indices from the 3×3 pools of GoogLeNet and
// SqueezeNet (compute/forward.ts, backward.ts's scatter rule); VGG's 2×2 pools need none.
import onnxProto from 'onnx-proto';
import type { Device } from '../device-names.js';

const { onnx } = onnxProto;

/** Names of the nodes of `model` that `device` must leave to the CPU (empty for most devices). */
export function nodesForCpu(model: Uint8Array, device: Device): string[] {
  if (device !== 'webgpu') return [];
  const graph = onnx.ModelProto.decode(model).graph;
  return (graph?.node ?? [])
    .filter((n) => n.opType === 'MaxPool' && (n.output ?? []).filter((o) => o !== '').length > 1)
    .map((n) => n.name ?? '')
    .filter((name) => name !== '');
}
