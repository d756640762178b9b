// A displacement field on disk: a NIfTI vector image (intent 1006) in µm with x, y, z components.
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { DisplacementField } from './field';
import { readFieldNifti, writeFieldNifti } from './field-io';

describe('field-io', () => {
  let dir: string;
  const f = (name: string) => join(dir, name);
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mdlma-field-io-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a displacement field through a NIfTI vector image (µm, x y z components)', async () => {
    const field = DisplacementField.zeros({ shape: [3, 4, 5], spacing: [2, 3, 4], origin: [10, 20, 30] });
    field.data.forEach((_, i) => (field.data[i] = Math.sin(i) * 2));
    await writeFieldNifti(f('small.nii'), field);
    const back = await readFieldNifti(f('small.nii'));
    expect(back.shape).toEqual([3, 4, 5]);
    expect(back.origin).toEqual([10, 20, 30]);
    back.data.forEach((v, i) => expect(v).toBeCloseTo(field.data[i], 5));
    // The first component on disk is dx in µm.
    const raw = readFileSync(f('small.nii'));
    expect(raw.readFloatLE(352)).toBeCloseTo(field.data[2 * 60] * 4, 4);
    expect(raw.readInt16LE(68)).toBe(1006);
    await expect(writeFieldNifti(f('small.tif'), field)).rejects.toThrow(/\.nii/);
  });
});
