/**
 * @mdlma/kernel: everything that computes in MDLMA Lab, used from notebooks through the
 * "TypeScript (MDLMA)" kernel and as the `mdlma` command.
 *
 * This index names what notebooks use. Each module's other exports (engines, parsers, encoders)
 * stay reachable by module path, e.g. `@mdlma/kernel/segment` or `@mdlma/kernel/numeric`; the
 * contracts with the front end are `@mdlma/kernel/protocol`. The kernel process and the CLI are
 * not part of the library.
 *
 * @example
 * import { read, segment, show, progressBar, table, plot } from '@mdlma/kernel';
 */

// Errors: every typed error a call can throw, so that cells can catch them by class.
export {
  ActiveLearningError, CatalogAuthError, CatalogConfigError, CatalogError, CatalogForbiddenError, CatalogNotFoundError,
  CatalogRequestError, CatalogServerError, CatalogUnavailableError, CommClosedError, InterruptedError, KernelNotRunningError,
  MdlmaError, MetricsInputError, ModelCardError, ModelChecksumError, ModelDisposedError, ModelFormatError, ModelNotFoundError, ModelPrecisionError, ModuleLoadError,
  OutputPathError, PhantomOptionError, RegistrationInputError, SegmentOptionError, SlurmCommandError, SlurmError,
  SlurmJobError, SlurmSubmitError, SlurmTemplateError, SlurmUnavailableError, StochasticInferenceError, UnsupportedDTypeError,
  UsageError, VolumeFormatError, VolumeNotFoundError, VolumeRangeError, VolumeShapeError
} from './errors';

// Runtime: comms, interrupts, ESM packages.
export { Comm, CommRegistry, comms, importEsm, interruptSignal, resolveSignal, throwIfInterrupted, UnknownCommTargetError } from './runtime';
export type { CommData, CommMessage, CommTargetHandler } from './runtime';

// Display: progress, tables, plots, slices, the volume viewer.
export { LABEL_COLORS, plot, ProgressBar, progressBar, publishDisplay, show, showImages, showSlices, table, ViewerHandle } from './display';
export type {
  ImagePanel, LayerInput, LayerOptions, MimeBundle, Row, ShowLayers, VegaLiteSpec
} from './display';

// Volumes: the in-memory grid, lazy sources, geometry, slicing and resampling.
export {
  allocate, axesFor, backProject, bin, bytesPerVoxel, crop, DTYPES, dtypeOf, dtypeRange, isDType, isOrthogonalAxis, memorySource,
  orthoSlice, pad, resample, sampleSlices, SliceGeometry, sliceStack, SUN_AXES, viewOf, Volume
} from './volume';
export type {
  BinMethod, Direction, DType, DTypeArrays, GridAccumulator, GridBox, Index3, Region, ResampleMethod, Shape3, Slice2D, SliceStack,
  SliceValues, SlabReadOptions, SunAxis, Vec3, VolumeSource, VoxelArray
} from './volume';

// Reading and writing volumes: NIfTI, TIFF, Zarr, HDF5/NeXus, raw.
export {
  createWriter, createZarr, formatFromExtension, NEXUS_DATA_PATH, open, openHdf5, openNifti, openRaw, openTiff, openTiffStack,
  openZarr, openZarrWriter, read, sniffFormat, write, ZarrWriter
} from './io';
export type {
  Hdf5WriteOptions, NiftiWriteOptions, NonFinitePolicy, RawSidecar, SlabWriteOptions, TiffWriteOptions, VolumeFormat,
  VolumeWriter, WriteHeader, ZarrWriteOptions
} from './io';
export type { NiftiSource } from './io';

// Filters.
export { denoise, estimateNoiseSigma, gaussian, median, nonLocalMeans, normalisePercentile } from './filters';
export type { DenoiseMethod, DenoiseOptions } from './filters';

