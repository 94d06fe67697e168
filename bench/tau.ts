// `npm run bench -- tau`: what reading τ from a painting costs. Per kit painting, in this process:
// decoding and the estimate (features + model); then `painterly tau` as a user runs it (a fresh
// Node process: start-up, decoding, estimate), on the kit's paintings and the larger hires ones.
// Figures as ratios to the budget of 2 s per painting, measured in one run.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readImage } from '../companion/image/io.js';
import { estimateTau } from '../companion/tau/estimate.js';
import { KIT, REPO_ROOT } from '../eval/shared-kit.js';

const BUDGET_S = 2;

export async function main(): Promise<void> {
  const data = join(KIT, 'dph-examples', 'data');
  const kit = readdirSync(data).filter((f) => /^\d+_target\.jpg$/.test(f)).map((f) => join(data, f));
  const hires = readdirSync(join(KIT, 'hires')).filter((f) => f.endsWith('.jpg')).map((f) => join(KIT, 'hires', f));
  let decode = 0;
  let estimate = 0;
  for (const f of kit) {
    const t0 = performance.now();
    const img = await readImage(f);
    const t1 = performance.now();
    estimateTau(img);
    estimate += performance.now() - t1;
    decode += t1 - t0;
  }
  console.log(`in process, ${kit.length} kit paintings (700 px): decode ${(decode / kit.length).toFixed(0)} ms + estimate ${(estimate / kit.length).toFixed(0)} ms per painting`);
  const bin = resolve(REPO_ROOT, 'bin', 'painterly.js');
  let worst = 0;
  for (const f of [...kit.slice(0, 5), ...hires]) {
    const t0 = performance.now();
    execFileSync(process.execPath, [bin, 'tau', '--painting', f], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
    const s = (performance.now() - t0) / 1000;
    worst = Math.max(worst, s);
    console.log(`painterly tau ${f.slice(KIT.length + 1)}: ${s.toFixed(2)} s (${(s / BUDGET_S).toFixed(2)} of the 2 s budget)`);
  }
  console.log(`tau-estimate-ms: ${(estimate / kit.length).toFixed(0)}`);
  console.log(`tau-cli-worst-over-budget: ${(worst / BUDGET_S).toFixed(2)}`);
}
