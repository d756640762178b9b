/**
 * The slice the annotation panel paints on, as pixels: the layers `get-slice` returns (image, prediction,
 * confidence), the image's grey levels, the label colours, and their composition with the user's labels and the
 * stroke in progress.
 */
import { UNLABELLED, type AnnotationEnvelope, type SliceReply } from '@mdlma/kernel/protocol';

import { DEFAULT_CLASSES, hexToRgb } from '../viewer/colormaps';

/** What `get-slice` returned, by layer. */
export interface SliceData {
  shape: [number, number];
  prediction?: Uint8Array;
  confidence?: Uint8Array;
  image?: Float32Array;
}

/** The layers of a `get-slice` reply, by name. */
export function sliceData(reply: AnnotationEnvelope<SliceReply>): SliceData {
  const out: SliceData = { shape: reply.data.shape };
  reply.data.layers.forEach((name, k) => {
    const bytes = reply.buffers[k];
    if (!bytes) return;
    if (name === 'prediction') out.prediction = bytes;
    else if (name === 'confidence') out.confidence = bytes;
    else if (name === 'image') {
      const aligned = bytes.byteOffset % 4 ? bytes.slice() : bytes;
      out.image = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
    }
  });
  return out;
}

/** 0..255 grey levels between the slice's 1st and 99th percentiles. */
export function normalise(image: Float32Array): Uint8Array {
  const sorted = Float32Array.from(image).sort();
  const lo = sorted[Math.floor(sorted.length * 0.01)] ?? 0;
  const hi = sorted[Math.floor(sorted.length * 0.99)] ?? 1;
  const out = new Uint8Array(image.length);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let p = 0; p < image.length; p++) out[p] = Math.max(0, Math.min(255, (image[p] - lo) * scale));
  return out;
}

const BACKGROUND = '#8a94a6';
const EXTRA = ['#5cb85c', '#f0ad4e', '#9b59b6', '#1abc9c', '#e67e22', '#34495e'];

/** The colour of a label: background grey, then the project's class colours. */
export function colorOf(label: number): string {
  if (label === 0) return BACKGROUND;
  return DEFAULT_CLASSES[label]?.color ?? EXTRA[(label - 1) % EXTRA.length];
}

const rgbCache = new Map<number, number[]>();
export function rgbOf(label: number): number[] {
  let rgb = rgbCache.get(label);
  if (!rgb) rgbCache.set(label, (rgb = hexToRgb(colorOf(label))));
  return rgb;
}

/** What `composeSlice` blends, bottom to top. */
export interface SliceLayers {
  data?: SliceData;
  /** The document's labels of the slice (UNLABELLED where none). */
  labels?: ArrayLike<number>;
  /** The stroke in progress (1 where painted). */
  stroke?: Uint8Array;
  strokeColor: number[];
  predictionOpacity: number;
  confidenceOpacity: number;
}

/** Writes the RGBA pixels of the slice: grey image, prediction, uncertainty, labels, stroke. */
export function composeSlice(px: Uint8ClampedArray, layers: SliceLayers): void {
  const { data, labels, stroke, strokeColor, predictionOpacity, confidenceOpacity } = layers;
  const gray = data?.image ? normalise(data.image) : undefined;
  for (let p = 0, q = 0; q < px.length; p++, q += 4) {
    let r = gray ? gray[p] : 0, g = r, b = r;
    const blend = (rgb: number[], a: number) => {
      r += (rgb[0] - r) * a;
      g += (rgb[1] - g) * a;
      b += (rgb[2] - b) * a;
    };
    if (data?.prediction && data.prediction[p] !== 0 && predictionOpacity > 0) blend(rgbOf(data.prediction[p]), predictionOpacity);
    if (data?.confidence && confidenceOpacity > 0) blend([255, 0, 255], confidenceOpacity * (1 - data.confidence[p] / 255));
    if (labels && labels[p] !== UNLABELLED) blend(rgbOf(labels[p]), 0.75);
    if (stroke?.[p]) blend(strokeColor, 0.85);
    px[q] = r;
    px[q + 1] = g;
    px[q + 2] = b;
    px[q + 3] = 255;
  }
}
