import { Volume } from '../volume';
import { denoise } from './denoise';
import { gaussian } from './gaussian';
import { estimateNoiseSigma } from './noise';

/** A float32 step (100 | 200 along x) plus Gaussian noise of `sigma`, from a fixed seed. */
function noisyStep(shape: [number, number, number], sigma: number): { clean: Volume<Float32Array>; noisy: Volume<Float32Array> } {
  const clean = Volume.zeros(shape, 'float32', { spacing: [2.4, 2.4, 2.4] });
  for (let i = 0; i < clean.size; i++) clean.data[i] = i % shape[2] < shape[2] / 2 ? 100 : 200;
  const noisy = clean.clone();
  let seed = 2024;
  const uniform = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) + 0.5) / 4294967296;
  for (let i = 0; i < noisy.size; i++) {
    noisy.data[i] += sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return { clean, noisy };
}

/** Peak signal-to-noise ratio in dB against `clean`, peak 200. */
function psnr(clean: Volume, test: Volume): number {
  let se = 0;
  for (let i = 0; i < clean.size; i++) se += (clean.data[i] - test.data[i]) ** 2;
  return 10 * Math.log10((200 * 200) / (se / clean.size));
}

describe('noise estimate', () => {
  it('recovers the sigma of white noise despite an edge', () => {
    const { noisy } = noisyStep([16, 32, 32], 20);
    expect(estimateNoiseSigma(noisy)).toBeGreaterThan(18);
    expect(estimateNoiseSigma(noisy)).toBeLessThan(22);
  });
});

describe('denoise', () => {
  const { clean, noisy } = noisyStep([20, 24, 24], 20);

  it('raises the PSNR of a noisy step with non-local means and keeps the edge sharp', async () => {
    const before = psnr(clean, noisy);
    const out = await denoise(noisy, { method: 'nlm' });
    expect(out.dtype).toBe('float32');
    expect(out.spacing).toEqual(noisy.spacing);
    expect(psnr(clean, out)).toBeGreaterThan(before + 6);
    // Edge: the two voxels either side of the step stay far apart, unlike after a Gaussian of similar strength.
    const jump = (v: Volume) => {
      let s = 0;
      for (let z = 2; z < 18; z++) for (let y = 2; y < 22; y++) s += v.get(z, y, 12) - v.get(z, y, 11);
      return s / (16 * 20);
    };
    expect(jump(out)).toBeGreaterThan(80);
    expect(jump(gaussian(noisy, { sigma: 2.4 }))).toBeLessThan(60);
  });

  it('reports progress and runs Gaussian and median too', async () => {
    const seen: number[] = [];
    await denoise(noisy, { method: 'gaussian', sigma: 4.8, onProgress: (done, total) => seen.push(done / total) });
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const labels = noisy.astype('uint16');
    const m = await denoise(labels, { method: 'median', radius: 1 });
    expect(m.dtype).toBe('uint16');
    expect(psnr(clean, m)).toBeGreaterThan(psnr(clean, labels));
  });

  it('stops with the signal reason when interrupted through an AbortController', async () => {
    const big = noisyStep([48, 48, 48], 20).noisy;
    const controller = new AbortController();
    let steps = 0;
    let total = 0;
    const running = denoise(big, {
      method: 'nlm',
      signal: controller.signal,
      onProgress: (done, of) => {
        steps = done;
        total = of;
      }
    });
    setTimeout(() => controller.abort(new Error('stop here')), 30);
    await expect(running).rejects.toThrow('stop here');
    const at = steps;
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(total);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(steps).toBe(at); // nothing runs on after the rejection
  });

  it('refuses to start with an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(denoise(noisy, { method: 'median', signal: controller.signal })).rejects.toThrow();
  });
});
