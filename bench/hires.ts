// Native detail's cost (issue 12): per backbone, the same job with `--detail paper` and with
// `--detail native`, each in a process of its own (bench/hires-job.ts) so its peak memory is its
// own — time and peak RSS native ÷ paper, and within the native job the levels' share, plus that
// ratio carried to a Full job (eval/hires-metrics.ts, fullJobRatio). Then the 8000×6000 document
// with a 2000-px object through the CLI: it must finish under 6 GiB peak RSS on the 2-core,
// 24 GB machine.
//   npm run bench -- hires [--backbones squeezenet,vgg19-shallow] [--case starry-eagle] [--iters 100]
//                          [--huge-backbone squeezenet] [--huge-iters 50] [--no-huge] [--no-pair]
// Timings on a shared machine are noisy: compare the ratios, measured in one run.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HIRES_SET, HUGE_CASE, buildCase } from '../eval/hires-set.js';
import { REPO_ROOT, kitWeights } from '../eval/shared-kit.js';
import { FULL_EXPECTED, fullJobRatio } from '../eval/hires-metrics.js';
import { fmt } from './util.js';

interface JobFigures {
  seconds: number;
  paperPartSeconds: number;
  perIteration: number[];
  levelSeconds: number[];
  maxRssMiB: number;
}

const MEMORY_BOUND_MIB = 6 * 1024;

function runJob(args: string[]): Promise<JobFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'run-ts.mjs'), join(REPO_ROOT, 'bench', 'hires-job.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`The job exited with code ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(line.slice(7)) as JobFigures);
    });
  });
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backbones: { type: 'string', default: 'squeezenet,vgg19-shallow' }, case: { type: 'string', default: 'starry-eagle' },
      iters: { type: 'string', default: '100' }, 'huge-backbone': { type: 'string', default: 'squeezenet' }, 'huge-iters': { type: 'string', default: '50' },
      'no-huge': { type: 'boolean', default: false }, 'no-pair': { type: 'boolean', default: false },
      out: { type: 'string', default: join(REPO_ROOT, '.bench', 'hires') },
    },
  });
  const out = v.out!;
  await mkdir(out, { recursive: true });
  const iters = Number(v.iters);
  if (!v['no-pair']) {
    const c = HIRES_SET.find((k) => k.name === v.case);
    if (!c) throw new Error(`Unknown case '${v.case}'. Cases: ${HIRES_SET.map((k) => k.name).join(', ')}.`);
    const files = await buildCase(c, join(out, 'set'));
    console.log(`hires bench: ${c.name}, ${iters} + ${iters} iterations at 700 px, post-processing on; each job in its own process`);
    for (const backbone of v.backbones!.split(',')) {
      const options = (detail: string) => ({ backbone, weightsFile: kitWeights(backbone), size: 700, pass1Iters: iters, pass2Iters: iters, postProcess: true, detail, device: 'cpu' });
      const paper = await runJob(['api', JSON.stringify({ ...files, options: options('paper') })]);
      const native = await runJob(['api', JSON.stringify({ ...files, options: options('native'), out: join(out, `${c.name}-${backbone}-native.png`) })]);
      const levels = native.seconds - native.paperPartSeconds;
      // The jobs run auto too, so pass 1's rate is its half-size one, as in a Full job.
      const perIt = native.perIteration.map((s) => (Number.isFinite(s) ? s : 0)) as [number, number];
      console.log(`${backbone}: paper job ${fmt(paper.seconds, 1)} s, ${fmt(paper.maxRssMiB, 0)} MiB; native job ${fmt(native.seconds, 1)} s, ${fmt(native.maxRssMiB, 0)} MiB ` +
        `→ time native ÷ paper ${fmt(native.seconds / paper.seconds, 2)} (separate jobs), ${fmt(native.seconds / native.paperPartSeconds, 2)} (within the native job); memory ${fmt(native.maxRssMiB / paper.maxRssMiB, 2)}`);
      console.log(`  levels ${native.levelSeconds.map((s) => fmt(s, 1)).join(' + ')} s = ${fmt(levels, 1)} s; per iteration pass 1 ${fmt(perIt[0], 3)} s, pass 2 ${fmt(perIt[1], 3)} s; ` +
        `at Full (auto, ${FULL_EXPECTED.join(' + ')} iterations expected): native ÷ paper ≈ ${fmt(fullJobRatio(native.paperPartSeconds, levels, perIt, [iters, iters]), 2)}`);
    }
  }
  if (!v['no-huge']) {
    const files = await buildCase(HUGE_CASE, join(out, 'set'));
    const backbone = v['huge-backbone']!;
    const hugeIters = v['huge-iters']!;
    const cli = ['--painting', files.painting, '--composite', files.composite, '--mask', files.mask, '--out', join(out, `${HUGE_CASE.name}-native.png`),
      '--backbone', backbone, '--pass1-iters', hugeIters, '--pass2-iters', hugeIters, '--detail', 'native', '--device', 'cpu'];
    const weights = kitWeights(backbone);
    if (weights) cli.push('--weights', weights);
    const huge = await runJob(['cli', ...cli]);
    console.log(`${HUGE_CASE.name} (object ${HUGE_CASE.objectSide} px) through the CLI, ${backbone}, ${hugeIters} + ${hugeIters} iterations, --detail native: ` +
      `${fmt(huge.seconds, 0)} s, peak RSS ${fmt(huge.maxRssMiB, 0)} MiB (bound ${MEMORY_BOUND_MIB} MiB: ${huge.maxRssMiB < MEMORY_BOUND_MIB ? 'within' : 'OVER'})`);
  }
}
