/**
 * The model registry: `models/<name>/model.onnx` + `model.json` (the card), checked against its
 * sha256, run by ONNX Runtime with execution-provider fallback CUDA -> WebGPU -> CPU.
 *
 * Where: `<repo>/models` found from this package, or $MDLMA_MODELS, or an explicit folder.
 * CUDA: not in onnxruntime-node's npm package; scripts/install-onnxruntime-cuda.sh copies the
 * provider libraries from the matching onnxruntime-gpu wheel. CPU stays the default.
 *
 * @example
 * import { SegmentationModel } from '@mdlma/kernel';
 * const model = await SegmentationModel.load('sun-implant', { device: 'auto', threads: 2 });
 * model.provider;           // 'cpu' unless CUDA or WebGPU started
 * model.skipped;            // why the others did not
 * model.card.input.tile;    // [h, w]
 */
export { parseModelCard, PRECISION_CHOICES } from './card';
export type { ModelCard, ModelVariant, Normalisation, Precision } from './card';
export { modelFolder, modelsRoot } from './locate';
export { SegmentationModel } from './model';
export { createSession, cudaProviderInstalled, onnxRuntime, onnxRuntimeBinFolder, ortFloat32 } from './providers';
export type { CreatedSession, Device, ExecutionProvider } from './providers';
