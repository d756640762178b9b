/**
 * The model card (`models/<name>/model.json`, DESIGN.md "Model card"): what a model expects
 * (tile, multiple, normalisation, fill) and returns (classes, `probs`, `features`), checked
 * once on load so that the pipeline can trust it.
 *
 * @example
 * const card = parseModelCard(JSON.parse(text), 'models/sun-implant/model.json');
 * card.input.tile;            // [256, 256]
 * card.classes.length;        // 4
 */
import { ModelCardError } from '../errors';
import type { ExecutionProvider } from './providers';

/** Numeric precision of a model file: the card's own file is 'fp32'; 'int8' and 'fp16' are variants it lists. */
export type Precision = 'fp32' | 'int8' | 'fp16';

/** What a user may ask for: a precision, or 'auto' (the variant the card names as default on the provider). */
export const PRECISION_CHOICES: readonly (Precision | 'auto')[] = ['auto', 'fp32', 'int8', 'fp16'];

/** A reduced-precision copy of the model, listed in the card under `variants.<precision>` (models/train/variants.sh). */
export interface ModelVariant {
  precision: Exclude<Precision, 'fp32'>;
  /** File name in the model's folder. */
  file: string;
  /** Lower-case hex sha256 of the file. */
  sha256: string;
  /** Providers it runs on. */
  providers: ExecutionProvider[];
  /** Providers on which precision 'auto' picks it. */
  defaultOn: ExecutionProvider[];
  /** Held-out Dice change per class against fp32 (9-axis soft voting), where measured. */
  diceChange?: (number | null)[];
}

/** How each slice is scaled before inference, computed over the slice's in-volume pixels. */
export type Normalisation =
  | { kind: 'percentile'; low: number; high: number; clip: boolean; eps: number }
  | { kind: 'zscore' }
  | { kind: 'none' };

/** A validated model card. Unknown fields are kept in `raw`. */
export interface ModelCard {
  name: string;
  version: string;
  /** Lower-case hex sha256 of model.onnx. */
  sha256: string;
  /** Class names by label value (0 background, 1 bone, 2 DL, 3 RM for SUN models). */
  classes: string[];
  input: {
    /** Name of the input tensor (default 'image'). */
    name: string;
    channels: number;
    /** [h, w] of one tile: slices larger than this are tiled with overlap. */
    tile: [number, number];
    /** Tile sides must be multiples of this (the U-Net's total downsampling). */
    multiple: number;
    normalisation: Normalisation;
    /** Normalised value given to pixels outside the volume (oblique slices, padding). */
    fill: number;
  };
  outputs: {
    /** Name of the softmax output [N, C, H, W] (default 'probs'). */
    probs: string;
    /** Name of the feature output [N, F, H, W], if the model has one. */
    features?: string;
  };
  /** Reduced-precision variants by precision. */
  variants: Partial<Record<ModelVariant['precision'], ModelVariant>>;
  /** The whole card as read. */
  raw: Record<string, unknown>;
}

