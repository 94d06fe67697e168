// `npm run bench -- <compute|convergence|dph|photo|schedule|tv|hires|hires-methods|panel|queue|tau|preview> [options]`
const [which = 'compute', ...rest] = process.argv.slice(2);
const suites: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  compute: () => import('./compute.js'),
  convergence: () => import('./convergence.js'),
  dph: () => import('./dph.js'),
  photo: () => import('./photo.js'),
  schedule: () => import('./schedule.js'),
  tv: () => import('./tv-calibration.js'),
  hires: () => import('./hires.js'),
  'hires-methods': () => import('./hires-methods.js'),
  panel: () => import('./panel.js'),
  queue: () => import('./queue.js'),
  tau: () => import('./tau.js'),
  preview: () => import('./preview.js'),
};
const load = suites[which];
if (!load) {
  console.error(`Unknown benchmark '${which}'. Choose one of: ${Object.keys(suites).join(', ')}.`);
  process.exit(2);
}
await (await load()).main(rest);
