// The one finite-difference check every backward op and loss head is tested with.
// Graphs run in float32, so the check compares directional derivatives along random
// directions (robust to rounding) plus a few single coordinates with large gradients.
import { mulberry32 } from '../../shared/seeded-random.js';

export interface GradcheckOptions {
  /** Step along each (unit) direction. */
  eps?: number;
  directions?: number;
  coordinates?: number;
  /** Allowed |fd − analytic| / max(|fd|, |analytic|, floor). */
  rtol?: number;
  seed?: number;
}

export interface GradcheckReport {
  worst: number;
  checks: Array<{ kind: string; fd: number; analytic: number; err: number }>;
}

export async function gradcheck(
  f: (x: Float32Array) => Promise<number>,
  x: Float32Array,
  grad: Float32Array,
  opts: GradcheckOptions = {},
): Promise<GradcheckReport> {
  const { eps = 3e-3, directions = 4, coordinates = 4, rtol = 2e-2, seed = 7 } = opts;
  const rand = mulberry32(seed);
  const gNorm = Math.sqrt(grad.reduce((a, v) => a + v * v, 0));
  const floor = 1e-3 * gNorm + 1e-6;
  const checks: GradcheckReport['checks'] = [];
  const along = async (v: Float32Array, kind: string): Promise<void> => {
    const plus = x.map((xi, i) => xi + eps * v[i]);
    const minus = x.map((xi, i) => xi - eps * v[i]);
    const fd = ((await f(plus)) - (await f(minus))) / (2 * eps);
    let analytic = 0;
    for (let i = 0; i < x.length; i++) analytic += grad[i] * v[i];
    const err = Math.abs(fd - analytic) / Math.max(Math.abs(fd), Math.abs(analytic), floor);
    checks.push({ kind, fd, analytic, err });
  };
  for (let d = 0; d < directions; d++) {
    const v = new Float32Array(x.length).map(() => rand() * 2 - 1);
    const n = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    await along(v.map((e) => e / n), `direction ${d}`);
  }
  const order = Array.from(grad.keys()).sort((a, b) => Math.abs(grad[b]) - Math.abs(grad[a]));
  for (const i of order.slice(0, coordinates)) {
    const v = new Float32Array(x.length);
    v[i] = 1;
    await along(v, `coordinate ${i}`);
  }
  const worst = Math.max(...checks.map((c) => c.err));
  if (worst > rtol) {
    const lines = checks.map((c) => `  ${c.kind}: fd ${c.fd.toExponential(4)} analytic ${c.analytic.toExponential(4)} err ${c.err.toExponential(2)}`);
    throw new Error(`gradcheck failed (worst relative error ${worst.toExponential(2)} > ${rtol}):\n${lines.join('\n')}`);
  }
  return { worst, checks };
}

export { mulberry32 };

export function randomArray(n: number, rand: () => number, scale = 1, offset = 0): Float32Array {
  return new Float32Array(n).map(() => (rand() * 2 - 1) * scale + offset);
}
