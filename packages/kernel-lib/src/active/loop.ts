/**
 * The active-learning loop on one volume: the model's outputs along one axis are computed once; `suggest` ranks slices,
 * `annotate` / `annotateVoxels` add labels to the Yjs annotation store (the entry point the panel's
 * `mdlma.annotation` comm feeds too), `update` trains the fast head on the annotated voxels' frozen features and
 * re-predicts every voxel (no U-Net pass: seconds), `history` keeps what each round did (and the Dice per class when
 * the truth is known), `save`/`load` keep the state, `exportTrainingSet` writes NIfTI pairs for a full fine-tuning
 * with models/train (`--data DIR`; label 255 = unlabelled).
 *
 * @example
 * const al = await activeLearning({ volume: image, model: 'sun-implant', strategy: 'hybrid', axis: 'z', truth });
 * for (const s of al.suggest(4)) al.annotate(s.axis, s.index, expertLabels(s));   // labels2d: the slice's [rows, cols]
 * const { timings, metrics } = await al.update();
 * al.history;                          // rounds: annotated slices, training voxels, seconds, Dice
 * await al.exportTrainingSet('finetune/');   // finetune/<name>.nii.gz + <name>.labels.nii.gz
 * await al.exportLabels();                   // <name>.labels.nii.gz: the annotations alone (uint8, 255 = unlabelled)
 */
import { existsSync, mkdirSync, readFileSync } from 'fs';
import { basename, join } from 'path';

import { ActiveLearningError } from '../errors';
import { writeFileAtomicallySync } from '../files';
import { write } from '../io';
import { confusionMatrix, diceFromConfusion } from '../metrics';
import { SegmentationModel } from '../models';
import { Rng } from '../numeric';
import {
  type AnnotatedSlice, type AnnotationOp, type LabelExport, type OrthogonalAxis, sliceShape, type Suggestion,
  UNLABELLED, voxelOf
} from '../protocol';
import { orthoSlice, Volume } from '../volume';
import { acquire, ACQUISITION_STRATEGIES, type AcquisitionStrategy, type Aggregation } from './acquisition';
import { AnnotationStore, type StrokeInput } from './annotations';
import { registerAnnotationSession, type AnnotationSession } from './comm';
import { defaultLabelsPath, exportAnnotationLabels } from './label-export';
import { SegmentationHead, type HeadJSON, type HeadTrainingStats, type TrainingSamples } from './head';
import { withImageFeatures } from './image-features';
import { predictOutputs, type ModelOutputs } from './outputs';
import { openAnnotationPanel } from './panel';
import { checkAxis, checkSlice } from './planes';

/** What one `update` did. */
export interface RoundRecord {
  /** 0: the U-Net alone, before any annotation. */
  round: number;
  strategy: AcquisitionStrategy;
  /** Slices with labels after this round. */
  annotatedSlices: AnnotatedSlice[];
  trainingVoxels: number;
  timings: { trainSeconds: number; predictSeconds: number; totalSeconds: number };
  /** Dice per class [background, bone, DL, RM] of the fused prediction, when the truth is known. */
  dice?: number[];
  /** Mean Dice over bone, DL and RM. */
  meanForegroundDice?: number;
  date: string;
}

/** An active-learning session on one volume; see the module header. */
export class ActiveLearning implements AnnotationSession {
  private constructor(options: ActiveLearning.IOptions, model: SegmentationModel, outputs: ModelOutputs, store: AnnotationStore) {
    this.volume = options.volume;
    this.model = model;
    this.outputs = outputs;
    this.store = store;
    this.axis = outputs.axis;
    this.name = options.name ?? 'annotations';
    this.truth = options.truth;
    this._options = options;
    this._strategy = Private.strategy(options.strategy ?? 'hybrid');
    this.head = new SegmentationHead({ features: outputs.featureCount, classes: outputs.classes, seed: options.seed, ...options.head });
    this.fused = outputs.probs.slice();
  }

