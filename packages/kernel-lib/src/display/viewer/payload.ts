/**
 * Building the payload of volume outputs (`application/vnd.mdlma.volume+json`, typed in
 * `protocol/viewer.ts`) from volumes: layer descriptions with the defaults of their kind, the
 * whole payload, and its MIME bundle with the PNG fallback and a text line.
 *
 * @example
 * const layer = describeLayer({ name: 'labels', kind: 'labels', volume: labels, src: { path: entry.relativePath } });
 * const output = volumeOutput({ layers: [layer], view: { slice: [32, 32, 32], layout: 'multiplanar' } });
 * publishDisplay(volumeBundle(output, png, 'Phantom'));
 */
import { sortedQuantile, sortedSample } from '../../numeric';
import { DEFAULT_CLASSES, VOLUME_MIME, VOLUME_OUTPUT_VERSION } from '../../protocol';
import type { LabelClass, LayerKind, LayerSettings, LayerSource, LayerSpec, ReducedLayer, Triple, VolumeOutput } from '../../protocol';
import type { Volume } from '../../volume';
import type { MimeBundle } from '../output';

/** A layer as the caller describes it (everything optional; defaults by kind). */
export interface LayerOptions extends LayerSettings {
  name?: string;
  kind?: LayerKind;
}

/** Options of `describeLayer`. */
export interface LayerInput extends LayerSettings {
  name: string;
  kind: LayerKind;
  volume: Volume;
  src: LayerSource;
  preview?: ReducedLayer;
  overview?: ReducedLayer;
}

/** A layer's description with the defaults of its kind filled in. */
export function describeLayer(input: LayerInput): LayerSpec {
  const defaults = Private.DEFAULTS[input.kind];
  const { volume } = input;
  const layer: LayerSpec = {
    name: input.name,
    kind: input.kind,
    src: input.src,
    colormap: input.colormap ?? defaults.colormap,
    opacity: input.opacity ?? defaults.opacity,
    range: input.range ?? (input.kind === 'image' ? intensityRange(volume) : input.kind === 'labels' ? [0, 3] : [0, 1]),
    visible: input.visible ?? true,
    shape: [...volume.shape] as Triple,
    dtype: volume.dtype,
    spacing: [...volume.spacing] as Triple,
    origin: [...volume.origin] as Triple
  };
  if (input.preview) layer.preview = input.preview;
  if (input.overview) layer.overview = input.overview;
  return layer;
}

/** A complete payload (version and default classes added). */
export function volumeOutput(parts: Omit<VolumeOutput, 'version' | 'classes'> & { classes?: Record<number, LabelClass> }): VolumeOutput {
  return { version: VOLUME_OUTPUT_VERSION, ...parts, classes: parts.classes ?? DEFAULT_CLASSES };
}

/** The MIME bundle of a volume output: the JSON, the PNG fallback (base64) and a text line. */
export function volumeBundle(output: VolumeOutput, png: Uint8Array, text = describeOutput(output)): MimeBundle {
  return {
    [VOLUME_MIME]: output,
    'image/png': Buffer.from(png).toString('base64'),
    'text/plain': text
  };
}

/** One line describing a payload (text/plain). */
export function describeOutput(output: VolumeOutput): string {
  const first = output.layers[0];
  const geometry = first ? `${first.shape.join(' x ')} ${first.dtype}, ${first.spacing.join(' x ')} µm` : 'no layers';
  const names = output.layers.map(l => `${l.name} (${l.kind})`).join(', ');
  return `${output.title ? `${output.title}: ` : ''}volume viewer, ${geometry}; layers: ${names}`;
}

/** 1st and 99.9th percentile of a sample of the voxels: a display window robust to hot pixels. */
export function intensityRange(volume: Volume): [number, number] {
  const sample = sortedSample(volume.data);
  if (!sample.length) return [0, 1];
  const low = sortedQuantile(sample, 0.01, 'lower');
  const high = sortedQuantile(sample, 0.999, 'higher');
  return [low, high > low ? high : low + 1];
}

namespace Private {
  export const DEFAULTS: Record<LayerKind, { colormap: string; opacity: number }> = {
    image: { colormap: 'gray', opacity: 1 },
    labels: { colormap: 'mdlma-labels', opacity: 0.5 },
    confidence: { colormap: 'mdlma-uncertainty', opacity: 0.5 }
  };
}