// Phantoms: synthetic and real-bone scans with ground truth, registration pairs, the threshold baseline.
export {
  CLASS_NAMES, classHistograms, crossModalPair, DEFAULT_FIELD_UM, histogramOverlap, IMPLANT_MATERIALS, implantPhantom, LABELS,
  QIM3D_BONE_PATH, readBoneTiff, realBonePhantom, scanSettings, sectionPairs, segmentBone, simulateScan, thresholdBaseline,
  timePointPair
} from './phantom';
export type {
  BoneSegmentation, ClassHistograms, ImplantMaterial, PairOptions,
  Phantom, PhantomCommonOptions, PhantomParams, RegistrationPair, ScanSettings, SectionPairs, SectionSample, ThresholdBaseline
} from './phantom';

// Registration: linear, convexAdam, 2D-to-3D sections, fields and their checks.
export {
  AffineTransform, composeFields, convexAdam, DisplacementField, inverseConsistencyError, invertField, jacobianDeterminant,
  jacobianStatistics, mindSsc, readFieldNifti, registerLinear, registerSection, sectionPoseError, targetRegistrationError,
  virtualSection, warpVolume, writeFieldNifti
} from './register';
export type {
  ConvexAdamResult, LinearRegistrationResult,
  RegisterSectionResult, SectionDeformableOptions, SectionPose, WarpMethod
} from './register';

// Slurm: the client, job templates, array segmentation.
export {
  appConnection, findTemplate, loadTemplates, mergeSegmentArray, readAppConnection, renderTemplate, resubmitSegmentTasks,
  segmentOnCluster, SlurmClient, submitSegmentArray
} from './cluster';
export type { JobTemplate, RenderedTemplate, SegmentArrayRun, SegmentClusterResult } from './cluster';
export { TERMINAL_STATES } from './protocol';
export type { AppConnection, JobState, JobSubmission, SlurmJob, SubmitOptions, SubmitResult } from './protocol';

// Models and segmentation.
export { cudaProviderInstalled, modelsRoot, parseModelCard, SegmentationModel } from './models';
export type { Device, ExecutionProvider, ModelCard, ModelVariant, Normalisation, Precision } from './models';
export { segment } from './segment';
export type { SegmentFileResult, SegmentFiles, SegmentOutputs, SegmentResult, SegmentStats, Voting } from './segment';

// Metrics.
export {
  degradationMetrics, degradationRows, dice, hd95, LABEL_NAMES, labelDice, metricsPlot, metricsTable, segmentationMetrics,
  surfaceDistances
} from './metrics';
export type { ClassMetrics, DegradationMetrics, SegmentationMetrics, ShellFraction, SurfaceDistances } from './metrics';

// Active learning and annotation.
export {
  acquire, ACQUISITION_STRATEGIES, ActiveLearning, activeLearning, AnnotationStore, annotationSession, defaultLabelsPath,
  exportAnnotationLabels, handleAnnotationMessage, openAnnotationPanel, predictOutputs, registerAnnotationSession,
  SegmentationHead, selectSlices
} from './active';
export type {
  AcquisitionStrategy, Aggregation, AnnotationInput, AnnotationSession, ModelOutputs,
  RoundRecord, StrokeInput, UncertaintyKind
} from './active';
export { ORTHOGONAL_AXES, runsFromPixels, sliceShape, UNLABELLED, voxelOf } from './protocol';
export type { AnnotatedSlice, AnnotationOp, LabelExport, OrthogonalAxis, Suggestion } from './protocol';

// The SciCat catalog.
export { SciCatClient, searchDatasets } from './catalog';
export type {
  Attachment, CatalogQuery, DataFile, Dataset, DatasetCommon, DerivedDatasetInput, OrigDatablock, ScientificCondition
} from './catalog';
export { catalog, CatalogConnection, connectCatalog, readCatalogSettings, saveCatalogSettings, toLocalPath, toRemotePath } from './catalog/node';
export type { CatalogFile, CatalogSettings, DerivedRegistration, PathMap } from './catalog/node';
