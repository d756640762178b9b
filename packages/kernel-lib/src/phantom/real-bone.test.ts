import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { Rng } from '../numeric';
import { Volume } from '../volume';
import { materialAttenuation } from './attenuation';
import { thresholdBaseline } from './baseline';
import { QIM3D_BONE_PATH, readBoneTiff, realBonePhantom, segmentBone } from './real-bone';
import { syntheticBone } from './trabecular';

/** A stand-in for a real scan: our synthetic bone as noisy uint8 grey values (bone bright, the rest dark). */
function standInScan(n: number): { scan: Volume<Uint8Array>; truth: Uint8Array } {
  const specimen = syntheticBone({ shape: [n, n, n], seed: 11, attenuation: materialAttenuation('Mg-5Gd') });
  const rng = new Rng(11, 99);
  const data = Uint8Array.from(specimen.bone, b => Math.max(0, Math.min(255, Math.round((b ? 210 : 40) + 25 * rng.normal()))));
  return { scan: new Volume({ data, shape: [n, n, n] }), truth: specimen.bone };
}

describe('segmentBone', () => {
  it('recovers the bone of a noisy scan', () => {
    const { scan, truth } = standInScan(64);
    const { mask, threshold } = segmentBone(scan);
    expect(threshold).toBeGreaterThan(60);
    expect(threshold).toBeLessThan(190);
    let both = 0;
    let sum = 0;
    mask.forEach((m, i) => {
      both += m & truth[i];
      sum += m + truth[i];
    });
    expect((2 * both) / sum).toBeGreaterThan(0.8);
  });
});

describe('realBonePhantom', () => {
  it('sets an implant into a stand-in scan and keeps its bone', async () => {
    const { scan } = standInScan(40);
    const { image, labels, params } = await realBonePhantom({ bone: scan, seed: 2, stage: 8, angles: 40 });
    expect(params.family).toBe('real-bone');
    expect(image.shape).toEqual([40, 40, 40]);
    expect(params.counts[1]).toBeGreaterThan(0);
    expect(params.counts[2]).toBeGreaterThan(0);
    expect(params.counts[3]).toBeGreaterThan(0);
    expect(Math.max(...labels.data)).toBe(3);
  });

  const present = existsSync(QIM3D_BONE_PATH);
  if (!present) {
    // eslint-disable-next-line no-console
    console.log(`Skipping the real qim3d bone test: ${QIM3D_BONE_PATH} is absent (run packages/kernel-lib/scripts/fetch-qim3d-bone.sh).`);
  }
  (present ? it : it.skip)('works on qim3d\'s real bone scan (skipped when the file is absent)', async () => {
    const bone = readBoneTiff(QIM3D_BONE_PATH);
    expect(bone.shape).toEqual([128, 128, 128]);
    // A 32-slice slab keeps the test short.
    const { image, labels, params } = await realBonePhantom({ bone: bone.slab(48, 80), seed: 1, stage: 8, angles: 48 });
    expect(params.volumeFractions[1]).toBeGreaterThan(0.2); // this scan is mostly bone
    const dice = thresholdBaseline(image, labels).dice;
    expect(dice[2]).toBeLessThan(dice[3] - 0.2);
  });
});

describe('readBoneTiff', () => {
  it('refuses a FIFO at once instead of blocking the kernel in a synchronous read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdlma-bone-'));
    try {
      const fifo = join(dir, 'bone.tif');
      execFileSync('mkfifo', [fifo]);
      expect(() => readBoneTiff(fifo)).toThrow(/bone\.tif: is a FIFO \(named pipe\), not a regular file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 3000);
});
