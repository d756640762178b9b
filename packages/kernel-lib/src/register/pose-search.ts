/**
 * Nelder-Mead over a section pose (Lagarias et al. 1998 coefficients): the six parameters
 * [az, ay, ax, tz, ty, tx] scaled so that one unit is `step.angle` degrees or `step.offset` µm. NMI
 * is piecewise smooth and has no cheap gradient; the simplex needs none.
 *
 * @example
 * const { pose, value } = refinePose(p => -sectionNmi(level, p), start, { angle: 5, offset: 150 }, 150);
 */
import type { SectionPose } from './section';

const { abs } = Math;

/** Nelder-Mead (Lagarias et al. 1998 coefficients) over [az, ay, ax, tz, ty, tx], scaled by the steps. */
export function refinePose(
  f: (pose: SectionPose) => number,
  start: SectionPose,
  step: { angle: number; offset: number },
  maxEvaluations: number
): { pose: SectionPose; value: number; evaluations: number } {
  const n = 6;
  const scale = [step.angle, step.angle, step.angle, step.offset, step.offset, step.offset];
  const x0 = [...start.angles, ...start.offset];
  const toPose = (u: number[]): SectionPose => ({
    angles: [x0[0] + u[0] * scale[0], x0[1] + u[1] * scale[1], x0[2] + u[2] * scale[2]],
    offset: [x0[3] + u[3] * scale[3], x0[4] + u[4] * scale[4], x0[5] + u[5] * scale[5]]
  });
  let evaluations = 0;
  const value = (u: number[]): number => {
    evaluations++;
    const v = f(toPose(u));
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: { u: number[]; v: number }[] = [];
  const origin = new Array(n).fill(0);
  simplex.push({ u: origin, v: value(origin) });
  for (let i = 0; i < n; i++) {
    const u = origin.slice();
    u[i] = 1;
    simplex.push({ u, v: value(u) });
  }
  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.v - b.v);
    const bestV = simplex[0].v;
    const worst = simplex[n];
    if (abs(worst.v - bestV) < 1e-7 && simplex.every(s => s.u.every((c, i) => abs(c - simplex[0].u[i]) < 0.05))) break;
    const centroid = new Array(n).fill(0);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i] += simplex[k].u[i] / n;
    const along = (t: number): number[] => centroid.map((c, i) => c + t * (worst.u[i] - c));
    const xr = along(-1);
    const vr = value(xr);
    if (vr < bestV) {
      const xe = along(-2);
      const ve = value(xe);
      simplex[n] = ve < vr ? { u: xe, v: ve } : { u: xr, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { u: xr, v: vr };
    } else {
      const outside = vr < worst.v;
      const xc = along(outside ? -0.5 : 0.5);
      const vc = value(xc);
      if (vc < (outside ? vr : worst.v)) {
        simplex[n] = { u: xc, v: vc };
      } else {
        for (let k = 1; k <= n; k++) {
          const u = simplex[k].u.map((c, i) => simplex[0].u[i] + 0.5 * (c - simplex[0].u[i]));
          simplex[k] = { u, v: value(u) };
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { pose: toPose(simplex[0].u), value: simplex[0].v, evaluations };
}

/** The same rotation with ay in [-90, 90] and az, ax in (-180, 180]. */