  /** Runs the model along the axis and starts a session (with round 0, the U-Net alone, in the history). */
  static async create(options: ActiveLearning.IOptions): Promise<ActiveLearning> {
    const volume = options.volume;
    if (!(volume instanceof Volume)) throw new ActiveLearningError('volume', 'must be a Volume (read(path) or a phantom image)');
    if (options.truth && options.truth.shape.some((n, a) => n !== volume.shape[a])) {
      throw new ActiveLearningError('truth', `has shape [${options.truth.shape.join(', ')}], the volume [${volume.shape.join(', ')}]`);
    }
    const axis = checkAxis(options.axis ?? 'z');
    Private.strategy(options.strategy ?? 'hybrid');
    const model = options.model instanceof SegmentationModel ? options.model : await SegmentationModel.load(options.model ?? 'sun-implant', { threads: options.threads });
    const unetOutputs = await predictOutputs(volume, model, { axis, signal: options.signal });
    const outputs = options.imageFeatures === false ? unetOutputs : withImageFeatures(unetOutputs, volume);
    const store = options.annotations ?? new AnnotationStore({ shape: volume.shape, classes: model.classes, persist: options.persist });
    const al = new ActiveLearning(options, model, outputs, store);
    al._record(0, { trainSeconds: 0, predictSeconds: 0, totalSeconds: outputs.seconds });
    if (options.register !== false) registerAnnotationSession(al);
    return al;
  }

  /** Restores a session saved by `save` on the same volume (the model runs again; features are not saved). */
  static async load(path: string, options: Omit<ActiveLearning.IOptions, 'annotations'>): Promise<ActiveLearning> {
    if (!existsSync(path)) throw new ActiveLearningError('path', `${path} does not exist`);
    const state = JSON.parse(readFileSync(path, 'utf8')) as Private.SavedState;
    if (state.format !== 'mdlma-active/1') throw new ActiveLearningError('path', `${path} is not a saved active-learning session (format ${JSON.stringify(state.format)})`);
    if (state.shape.some((n, a) => n !== options.volume.shape[a])) {
      throw new ActiveLearningError('volume', `has shape [${options.volume.shape.join(', ')}]; the session was saved for [${state.shape.join(', ')}]`);
    }
    const store = AnnotationStore.load(join(path, '..', state.annotations), { shape: options.volume.shape, classes: state.head.classes });
    const al = await ActiveLearning.create({ strategy: state.strategy, axis: state.axis, name: state.name, ...options, annotations: store, register: false });
    al.head = SegmentationHead.fromJSON(state.head);
    al.history.splice(0, al.history.length, ...state.history);
    al.fused = al.head.predict(al.outputs.features!, al.outputs.probs);
    if (options.register !== false) registerAnnotationSession(al);
    return al;
  }

  /** The image. */
  readonly volume: Volume;
  /** The segmentation model (frozen). */
  readonly model: SegmentationModel;
  /** The model's probabilities and features along `axis`. */
  readonly outputs: ModelOutputs;
  /** The annotations (a Yjs document; the panel's replica syncs with it). */
  readonly store: AnnotationStore;
  /** The axis the model ran along and suggestions default to. */
  readonly axis: OrthogonalAxis;
  /** The session's name (comm sessions, exported file names). */
  readonly name: string;
  /** Ground truth, when known (benchmarks, tutorials): Dice per round in `history`. */
  readonly truth?: Volume;
  /** The fast head. */
  head: SegmentationHead;
  /** Current fused probabilities [C, z, y, x]. */
  fused: Float32Array;
  /** One record per round, round 0 = the U-Net alone. */
  readonly history: RoundRecord[] = [];

  /** [z, y, x]. */
  get shape(): Volume['shape'] {
    return this.volume.shape;
  }

  /** Number of classes. */
  get classes(): number {
    return this.model.classes;
  }

  /** Class names from the model card. */
  get classNames(): string[] {
    return this.model.card.classes;
  }

  /** The strategy `suggest` uses by default. */
  get strategy(): AcquisitionStrategy {
    return this._strategy;
  }
  set strategy(value: AcquisitionStrategy) {
    this._strategy = Private.strategy(value);
  }

  /** Slices annotated along `axis` (default: the session's axis). */
  annotated(axis: OrthogonalAxis = this.axis): number[] {
    return this.store.annotatedSlices().filter(s => s.axis === axis).map(s => s.index);
  }

  /** The k slices most worth annotating next, with scores and reasons (annotated slices and their neighbours excluded). */
  suggest(k: number, options: ActiveLearning.ISuggestOptions = {}): Suggestion[] {
    const axis = checkAxis(options.axis ?? this.axis);
    const round = this.history.length;
    return acquire(
      { shape: this.shape, classes: this.classes, probs: this.fused, features: this.outputs.features, featureCount: this.outputs.featureCount },
      {
        strategy: options.strategy ?? this._strategy,
        axis,
        k,
        annotated: this.annotated(axis),
        minDistance: options.minDistance ?? this._options.minDistance,
        aggregation: options.aggregation ?? this._options.aggregation,
        topPercent: options.topPercent ?? this._options.topPercent,
        classBalance: options.classBalance ?? this._options.classBalance,
        seed: options.seed ?? (this._options.seed ?? 0) * 1000 + round,
        model: this.model
      }
    );
  }

