import { VolumeShapeError } from '../errors';
import { Volume } from '../volume';
import { gaussian } from './gaussian';

/** Standard deviation in µm of a volume's mass along axis a, around its centre of mass. */
function spreadUm(v: Volume, a: 0 | 1 | 2): number {
  let mass = 0;
  let first = 0;
  let second = 0;
  const [nz, ny, nx] = v.shape;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const w = v.get(z, y, x);
    const p = [z, y, x][a] * v.spacing[a];
    mass += w;
    first += w * p;
    second += w * p * p;
  }
  const mean = first / mass;
  return Math.sqrt(second / mass - mean * mean);
}

describe('gaussian', () => {
  it('blurs a delta into a Gaussian whose sigma is in µm on an anisotropic grid', () => {
    const v = Volume.zeros([31, 41, 41], 'uint16', { spacing: [3, 1.5, 2] });
    v.set(15, 20, 20, 1000);
    const g = gaussian(v, { sigma: 6 });
    expect(g.dtype).toBe('float32');
    expect(spreadUm(g, 0)).toBeCloseTo(6, 1);
    expect(spreadUm(g, 1)).toBeCloseTo(6, 1);
    expect(spreadUm(g, 2)).toBeCloseTo(6, 1);
    // Mass is kept, the peak is where the delta was.
    expect(g.data.reduce((s, x) => s + x, 0)).toBeCloseTo(1000, 0);
    expect(g.get(15, 20, 20)).toBe(Math.max(...g.data));
  });

  it('takes a sigma per axis and leaves an axis alone with sigma 0', () => {
    const v = Volume.zeros([21, 21, 41], 'float32');
    v.set(10, 10, 20, 1);
    const g = gaussian(v, { sigma: [0, 2, 3] });
    expect(g.get(9, 10, 20)).toBe(0);
    expect(spreadUm(g, 1)).toBeCloseTo(2, 2);
    expect(spreadUm(g, 2)).toBeCloseTo(3, 2);
  });

  it('keeps a constant volume constant up to the edges', () => {
    const v = Volume.zeros([6, 7, 8], 'float32');
    v.data.fill(5);
    const g = gaussian(v, { sigma: 2 });
    expect(Math.max(...g.data.map(x => Math.abs(x - 5)))).toBeLessThan(1e-5);
    expect(() => gaussian(v, { sigma: -1 })).toThrow(VolumeShapeError);
  });
});
