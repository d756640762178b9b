/**
 * Active learning (Kazimi et al., SPIE 2022): the model suggests which slices to annotate (acquisition functions),
 * the expert annotates them (a Yjs annotation store fed by the `mdlma.annotation` comm or by scripts), a fast head on
 * the frozen U-Net features retrains in seconds in the kernel, and the loop repeats; the annotations export as NIfTI
 * pairs for a full fine-tuning with models/train.
 *
 * @example
 * import { activeLearning, read } from '@mdlma/kernel';
 * const al = await activeLearning({ volume: await read('scan.nii.gz'), model: 'sun-implant', strategy: 'hybrid', axis: 'z' });
 * const next = al.suggest(4);                  // [{ axis, index, score, rank, reason }]
 * al.annotate('z', next[0].index, labels2d);   // or strokes from the annotation panel
 * await al.update();                           // head trained, volume re-predicted: seconds
 */
export { acquire, ACQUISITION_STRATEGIES, aggregateSlices, DETERMINISTIC_STRATEGIES, kCenterGreedy, selectSlices, sliceEmbeddings, sliceUncertainty, voxelUncertainty } from './acquisition';
export type { AcquisitionInput, AcquisitionStrategy, Aggregation, UncertaintyKind } from './acquisition';
export { AnnotationStore } from './annotations';
export type { StrokeInput } from './annotations';
export { annotationSession, attachAnnotationComm, handleAnnotationMessage, registerAnnotationSession, registerAnnotationTarget } from './comm';
export type { AnnotationInput, AnnotationReply, AnnotationSession } from './comm';
export { defaultLabelsPath, exportAnnotationLabels } from './label-export';
export { SegmentationHead } from './head';
export type { HeadJSON, HeadTrainingStats, TrainingSamples } from './head';
export { ActiveLearning, activeLearning } from './loop';
export type { RoundRecord } from './loop';
export { annotationPanelPayload, openAnnotationPanel } from './panel';
export { predictOutputs } from './outputs';
export type { ModelOutputs } from './outputs';
export { sliceVoxels } from './planes';

import { registerAnnotationTarget } from './comm';

// The panel may open `mdlma.annotation` before any session exists: it then gets an `error` that says to start one,
// rather than a comm closed without a word.
registerAnnotationTarget();