  /** With no arguments: opens the annotation panel beside the notebook on this session's suggestions. */
  annotate(options?: openAnnotationPanel.IOptions): void;
  /** Labels a whole slice from a label image of the slice's [rows, cols] (255 = leave unlabelled); one undo step. */
  annotate(axis: OrthogonalAxis, index: number, labels2d: ArrayLike<number>, user?: string): AnnotationOp[];
  annotate(
    axisOrOptions?: OrthogonalAxis | openAnnotationPanel.IOptions,
    index?: number,
    labels2d?: ArrayLike<number>,
    user = 'kernel'
  ): AnnotationOp[] | void {
    if (axisOrOptions === undefined || typeof axisOrOptions === 'object') return openAnnotationPanel(this, axisOrOptions);
    if (index === undefined || labels2d === undefined) {
      throw new ActiveLearningError('annotate', 'needs (axis, index, labels2d) to label a slice, or no arguments to open the panel');
    }
    return this.store.setSlice(axisOrOptions, index, labels2d, user);
  }

  /** Adds one stroke (the `mdlma.annotation` comm's stroke message goes here). */
  annotateVoxels(stroke: StrokeInput): AnnotationOp {
    return this.store.paint(stroke);
  }

  /** Trains the head on every annotated voxel and re-predicts the volume; returns the round's record. */
  async update(options: { signal?: AbortSignal } = {}): Promise<RoundRecord> {
    const t0 = performance.now();
    const samples = this._trainingSamples();
    const stats: HeadTrainingStats = this.head.train(samples, { ...this._options.train, seed: this._options.seed, signal: options.signal });
    const t1 = performance.now();
    this.fused = this.head.predict(this.outputs.features!, this.outputs.probs, this.fused);
    const t2 = performance.now();
    const record = this._record(this.history.length, { trainSeconds: (t1 - t0) / 1000, predictSeconds: (t2 - t1) / 1000, totalSeconds: (t2 - t0) / 1000 }, stats.samples);
    for (const listener of this._updateListeners) listener(record);
    return record;
  }

  /** The current labels (argmax of the fused probabilities) as a volume. */
  labels(): Volume<Uint8Array> {
    const V = this.volume.size;
    const C = this.classes;
    const out = new Uint8Array(V);
    for (let v = 0; v < V; v++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (this.fused[c * V + v] > this.fused[best * V + v]) best = c;
      out[v] = best;
    }
    return new Volume({ data: out, shape: this.shape, spacing: this.volume.spacing, origin: this.volume.origin });
  }

  /** The annotations as a label volume (255 = unlabelled). */
  annotationVolume(): Volume<Uint8Array> {
    return new Volume({ data: this.store.labels().slice(), shape: this.shape, spacing: this.volume.spacing, origin: this.volume.origin });
  }

  /** Prediction (labels) and confidence (max probability, 0-255) of one slice, in the slice's [rows, cols]. */
  predictionSlice(axis: OrthogonalAxis, index: number): { shape: [number, number]; labels: Uint8Array; confidence: Uint8Array } {
    checkAxis(axis);
    checkSlice(this.shape, axis, index);
    const [h, w] = sliceShape(this.shape, axis);
    const V = this.volume.size;
    const labels = new Uint8Array(h * w);
    const confidence = new Uint8Array(h * w);
    for (let i = 0, p = 0; i < h; i++) {
      for (let j = 0; j < w; j++, p++) {
        const v = voxelOf(this.shape, axis, index, i, j);
        let best = 0;
        for (let c = 1; c < this.classes; c++) if (this.fused[c * V + v] > this.fused[best * V + v]) best = c;
        labels[p] = best;
        confidence[p] = Math.round(255 * this.fused[best * V + v]);
      }
    }
    return { shape: [h, w], labels, confidence };
  }

  /** The image's slice as Float32 in the slice's [rows, cols] (what the panel paints on). */
  imageSlice(axis: OrthogonalAxis, index: number): Float32Array {
    checkAxis(axis);
    checkSlice(this.shape, axis, index);
    return Float32Array.from(orthoSlice(this.volume, axis, index).data);
  }

