import { filteredBackProjection, RAMP_WINDOWS } from './fbp';
import { Fft } from './fft';
import { forwardProject, parallelGeometry } from './radon';

/** An n x n slice holding a disc of value 1. */
function disc(n: number, radius: number, cy = 0, cx = 0): Float32Array {
  const c = (n - 1) / 2;
  const s = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if ((x - c - cx) ** 2 + (y - c - cy) ** 2 < radius * radius) s[y * n + x] = 1;
    }
  }
  return s;
}

describe('forwardProject', () => {
  it('gives the chord lengths of a disc', () => {
    const n = 64;
    const geometry = parallelGeometry(n, 16);
    const sino = forwardProject(disc(n, 20), geometry);
    const centre = (geometry.detectors - 1) / 2;
    for (let a = 0; a < 16; a++) {
      // Through the centre: the diameter; 10 bins off: 2 sqrt(r² - 10²).
      expect(sino[a * geometry.detectors + centre]).toBeCloseTo(40, -0.3);
      expect(sino[a * geometry.detectors + centre + 10]).toBeCloseTo(2 * Math.sqrt(400 - 100), -0.3);
    }
  });
});

describe('filteredBackProjection', () => {
  it('reconstructs an off-centre disc to within 1 % inside and ~0 outside', () => {
    const n = 64;
    const geometry = parallelGeometry(n, 100);
    const image = filteredBackProjection(forwardProject(disc(n, 16, 6, -4), geometry), geometry, { window: 'ram-lak' });
    const c = (n - 1) / 2;
    let inside = 0;
    let ni = 0;
    let outsideAbs = 0;
    let no = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const r = Math.hypot(x - c + 4, y - c - 6);
        if (r < 13) {
          inside += image[y * n + x];
          ni++;
        } else if (r > 19 && Math.hypot(x - c, y - c) < n / 2 - 2) {
          outsideAbs += Math.abs(image[y * n + x]);
          no++;
        }
      }
    }
    expect(Math.abs(inside / ni - 1)).toBeLessThan(0.01);
    expect(outsideAbs / no).toBeLessThan(0.02);
  });

  it('keeps the mean level with every window (smoother windows only blur edges)', () => {
    const n = 48;
    const geometry = parallelGeometry(n, 72);
    const sino = forwardProject(disc(n, 14), geometry);
    const c = Math.round((n - 1) / 2) * n + Math.round((n - 1) / 2);
    for (const window of RAMP_WINDOWS) {
      expect(filteredBackProjection(sino, geometry, { window })[c]).toBeCloseTo(1, 1);
    }
  });
});

describe('Fft', () => {
  it('inverts itself', () => {
    const fft = new Fft(16);
    const re = Float64Array.from({ length: 16 }, (_, i) => Math.sin(i) + i);
    const im = new Float64Array(16);
    const copy = re.slice();
    fft.transform(re, im);
    fft.transform(re, im, true);
    re.forEach((v, i) => expect(v).toBeCloseTo(copy[i], 10));
  });
});
