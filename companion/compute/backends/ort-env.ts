// Turns ONNX Runtime's telemetry off before the runtime starts. onnxruntime-node ships
// Microsoft's telemetry client: unless ORT_DISABLE_TELEMETRY is set when the runtime creates its
// environment (the first session), it writes a device id and an event database under
// ~/.cache/Microsoft/DeveloperTools/.onnxruntime/, writes mat-debug-<pid>.log into the temp
// folder and keeps looking up mobile.events.data.microsoft.com. Painterly sends nothing anywhere.
//
// onnx.ts imports this module before onnxruntime-node (ES modules evaluate their imports in
// order), so every entry point that can reach the runtime — CLI, companion, benches, evals,
// tests — has it set first. Always '1': the runtime reads '0' as "on", and a stray '0' in the
// user's environment must not turn it back on. (A worker thread's process.env is its own copy;
// no worker loads the runtime, and the main thread's value is copied into workers it starts.)
process.env.ORT_DISABLE_TELEMETRY = '1';