  /** Dice per class of the current prediction against `truth` (default: the session's truth). */
  evaluate(truth: Volume | undefined = this.truth): { dice: number[]; meanForegroundDice: number } {
    if (!truth) throw new ActiveLearningError('truth', 'is needed to evaluate; pass it to activeLearning({ truth }) or to evaluate(truth)');
    const dice = diceFromConfusion(confusionMatrix(this.labels().data, truth.data, this.classes));
    const fg = dice.slice(1).filter(d => !Number.isNaN(d));
    return { dice, meanForegroundDice: fg.reduce((a, b) => a + b, 0) / fg.length };
  }

  /** Calls `listener` after every update (the comm uses it to tell the panel to refresh its overlays). */
  onUpdate(listener: (record: RoundRecord) => void): () => void {
    this._updateListeners.add(listener);
    return () => this._updateListeners.delete(listener);
  }

  /** Saves head, history and options as JSON at `path`, the annotations beside it as `<stem>.annot.yjs`. */
  save(path: string): { state: string; annotations: string } {
    const stem = basename(path).replace(/\.json$/, '');
    const annotations = join(path, '..', `${stem}.annot.yjs`);
    this.store.save(annotations);
    const state: Private.SavedState = {
      format: 'mdlma-active/1',
      name: this.name,
      strategy: this._strategy,
      axis: this.axis,
      shape: [...this.shape],
      model: { name: this.model.card.name, version: this.model.card.version, sha256: this.model.card.sha256 },
      head: this.head.toJSON(),
      history: this.history,
      annotations: basename(annotations)
    };
    writeFileAtomicallySync(path, JSON.stringify(state), { createFolder: true });
    return { state: path, annotations };
  }

  /**
   * Writes `<dir>/<name>.nii.gz` (the image) and `<dir>/<name>.labels.nii.gz` (uint8, 255 = unlabelled): the pair
   * models/train reads with `--data <dir>` (phantoms.py load_pairs) for a full U-Net fine-tuning.
   */
  async exportTrainingSet(dir: string, options: { name?: string } = {}): Promise<{ image: string; labels: string; labelledVoxels: number }> {
    const name = options.name ?? this.name;
    // defaultLabelsPath checks that the name can name files.
    const labels = join(dir, defaultLabelsPath(name));
    const image = join(dir, `${name}.nii.gz`);
    mkdirSync(dir, { recursive: true });
    await write(image, this.volume);
    const { labelledVoxels } = await exportAnnotationLabels(this.store, labels, this.volume);
    return { image, labels, labelledVoxels };
  }

  /** Writes the annotations as a uint8 NIfTI label volume (255 = unlabelled, the image's spacing); default `<name>.labels.nii.gz` in the working folder. */
  exportLabels(path: string = defaultLabelsPath(this.name)): Promise<LabelExport> {
    return exportAnnotationLabels(this.store, path, this.volume);
  }

  /**
   * Annotated voxels with their features and U-Net probabilities (voxel-major), subsampled to `maxTrainingVoxels`,
   * plus up to `anchorVoxels` unannotated ones drawn at random (the head's anchors to the U-Net; see head.ts).
   */
  private _trainingSamples(): TrainingSamples {
    const labels = this.store.labels();
    const V = labels.length;
    const annotated: number[] = [];
    const unannotated: number[] = [];
    for (let v = 0; v < V; v++) (labels[v] !== UNLABELLED ? annotated : unannotated).push(v);
    const voxels = Private.sample(annotated, this._options.maxTrainingVoxels ?? 200_000, new Rng(this._options.seed ?? 0, Rng.stream('loop.subsample')));
    const anchors = Private.sample(unannotated, this._options.anchorVoxels ?? 20_000, new Rng(this._options.seed ?? 0, Rng.stream('loop.anchors')));
    const y = Uint8Array.from(voxels, v => labels[v]);
    return { ...this._gather(voxels), labels: y, anchors: this._gather(anchors) };
  }

  /** Features [n, F] and U-Net probabilities [n, C] of the given voxels. */
  private _gather(voxels: number[]): { count: number; features: Float32Array; probs: Float32Array } {
    const V = this.volume.size;
    const F = this.outputs.featureCount;
    const C = this.classes;
    const n = voxels.length;
    const features = new Float32Array(n * F);
    const probs = new Float32Array(n * C);
    const f = this.outputs.features!;
    const p = this.outputs.probs;
    voxels.forEach((v, i) => {
      for (let c = 0; c < F; c++) features[i * F + c] = f[c * V + v];
      for (let c = 0; c < C; c++) probs[i * C + c] = p[c * V + v];
    });
    return { count: n, features, probs };
  }

