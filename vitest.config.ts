import { defineConfig } from 'vitest/config';

// Set before any test or child process starts (the test processes and everything they spawn
// inherit them): ONNX Runtime's telemetry off (the companion sets it too, see
// companion/compute/backends/ort-env.ts), and tsx's compile cache off for the worker threads
// that load TypeScript sources through tsx (the cache lives in a shared temp folder).
const PRIVATE_ENV = { ORT_DISABLE_TELEMETRY: '1', TSX_DISABLE_CACHE: '1' };
Object.assign(process.env, PRIVATE_ENV);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Builds the companion into build/, which bin/painterly.js runs.
    globalSetup: ['scripts/vitest-global-setup.mjs'],
    env: PRIVATE_ENV,
    // Two cores: keep ONNX Runtime sessions from fighting over them.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