/** Validates a parsed model.json; throws ModelCardError naming the field that does not fit. */
export function parseModelCard(json: unknown, path: string): ModelCard {
  const fail = (field: string, reason: string): never => {
    throw new ModelCardError(path, field, reason);
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail('(root)', 'must be a JSON object');
  const raw = json as Record<string, unknown>;
  const sha = raw.sha256;
  if (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha)) fail('sha256', 'must be the 64-hex-digit sha256 of model.onnx');
  const classes = Private.classNames(raw.classes, fail);
  const input = (raw.input ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object') fail('input', 'must be an object');
  const multiple = input.multiple ?? 16;
  if (!Number.isInteger(multiple) || (multiple as number) < 1) fail('input.multiple', `must be a positive integer, got ${JSON.stringify(multiple)}`);
  const m = multiple as number;
  const tileValue = input.tile ?? input.tileSize;
  const tile = typeof tileValue === 'number' ? [tileValue, tileValue] : Array.isArray(tileValue) ? tileValue.slice(-2) : undefined;
  if (!tile || tile.length !== 2 || tile.some(t => !Number.isInteger(t) || t < m || t % m !== 0)) {
    fail('input.tile', `must be a positive multiple of input.multiple (${m}), as a number or [h, w]; got ${JSON.stringify(tileValue)}`);
  }
  const channels = input.channels ?? 1;
  if (channels !== 1) fail('input.channels', `must be 1 (one grey-value slice per tile), got ${JSON.stringify(channels)}`);
  // fill: a number, or {value, when, applies_to}.
  const fillValue = input.fill ?? 0;
  const fill = typeof fillValue === 'object' && fillValue !== null ? (fillValue as { value?: unknown }).value : fillValue;
  if (typeof fill !== 'number' || !Number.isFinite(fill)) fail('input.fill', `must be a finite number, got ${JSON.stringify(fill)}`);
  const outputs = (raw.outputs ?? {}) as Record<string, unknown>;
  return {
    name: typeof raw.name === 'string' ? raw.name : 'unnamed',
    version: String(raw.version ?? '0'),
    sha256: (sha as string).toLowerCase(),
    classes,
    input: {
      name: typeof input.name === 'string' ? input.name : 'image',
      channels: 1,
      tile: tile as [number, number],
      multiple: m,
      normalisation: Private.normalisation(input.normalisation ?? input.normalization, fail),
      fill: fill as number
    },
    outputs: {
      probs: Private.outputName(outputs.probs, 'probs'),
      features: outputs.features === undefined || outputs.features === null ? undefined : Private.outputName(outputs.features, 'features')
    },
    variants: Private.variants(raw.variants, fail),
    raw
  };
}

namespace Private {
  type Fail = (field: string, reason: string) => never;

  /** Class names from ["background", ...] or [{value, name}, ...] (sorted by value, which must be 0..C-1). */
  export function classNames(value: unknown, fail: Fail): string[] {
    if (!Array.isArray(value) || value.length < 2 || value.length > 255) {
      return fail('classes', 'must list 2 to 255 classes in label order (0 background, 1 bone, 2 DL, 3 RM)');
    }
    if (value.every(v => typeof v === 'string')) return value as string[];
    const entries = value.map(v => v as { value?: unknown; name?: unknown });
    if (entries.some(e => !e || typeof e.name !== 'string' || !Number.isInteger(e.value))) {
      return fail('classes', 'entries must be names or {value, name} objects');
    }
    const sorted = [...entries].sort((a, b) => (a.value as number) - (b.value as number));
    if (sorted.some((e, i) => e.value !== i)) return fail('classes', 'values must be 0, 1, ..., C-1 without gaps');
    return sorted.map(e => e.name as string);
  }

  export function normalisation(value: unknown, fail: Fail): Normalisation {
    const v = (value ?? { kind: 'none' }) as Record<string, unknown>;
    if (v.kind === 'percentile') {
      const low = v.low ?? 1;
      const high = v.high ?? 99;
      if (typeof low !== 'number' || typeof high !== 'number' || !(low >= 0 && low < high && high <= 100)) {
        return fail('input.normalisation', `percentiles must satisfy 0 <= low < high <= 100, got ${low} and ${high}`);
      }
      const eps = typeof v.eps === 'number' && v.eps > 0 ? v.eps : 1e-6;
      return { kind: 'percentile', low, high, clip: v.clip === true, eps };
    }
    if (v.kind === 'zscore' || v.kind === 'none') return { kind: v.kind };
    return fail('input.normalisation', `kind must be "percentile", "zscore" or "none", got ${JSON.stringify(v.kind)}`);
  }

  const PROVIDERS: readonly string[] = ['cuda', 'webgpu', 'cpu'];

  /** The `variants` object: {int8?: {...}, fp16?: {...}} besides free-text fields. */
  export function variants(value: unknown, fail: Fail): ModelCard['variants'] {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) return fail('variants', 'must be an object of variants by precision');
    const out: ModelCard['variants'] = {};
    for (const precision of ['int8', 'fp16'] as const) {
      const v = (value as Record<string, unknown>)[precision];
      if (v === undefined) continue;
      const field = `variants.${precision}`;
      const entry = (v ?? {}) as Record<string, unknown>;
      if (typeof entry.file !== 'string' || !/^[\w.-]+\.onnx$/.test(entry.file)) fail(`${field}.file`, 'must be an .onnx file name in the model folder');
      if (typeof entry.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(entry.sha256)) fail(`${field}.sha256`, 'must be the 64-hex-digit sha256 of the file');
      const providers = (name: string): ExecutionProvider[] => {
        const list = entry[name] ?? [];
        if (!Array.isArray(list) || list.some(p => !PROVIDERS.includes(p as string))) fail(`${field}.${name}`, `must list providers of ${PROVIDERS.join(', ')}`);
        return list as ExecutionProvider[];
      };
      const change = entry.dice_change_vs_fp32;
      out[precision] = {
        precision,
        file: entry.file as string,
        sha256: (entry.sha256 as string).toLowerCase(),
        providers: providers('providers'),
        defaultOn: providers('default_on'),
        diceChange: Array.isArray(change) ? change.map(c => (typeof c === 'number' ? c : null)) : undefined
      };
    }
    return out;
  }

  /** An output's tensor name: {name}, a bare name, or the field's own name when the value describes the shape ("[N,C,H,W]"). */
  export function outputName(value: unknown, fallback: string): string {
    if (typeof value === 'string') return /^[A-Za-z_][\w.:/-]*$/.test(value) ? value : fallback;
    if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
      return (value as { name: string }).name;
    }
    return fallback;
  }
}
