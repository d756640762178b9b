/**
 * Input checks shared by the registration entry points: the moving image on the fixed grid
 * (resampled with a warning when shapes, spacings or origins differ), and an error when the two
 * fields of view do not overlap at all.
 *
 * @example
 * const onGrid = checkGrids(fixed, moving, message => console.warn(message));
 */
import { RegistrationInputError } from '../errors';
import type { Volume } from '../volume';
import { resampleOnto } from './warp';

/** `moving` on `fixed`'s grid; warns through `onWarning` (default console.warn) when it had to be resampled. */
export function checkGrids(fixed: Volume, moving: Volume, onWarning: (message: string) => void = console.warn): Volume {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => Math.abs(v - b[i]) <= 1e-6 * Math.max(1, Math.abs(v)));
  if (same(fixed.shape, moving.shape) && same(fixed.spacing, moving.spacing) && same(fixed.origin, moving.origin)) return moving;
  const overlap = [0, 1, 2].map(a => {
    const lo = Math.max(fixed.origin[a] - fixed.spacing[a] / 2, moving.origin[a] - moving.spacing[a] / 2);
    const hi = Math.min(
      fixed.origin[a] + (fixed.shape[a] - 0.5) * fixed.spacing[a],
      moving.origin[a] + (moving.shape[a] - 0.5) * moving.spacing[a]
    );
    return hi - lo;
  });
  if (overlap.some(v => v <= 0)) {
    throw new RegistrationInputError(
      'fixed and moving images',
      `do not overlap in space (fixed origin [${fixed.origin.join(', ')}] µm, moving origin [${moving.origin.join(', ')}] µm); ` +
        'set the origins so that the fields of view overlap, or pass an initial transform'
    );
  }
  onWarning(
    `register: moving image (shape [${moving.shape.join(', ')}], spacing [${moving.spacing.join(', ')}] µm) ` +
      `resampled onto the fixed grid (shape [${fixed.shape.join(', ')}], spacing [${fixed.spacing.join(', ')}] µm)`
  );
  return resampleOnto(moving, fixed);
}
