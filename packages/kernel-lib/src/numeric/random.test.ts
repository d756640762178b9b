import { Rng } from './random';

describe('Rng', () => {
  it('repeats its sequence for the same seed and stream, and differs otherwise', () => {
    const draw = (seed: number, stream = 0) => {
      const rng = new Rng(seed, stream);
      return Array.from({ length: 5 }, () => rng.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, Rng.stream('bone'))).not.toEqual(draw(42, Rng.stream('implant')));
  });

  it('draws uniform, normal and Poisson deviates with the right moments', () => {
    const rng = new Rng(7);
    const n = 20000;
    let u = 0;
    let g = 0;
    let g2 = 0;
    let p = 0;
    let big = 0;
    for (let i = 0; i < n; i++) {
      u += rng.uniform();
      const z = rng.normal();
      g += z;
      g2 += z * z;
      p += rng.poisson(4);
      big += rng.poisson(1000);
    }
    expect(u / n).toBeCloseTo(0.5, 1);
    expect(g / n).toBeCloseTo(0, 1);
    expect(g2 / n).toBeCloseTo(1, 1);
    expect(p / n).toBeCloseTo(4, 1);
    expect(big / n / 1000).toBeCloseTo(1, 2);
  });
});
