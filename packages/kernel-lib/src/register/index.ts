/**
 * Registration: rigid and affine (NCC or MIND-SSC, multi-resolution, landmark initialisation),
 * convexAdam deformable registration, displacement fields (warp, compose, invert, Jacobian, NIfTI
 * vector files), the Learn2Reg field metrics (TRE, SDlogJ, folding; the label metrics `labelDice`
 * and `hd95` are in metrics/), and slice-to-volume registration of 2D sections (virtual sections
 * at any pose, NMI pose search, 2D deformable refinement). Pairs with known truth to test it on
 * are phantoms (`timePointPair`, `crossModalPair`, `sectionPairs` in phantom/).
 *
 * Conventions: transforms map fixed points to moving points (pull); an `AffineTransform` works in
 * µm on [z, y, x]; a `DisplacementField` is Float32 [3, z, y, x] in voxels of the fixed grid.
 *
 * @example
 * import { registerLinear, convexAdam, warpVolume, composeFields, DisplacementField, jacobianStatistics } from '@mdlma/kernel';
 * const { transform } = await registerLinear(fixed, moving, { model: 'affine' });
 * const { field } = await convexAdam(fixed, moving, { initial: transform });
 * const warped = warpVolume(moving, field);
 * jacobianStatistics(field).sdLogJ;
 *
 * const { pose, warped } = await registerSection(histology, volume);   // histology: a [1, h, w] volume
 * const section = virtualSection(volume, pose, { shape: [256, 256] });
 */
export { adamRefine } from './adam';
export { convexAdam } from './convex-adam';
export type { ConvexAdamResult } from './convex-adam';
export { coupledConvex, makeInverseConsistent } from './convex';
export { composeFields, DisplacementField, inverseConsistencyError, invertField, jacobianDeterminant } from './field';
export { NIFTI_INTENT_DISPLACEMENT_VECTOR, readFieldNifti, writeFieldNifti } from './field-io';
export { jacobianStatistics, targetRegistrationError } from './field-metrics';
export { checkGrids } from './grids';
export { boxFilter3, upsample } from './interpolate';
export { registerLinear } from './linear';
export type { LinearRegistrationResult } from './linear';
export { MIND_CHANNELS, mindSsc } from './mind';
export { sampleSection, sectionAngles, sectionFrame, sectionPoseError, sectionRotation, virtualSection } from './section';
export type { SectionFrame, SectionPose } from './section';
export type { SectionDeformableOptions } from './section-deform';
export { registerSection } from './section-register';
export type { RegisterSectionResult } from './section-register';
export { AffineTransform, rotationMatrix } from './transform';
export { resampleOnto, warpVolume } from './warp';
export type { WarpMethod } from './warp';
