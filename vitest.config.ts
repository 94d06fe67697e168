import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: keep ONNX Runtime sessions from fighting over them.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
