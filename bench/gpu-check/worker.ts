// The GPU check's child process (started by main.ts, never by hand):
//   worker probe DEVICE   — the device check `auto` runs, for one provider;
//   worker run CONFIG     — the stages, one after another, reported over IPC as they go
//                           (run-stages.ts, loaded only then: a probe starts in a second).
// Runtime noise (Vulkan, Dawn, ONNX Runtime) goes to this process's stderr, which the parent keeps.
import { selectDevice } from '../../companion/compute/device.js';
import { setRuntimeDiagnostics } from '../../companion/compute/diagnostics.js';
import type { ParentMessage, ProbeResult, WorkerConfig, WorkerMessage } from './protocol.js';

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(msg));
      resolve();
    } else process.send(msg, undefined, {}, () => resolve());
  });
}

async function probe(device: string): Promise<void> {
  // Info level: what the providers say while they start (adapter, driver) is worth keeping.
  setRuntimeDiagnostics({ logSeverity: 1 });
  const t0 = performance.now();
  let result: ProbeResult;
  try {
    const choice = await selectDevice(device);
    result = { device, ok: choice.device === device, seconds: (performance.now() - t0) / 1000, ...(choice.device !== device ? { reason: choice.notes.join('; ') } : {}) };
  } catch (e) {
    result = { device, ok: false, seconds: (performance.now() - t0) / 1000, reason: String((e as Error)?.message ?? e).split('\n')[0] };
  }
  await send({ type: 'probe', result });
}

// Listening from the start: a stop can come while the stages' modules are still loading.
const stop = new AbortController();
process.on('message', (m: ParentMessage) => {
  if (m?.type === 'stop') stop.abort(m.reason);
});

const [mode, arg] = process.argv.slice(2);
try {
  if (mode === 'probe') await probe(arg);
  else if (mode === 'run') await (await import('./run-stages.js')).runStages(JSON.parse(arg) as WorkerConfig, send, stop.signal);
  else throw new Error(`worker: unknown mode '${mode}'`);
} catch (e) {
  console.error(String((e as Error)?.stack ?? e));
  process.exitCode = 1;
}
// ONNX Runtime's threads and the WebGPU device can keep a process alive; the work is done.
process.exit();
