// Timing and memory helpers shared by the benchmarks.
export async function timeIt(fn: () => Promise<unknown>, opts: { warmup?: number; runs?: number } = {}): Promise<number> {
  const { warmup = 1, runs = 3 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]; // median, seconds
}

/** Peak resident memory of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function fmt(n: number, digits = 3): string {
  return n.toFixed(digits);
}