  private _record(round: number, timings: RoundRecord['timings'], trainingVoxels = 0): RoundRecord {
    const record: RoundRecord = {
      round,
      strategy: this._strategy,
      annotatedSlices: this.store.annotatedSlices(),
      trainingVoxels,
      timings,
      date: new Date().toISOString()
    };
    if (this.truth) Object.assign(record, this.evaluate());
    this.history.push(record);
    return record;
  }

  private _strategy: AcquisitionStrategy;
  private readonly _options: ActiveLearning.IOptions;
  private readonly _updateListeners = new Set<(record: RoundRecord) => void>();
}

/** Types of `ActiveLearning`. */
export namespace ActiveLearning {
  /** Options of `activeLearning`. */
  export interface IOptions {
    /** The image to segment and annotate. */
    volume: Volume;
    /** A model name, folder or loaded model (default 'sun-implant'; it needs a `features` output). */
    model?: string | SegmentationModel;
    /** Default acquisition strategy (default 'hybrid'). */
    strategy?: AcquisitionStrategy;
    /** Orthogonal axis of the model pass and of suggestions (default 'z'). */
    axis?: OrthogonalAxis;
    /** Ground truth (phantoms, benchmarks): Dice per round in `history`. */
    truth?: Volume;
    /** Session name: the panel's comm finds the session by it; exported files are named after it (default 'annotations'). */
    name?: string;
    /** Append every annotation update to this `.annot.yjs` file. */
    persist?: string;
    /** An existing annotation store (default: a new one). */
    annotations?: AnnotationStore;
    /** Register the session for the `mdlma.annotation` comm (default true). */
    register?: boolean;
    /** Head options (hidden units, fusion). */
    head?: Partial<SegmentationHead.IOptions>;
    /** Give the head the voxel's intensity and smoothed intensity besides the U-Net features (default true; see image-features.ts). */
    imageFeatures?: boolean;
    /** Head training options (steps, batch, learning rate, class balance). */
    train?: SegmentationHead.ITrainOptions;
    /** Annotated voxels used per training, at most (default 200000, drawn at random). */
    maxTrainingVoxels?: number;
    /** Unannotated voxels that anchor the head to the U-Net (default 20000, drawn at random; 0 = none). */
    anchorVoxels?: number;
    /** Suggestions keep this many slices apart (default 2). */
    minDistance?: number;
    /** Per-slice aggregation of uncertainty (default 'mean'). */
    aggregation?: Aggregation;
    /** For 'top-k' aggregation (default 10). */
    topPercent?: number;
    /** Class weighting of voxel uncertainty (default 1; see acquisition.ts). */
    classBalance?: number;
    /** Seed of random suggestions, subsampling and the head (default 0). */
    seed?: number;
    /** ONNX Runtime threads when `model` is a name. */
    threads?: number;
    /** Aborts the model pass (default: the calling cell's interrupt). */
    signal?: AbortSignal;
  }

  /** Options of `suggest`. */
  export interface ISuggestOptions {
    strategy?: AcquisitionStrategy;
    axis?: OrthogonalAxis;
    minDistance?: number;
    aggregation?: Aggregation;
    topPercent?: number;
    classBalance?: number;
    seed?: number;
  }
}

/** Starts an active-learning session: `const al = await activeLearning({ volume, model, strategy, axis })`. */
export function activeLearning(options: ActiveLearning.IOptions): Promise<ActiveLearning> {
  return ActiveLearning.create(options);
}

namespace Private {
  /** At most `limit` of `items`, drawn without replacement (a partial Fisher-Yates shuffle; all of them when fewer). */
  export function sample(items: number[], limit: number, rng: Rng): number[] {
    if (items.length <= limit) return items;
    for (let i = 0; i < limit; i++) {
      const j = i + rng.int(items.length - i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items.slice(0, limit);
  }

  export interface SavedState {
    format: 'mdlma-active/1';
    name: string;
    strategy: AcquisitionStrategy;
    axis: OrthogonalAxis;
    shape: number[];
    model: { name: string; version: string; sha256: string };
    head: HeadJSON;
    history: RoundRecord[];
    annotations: string;
  }

  export function strategy(value: unknown): AcquisitionStrategy {
    if (!ACQUISITION_STRATEGIES.includes(value as AcquisitionStrategy)) {
      throw new ActiveLearningError('strategy', `must be one of ${ACQUISITION_STRATEGIES.join(', ')}; got ${JSON.stringify(value)}`);
    }
    return value as AcquisitionStrategy;
  }
}
