// Runtime diagnostics for the GPU check (bench/gpu-check/): off in the product. With
// `profileDir`, each session opened from then on writes a profile when it is released (ORT's
// JSON trace: which provider ran each node, and for how long); with `logSeverity`, ORT logs at
// that level to stderr, where the check's parent process collects it (the environment's level
// is read once, when the first session starts the runtime).

export interface RuntimeDiagnostics {
  /** Folder for per-session profiles; each session's file name starts with `session-`. */
  profileDir?: string;
  /** ORT's log severity for the environment and every session: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. */
  logSeverity?: 0 | 1 | 2 | 3 | 4;
  /** The WebGPU provider's layout for convolutions and pools (its own default otherwise). */
  webgpuLayout?: 'NCHW' | 'NHWC';
}

let current: Readonly<RuntimeDiagnostics> = Object.freeze({});

export function setRuntimeDiagnostics(d: RuntimeDiagnostics): void {
  current = Object.freeze({ ...d });
}

export function runtimeDiagnostics(): Readonly<RuntimeDiagnostics> {
  return current;
}
