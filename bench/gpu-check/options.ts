// The GPU check's command line and its two profiles: the real one (what a modern GPU is
// measured at, in under 8 minutes) and --tiny (the same stages at sizes a 2-core CI machine
// runs in seconds, so the check cannot rot).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KIT } from '../../eval/shared-kit.js';

export const USAGE = `Usage: npm run gpu-check -- --out DIR [--device D] [--deadline SECONDS] [--tiny] [--kit DIR] [--example K]

Probes every compute provider, then on the first working GPU provider (or --device D) measures
the compute graphs and a full harmonization against the CPU, and writes DIR/gpu-check.json and
DIR/gpu-check.png. Stops itself at the deadline (default 450 s) and reports what it skipped.

  --device D       cpu | cuda | webgpu | dml | coreml (default: the first GPU provider that works)
  --deadline S     wall-clock limit in seconds for the whole check (default 450)
  --tiny           tiny sizes and iteration counts (tests, CPU-only machines)
  --kit DIR        the team kit, or a copy of its parts (dph-examples/, weights/); default ../shared
  --example K      the kit's harmonization example (default 16)
  --stages LIST    some of: compute, harmonize-quality, harmonize-compare, harmonize-timing (default all)`;

export type StageName = 'compute' | 'harmonize-quality' | 'harmonize-compare' | 'harmonize-timing';

/** Stage order: what proves the GPU path first, the longest (and extrapolatable) run last. */
export const STAGES: readonly StageName[] = ['compute', 'harmonize-quality', 'harmonize-compare', 'harmonize-timing'];

export interface CheckOptions {
  /** The device asked for; undefined: the first GPU provider whose probe works. */
  device?: string;
  out: string;
  deadlineSeconds: number;
  tiny: boolean;
  kit: string;
  example: number;
  /** The stages to run, in their order (default all). */
  stages: StageName[];
}

export interface Profile {
  /** Sizes (square, px) of the compute benchmark on the device. */
  benchSizes: number[];
  /** The sizes the CPU is measured at; larger sizes are extrapolated from the largest of them. */
  cpuBenchSizes: number[];
  benchRuns: number;
  cpuBenchRuns: number;
  /** Long side of the harmonization's working size. */
  harmonizeSize: number;
  /** Synthetic VGG-19 on the device: the timing run. */
  timingIters: [number, number];
  /** vgg19-shallow with the kit's weights on the device: the quality run. */
  qualityIters: [number, number];
  /** vgg19-shallow on the device and on the CPU with the same, smaller counts: the comparison. */
  compareIters: [number, number];
  /** Most seconds a stage may take before it is stopped and reported as partial. */
  stageCaps: Record<StageName, number>;
}

// Budget on one modern GPU and 16 CPU cores: probes ~10 s; compute ~60 s (CPU measured at
// 512 px only, 1024 px extrapolated); quality run ~60 s; comparison ~40 s (the CPU's 150 + 150
// iterations of vgg19-shallow at 700 px dominate); timing ~100 s. The caps leave room for a
// slower GPU; the deadline stops whatever is left.
const FULL: Profile = {
  benchSizes: [512, 1024],
  cpuBenchSizes: [512],
  benchRuns: 3,
  cpuBenchRuns: 2,
  harmonizeSize: 700,
  timingIters: [1000, 1000],
  qualityIters: [1000, 1000],
  compareIters: [150, 150],
  stageCaps: { compute: 120, 'harmonize-quality': 120, 'harmonize-compare': 90, 'harmonize-timing': 160 },
};

const TINY: Profile = {
  benchSizes: [48, 64],
  cpuBenchSizes: [48],
  benchRuns: 2,
  cpuBenchRuns: 2,
  harmonizeSize: 96,
  timingIters: [3, 3],
  qualityIters: [3, 3],
  compareIters: [2, 2],
  stageCaps: { compute: 60, 'harmonize-quality': 60, 'harmonize-compare': 60, 'harmonize-timing': 60 },
};

export function profileOf(opts: Pick<CheckOptions, 'tiny'>): Profile {
  return opts.tiny ? TINY : FULL;
}

export class UsageError extends Error {}

export function parseCheckArgs(argv: string[]): CheckOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        device: { type: 'string' }, out: { type: 'string' }, deadline: { type: 'string', default: '450' },
        tiny: { type: 'boolean', default: false }, kit: { type: 'string' }, example: { type: 'string', default: '16' }, stages: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) throw new UsageError('');
  if (!values.out) throw new UsageError('--out DIR is required.');
  const deadlineSeconds = Number(values.deadline);
  if (!(deadlineSeconds > 0)) throw new UsageError(`--deadline must be a positive number of seconds, not '${values.deadline}'.`);
  const example = Number(values.example);
  if (!Number.isInteger(example) || example < 0) throw new UsageError(`--example must be a kit example number, not '${values.example}'.`);
  const asked = values.stages?.split(',').map((x) => x.trim()).filter(Boolean) ?? [...STAGES];
  const unknown = asked.filter((x) => !(STAGES as readonly string[]).includes(x));
  if (unknown.length > 0 || asked.length === 0) throw new UsageError(`--stages takes some of ${STAGES.join(', ')}; not '${values.stages}'.`);
  return {
    device: values.device,
    out: path.resolve(values.out),
    deadlineSeconds,
    tiny: values.tiny!,
    kit: path.resolve(values.kit ?? KIT),
    example,
    stages: STAGES.filter((x) => asked.includes(x)),
  };
}
