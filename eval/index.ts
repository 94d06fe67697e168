// `npm run eval -- <dph|photo|hires> [options]`: quality against the original implementations' published results.
const [which = 'dph', ...rest] = process.argv.slice(2);
const suites: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  dph: () => import('./dph.js'),
  photo: () => import('./photo.js'),
  hires: () => import('./hires.js'),
};
const load = suites[which];
if (!load) {
  console.error(`Unknown evaluation '${which}'. Choose one of: ${Object.keys(suites).join(', ')}.`);
  process.exit(2);
}
await (await load()).main(rest);
