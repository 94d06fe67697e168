// `npm run gpu-check` on the CPU at tiny sizes, as a user runs it (a real process), so the check
// that is meant for the first GPU at hand cannot rot: its JSON's structure and the values that
// can fail (CPU against CPU agrees exactly, the extrapolation, the image's size), its deadline,
// and its parts (which node an ONNX Runtime error names, where each node ran, the output kept).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVICES, autoCandidates } from '../../companion/compute/device-names.js';
import { GraphBuilder } from '../../companion/compute/onnx/graph-builder.js';
import { createSession } from '../../companion/compute/backends/onnx.js';
import { setRuntimeDiagnostics } from '../../companion/compute/diagnostics.js';
import { nodeOfError, newProfiles, placementOf } from '../../bench/gpu-check/placement.js';
import { compareStep } from '../../bench/gpu-check/compute.js';
import { foldOutput } from '../../bench/gpu-check/report.js';
import { profileOf } from '../../bench/gpu-check/options.js';
import { KIT } from '../../eval/shared-kit.js';

const ROOT = path.resolve(__dirname, '../..');
const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'gpu-check-test-'));
  temps.push(d);
  return d;
}

function runCheck(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/run-ts.mjs'), path.join(ROOT, 'bench/gpu-check/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('npm run gpu-check on the CPU, tiny sizes', () => {
  const tiny = profileOf({ tiny: true });

  it('runs every stage and reports it in one JSON file and one PNG', async () => {
    const out = await tempDir();
    const r = await runCheck(['--device', 'cpu', '--tiny', '--out', out, '--kit', KIT]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report: Json = JSON.parse(await readFile(path.join(out, 'gpu-check.json'), 'utf8'));
    expect(report).toMatchObject({ schema: 'painterly-gpu-check/1', finished: true, device: { requested: 'cpu', chosen: 'cpu' }, deadline: { reached: false }, notDone: [] });
    expect(report.wallSeconds).toBeLessThan(report.deadline.seconds);

    // A probe per provider other than the CPU, each working or saying why not.
    expect(report.probes.map((p: Json) => p.device).sort()).toEqual(DEVICES.filter((d) => d !== 'cpu').sort());
    for (const p of report.probes) {
      expect(p.offeredByAuto).toBe(autoCandidates().includes(p.device));
      if (!p.ok) expect(p.reason).toMatch(/\S/);
      expect(Array.isArray(p.output)).toBe(true);
    }
    expect(report.stages.map((s: Json) => [s.name, s.status])).toEqual([['compute', 'done'], ['harmonize-quality', 'done'], ['harmonize-compare', 'done'], ['harmonize-timing', 'done']]);
    const [compute, quality, compare, timing] = report.stages.map((s: Json) => s.data);

    // Compute: every size and graph on the device; the CPU measured at the small size and
    // extrapolated to the large one by the pixel ratio; the speedup is their quotient.
    const [small, large] = tiny.benchSizes;
    expect(compute.rows.map((r: Json) => `${r.graph}@${r.size}`)).toEqual([`step@${small}`, `features@${small}`, `step@${large}`, `features@${large}`]);
    for (const row of compute.rows) {
      expect(row.device.seconds).toBeGreaterThan(0);
      expect(row.device.runs).toBe(tiny.benchRuns);
      expect(row.speedup).toBeCloseTo(row.cpu.seconds / row.device.seconds, 10);
      if (row.size === small) expect(row.cpu).toMatchObject({ runs: tiny.cpuBenchRuns });
      else {
        const measured = compute.rows.find((r: Json) => r.graph === row.graph && r.size === small).cpu.seconds;
        expect(row.cpu.extrapolatedFrom).toBe(small);
        expect(row.cpu.seconds).toBeCloseTo(measured * (large / small) ** 2, 10);
      }
    }
    expect(compute.notes.join(' ')).toMatch(/extrapolated/);
    // CPU against CPU: the same graph and input give the same numbers, bit for bit.
    expect(compute.agreement).toMatchObject({ size: small, agrees: true, loss: { relDiff: 0 }, grad: { relL2: 0, maxAbsDiff: 0 }, features: { relL2: 0 } });
    expect(compute.agreement.loss.cpu).toBeGreaterThan(0);
    expect(compute.agreement.grad.maxAbsCpu).toBeGreaterThan(0);
    for (const graph of ['step', 'features']) {
      const p = compute.placement[graph];
      expect(Object.keys(p.nodesPerProvider)).toEqual(['CPUExecutionProvider']);
      expect(p.onCpu).toEqual([]);
      expect(p.slowest.length).toBeGreaterThan(0);
    }

    // Harmonization: the iteration counts asked for, run to the end; the two CPU runs of the
    // comparison give the same image; the CPU estimate for the quality run is in the report.
    expect(quality.run).toMatchObject({ backbone: 'vgg19-shallow', weights: 'kit', completed: true, iterations: tiny.qualityIters });
    expect(quality.run.passes.map((p: Json) => p.iterations)).toEqual(tiny.qualityIters);
    expect(Math.max(quality.run.size.width, quality.run.size.height)).toBe(tiny.harmonizeSize);
    expect(quality.deltaE.deviceVsPublished).toBeGreaterThan(0);
    expect(compare.device.passes.map((p: Json) => p.iterations)).toEqual(tiny.compareIters);
    expect(compare.cpu.passes.map((p: Json) => p.iterations)).toEqual(tiny.compareIters);
    expect(compare.deltaE.deviceVsCpu).toBe(0);
    expect(compare.cpuEstimate.iterations).toEqual(tiny.qualityIters);
    expect(compare.cpuEstimate.seconds).toBeGreaterThan(0);
    expect(timing.run).toMatchObject({ backbone: 'vgg19', weights: 'synthetic', completed: true, iterations: tiny.timingIters });

    // The image: naive | quality | comparison on the device | on the CPU | published, each at the working size.
    const { width, height } = quality.run.size;
    expect(report.png.panels.map((p: Json) => p.order)).toEqual([0, 1, 2, 3, 9]);
    for (const p of report.png.panels) expect([p.width, p.height]).toEqual([width, height]);
    expect([report.png.width, report.png.height]).toEqual([5 * width + 4 * 4, height]);
    const meta = await sharp(path.join(out, 'gpu-check.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', report.png.width, report.png.height]);
    expect(report.summary.join('\n')).toMatch(/agreement at \d+ px: .* → agrees/);
    expect(r.stdout).toContain('report: ');
  }, 300_000);

  it('stops at its deadline, says what it did not get to, and what the kit lacks', async () => {
    const out = await tempDir();
    const emptyKit = await tempDir();
    const deadline = 6;
    const r = await runCheck(['--device', 'cpu', '--tiny', '--deadline', String(deadline), '--out', out, '--kit', emptyKit]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const report: Json = JSON.parse(await readFile(path.join(out, 'gpu-check.json'), 'utf8'));
    expect(report).toMatchObject({ finished: true, deadline: { seconds: deadline, reached: true }, png: null });
    expect(report.wallSeconds).toBeLessThan(deadline);
    expect(existsSync(path.join(out, 'gpu-check.png'))).toBe(false);
    expect(report.kit.missing).toContain('weights/vgg19-conv1_1-to-conv3_4.safetensors');
    const byStage = Object.fromEntries(report.notDone.map((n: Json) => [n.stage, n]));
    expect(Object.keys(byStage)).toEqual(expect.arrayContaining(['compute', 'harmonize-quality', 'harmonize-compare', 'harmonize-timing']));
    expect(byStage['harmonize-quality'].reason).toMatch(/kit files missing .*weights\/vgg19-conv1_1-to-conv3_4\.safetensors/);
    expect(byStage.compute.reason).toMatch(/deadline/);
    expect(byStage['harmonize-timing'].reason).toMatch(/deadline/);
  });

  it('survives a provider that takes its process down: that stage fails, a new worker runs the rest', async () => {
    const out = await tempDir();
    const r = await runCheck(['--device', 'cpu', '--tiny', '--out', out, '--kit', KIT, '--stages', 'harmonize-quality,harmonize-compare'], { PAINTERLY_GPU_CHECK_CRASH_IN: 'harmonize-quality' });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const report: Json = JSON.parse(await readFile(path.join(out, 'gpu-check.json'), 'utf8'));
    expect(report.stages.map((s: Json) => [s.name, s.status])).toEqual([['compute', 'skipped'], ['harmonize-quality', 'failed'], ['harmonize-compare', 'done'], ['harmonize-timing', 'skipped']]);
    expect(report.stages[1].reason).toMatch(/worker process ended while running it .*SIGSEGV/);
    expect(report.notDone.map((n: Json) => n.stage)).toEqual(['harmonize-quality']);
    expect(report.stages[2].data.deltaE.deviceVsCpu).toBe(0);
    // The image has what the second worker made: naive, both comparison runs, published.
    expect(report.png.panels.map((p: Json) => p.order)).toEqual([0, 2, 3, 9]);
  }, 300_000);

  it('refuses bad arguments with the usage', async () => {
    const r = await runCheck(['--device', 'tpu', '--out', os.tmpdir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown device 'tpu'/);
    expect(r.stderr).toMatch(/Usage: npm run gpu-check/);
    expect((await runCheck(['--tiny'])).stderr).toMatch(/--out DIR is required/);
    expect((await runCheck(['--out', os.tmpdir(), '--stages', 'compute,warp'])).stderr).toMatch(/--stages takes some of compute, /);
  });
});

describe('gpu-check parts', () => {
  it('names the node, op and layer of an ONNX Runtime error', async () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', [1, 4]);
    g.name_(g.op('Reshape', [x, g.ints([3])], {}, 'relu4_1_hist'), 'y');
    g.output('y');
    setRuntimeDiagnostics({ logSeverity: 4 }); // the failure is expected: keep the runtime from logging it
    const s = await createSession(g.toBytes());
    const err = await s.run({ x: { data: new Float32Array(4), dims: [1, 4] } }).then(() => undefined, (e: Error) => e);
    await s.release();
    setRuntimeDiagnostics({});
    expect(nodeOfError(String(err?.message))).toEqual({ name: expect.stringMatching(/^relu4_1_hist\/Reshape__\d+$/), op: 'Reshape', layer: 'relu4_1_hist' });

    const bad = new GraphBuilder('t');
    bad.name_(bad.op('Frobnicate', [bad.input('x', [2])], {}, 'head'), 'y');
    bad.output('y');
    const invalid = await createSession(bad.toBytes()).then(() => undefined, (e: Error) => e);
    expect(nodeOfError(String(invalid?.message))).toMatchObject({ op: 'Frobnicate', layer: 'head' });
    // Messages from the WebGPU provider's kernel checks and from placement failures.
    expect(nodeOfError("Non-zero status code returned while running MaxPool node. Name:'pool1/3x3_s2/MaxPool__12' Status Message: The Indices output is not supported yet.")).toEqual({ name: 'pool1/3x3_s2/MaxPool__12', op: 'MaxPool', layer: 'pool1/3x3_s2' });
    expect(nodeOfError("Could not find an implementation for TopK(11) node with name 'hist_sort/TopK__9'")).toEqual({ name: 'hist_sort/TopK__9', op: 'TopK', layer: 'hist_sort' });
    expect(nodeOfError('Failed to get a WebGPU adapter: No supported adapters')).toBeUndefined();
  });

  it('reads where each node ran from the runtime’s profiles', async () => {
    const dir = await tempDir();
    setRuntimeDiagnostics({ profileDir: dir });
    try {
      const g = new GraphBuilder('p');
      const x = g.input('x', [1, 2, 6, 6]);
      const y = g.op('Relu', [g.op('Conv', [x, g.tensor('w', new Float32Array(2 * 2 * 9).fill(0.1), [2, 2, 3, 3])], { pads: [1, 1, 1, 1] }, 'conv1_1')], {}, 'conv1_1');
      g.name_(g.op('Sqrt', [g.sumSquares(y)], {}, 'loss'), 'l');
      g.output('l');
      const s = await createSession(g.toBytes());
      for (let i = 0; i < 3; i++) await s.run({ x: { data: new Float32Array(72).fill(1), dims: [1, 2, 6, 6] } });
      await s.release();
    } finally {
      setRuntimeDiagnostics({});
    }
    const files = await newProfiles(dir, new Set());
    expect(files).toHaveLength(1);
    const onCpu = await placementOf(files, 'cpu', 3);
    const nodes = onCpu.nodesPerProvider.CPUExecutionProvider;
    expect(nodes).toBeGreaterThanOrEqual(3);
    expect(onCpu.onCpu).toEqual([]);
    expect(onCpu.slowest.map((n) => n.layer)).toEqual(expect.arrayContaining(['loss']));
    // Read as if the session had been opened for a GPU: every node it ran on the CPU is named.
    const asGpu = await placementOf(files, 'webgpu', 3);
    expect(asGpu.onCpu).toHaveLength(nodes);
    expect(asGpu.onCpu.map((n) => n.op)).toEqual(expect.arrayContaining(['Sqrt', 'ReduceSumSquare']));
    expect(await newProfiles(dir, new Set(files.map((f) => path.basename(f))))).toEqual([]);
  });

  it('compares a step against the CPU’s: relative differences of loss and gradient', () => {
    const cpu = { loss: 2, grad: Float32Array.of(3, 0, -4) };
    const dev = { loss: 2.002, grad: Float32Array.of(3, 0.5, -4) };
    const c = compareStep(8, dev, cpu);
    expect(c.loss.relDiff).toBeCloseTo(0.001, 6);
    expect(c.grad.relL2).toBeCloseTo(0.5 / 5, 6);
    expect(c.grad.maxAbsDiff).toBeCloseTo(0.5, 6);
    expect(c.grad.maxAbsCpu).toBe(4);
    expect(c.grad.cosine).toBeCloseTo(25 / (5 * Math.sqrt(25.25)), 6);
    expect(compareStep(8, cpu, cpu).grad).toMatchObject({ relL2: 0, cosine: 1 });
  });

  it('keeps the runtime’s warnings (Vulkan’s too), folds repeats and drops its info chatter', () => {
    const lines = [
      "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory",
      '2026-12-02 02:08:06.99 [I:onnxruntime:, inference_session.cc:2657 Initialize] Adding default CPU execution provider.',
      '\x1b[1;31m2026-12-02 02:08:06.996667204 [W:onnxruntime:, session_state.cc:1280 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers\x1b[m',
      '2026-12-02 02:08:07.996667204 [W:onnxruntime:, session_state.cc:1280 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers',
      '2026-12-02 02:08:08.1 [I:onnxruntime:, webgpu_context.cc:1 Initialize] WebGPU adapter: NVIDIA',
      '',
    ];
    expect(foldOutput(lines, 7)).toEqual([
      lines[0],
      '[W:onnxruntime:, session_state.cc:1280 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers (×2)',
      '[I:onnxruntime:, webgpu_context.cc:1 Initialize] WebGPU adapter: NVIDIA',
      '(7 more lines not kept)',
    ]);
  });
});
