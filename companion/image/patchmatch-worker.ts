// Worker thread for PatchMatch: runs the phases it is sent on its row bands of the shared
// state (SharedArrayBuffer views), and answers each with 'done'. See patchmatch.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { runPhase, type Band, type MatchState, type Phase } from './patchmatch-kernel.js';

const { state, bands } = workerData as { state: MatchState; bands: Band[] };
const port = parentPort!;

port.on('message', (phase: Phase) => {
  try {
    for (const band of bands) runPhase(state, band, phase);
    port.postMessage({ type: 'done' });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
port.postMessage({ type: 'ready' });
