/**
 * Synthetic SRµCT phantoms of degrading Mg bone screws with exact ground truth
 * (0 background, 1 bone, 2 degradation layer, 3 residual material): the stand-in for
 * private beamline data in examples, tests, benchmarks and model training.
 *
 * Two families: `implantPhantom` (synthetic trabecular bone with a cortical shell) and
 * `realBonePhantom` (the same implant set into qim3d's real micro-CT of bone). Both run the
 * same acquisition: parallel-beam projection, Poisson noise, ring artifacts, optional phase
 * contrast, filtered back-projection. Registration pairs with known truth (`timePointPair`,
 * `crossModalPair`, `sectionPairs`) are built from the implant phantom.
 *
 * @example
 * import { implantPhantom, thresholdBaseline } from '@mdlma/kernel';
 * const { image, labels, params } = await implantPhantom({ size: 128, seed: 1, stage: 8 });
 * thresholdBaseline(image, labels).dice;   // [bg, bone, DL, RM]: DL far below the others
 */
export { implantPhantom, DEFAULT_FIELD_UM } from './phantom';
export type { Phantom, PhantomCommonOptions, PhantomParams } from './phantom';
export { QIM3D_BONE_PATH, readBoneTiff, realBonePhantom, segmentBone } from './real-bone';
export type { BoneSegmentation } from './real-bone';
export { CLASS_NAMES, classHistograms, histogramOverlap, thresholdBaseline } from './baseline';
export type { ClassHistograms, ThresholdBaseline } from './baseline';
export { simulateScan, scanSettings } from './acquisition';
export type { ScanSettings } from './acquisition';
export { IMPLANT_MATERIALS, isDegradable, MASS_ATTENUATION_38KEV, materialAttenuation } from './attenuation';
export type { ImplantMaterial, MaterialAttenuation } from './attenuation';
export { degradedFraction } from './degradation';
export { LABELS } from './anatomy';
export { backProjectSinogram, filteredBackProjection, filterSinogram, RAMP_WINDOWS, RampFilter } from './fbp';
export type { RampWindow } from './fbp';
export { forwardProject, parallelGeometry } from './radon';
export type { ParallelGeometry } from './radon';
export { crossModalPair, sectionPairs, timePointPair } from './registration-pairs';
export type { PairOptions, RegistrationPair, SectionPairs, SectionSample } from './registration-pairs';
