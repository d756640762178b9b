/**
 * `SegmentationModel`: a model card plus its verified ONNX file and a running session; `predict`
 * turns a batch of normalised tiles into class probabilities.
 *
 * @example
 * const model = await SegmentationModel.load('sun-implant');           // CPU, one thread per core
 * console.log(model.provider, model.card.classes);
 * const probs = await model.predict(tiles, [n, 256, 256]);             // Float32 [n, C, 256, 256]
 */
import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import type { InferenceSession, Tensor } from 'onnxruntime-node';

import { ModelCardError, ModelChecksumError, ModelFormatError, ModelNotFoundError } from '../errors';
import { parseModelCard, type ModelCard } from './card';
import { modelFolder } from './locate';
import { createSession, onnxRuntime, ortFloat32, type CreatedSession, type Device, type ExecutionProvider } from './providers';

/** A loaded segmentation model. */
export class SegmentationModel {
  private constructor(readonly folder: string, readonly card: ModelCard, created: CreatedSession) {
    this.session = created.session;
    this.provider = created.provider;
    this.threads = created.threads;
    this.skipped = created.skipped;
  }

  /**
   * Loads `models/<name>` (or a folder path): reads the card, checks model.onnx's sha256 against
   * it, creates a session and checks the model's input and outputs against the card.
   * Sessions are cached per folder, checksum, device and threads.
   */
  static async load(nameOrPath: string, options: SegmentationModel.ILoadOptions = {}): Promise<SegmentationModel> {
    const folder = modelFolder(nameOrPath, options.root);
    const cardPath = join(folder, 'model.json');
    const onnxPath = join(folder, 'model.onnx');
    for (const p of [cardPath, onnxPath]) {
      if (!existsSync(p)) throw new ModelNotFoundError(nameOrPath, p, 'is missing');
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(cardPath, 'utf8'));
    } catch (error) {
      throw new ModelCardError(cardPath, '(root)', `is not valid JSON (${(error as Error).message})`);
    }
    const card = parseModelCard(json, cardPath);
    const bytes = readFileSync(onnxPath);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (options.verify !== false && actual !== card.sha256) throw new ModelChecksumError(onnxPath, card.sha256, actual);
    const key = JSON.stringify([folder, actual, options.device ?? 'cpu', options.threads ?? 0]);
    let pending = Private.cache.get(key);
    if (!pending) {
      pending = (async () => {
        const created = await createSession(bytes, { device: options.device, threads: options.threads }, onnxPath);
        const model = new SegmentationModel(folder, card, created);
        model._checkSignature(onnxPath);
        await model._checkClasses(cardPath);
        return model;
      })();
      Private.cache.set(key, pending);
      pending.catch(() => Private.cache.delete(key));
    }
    return pending;
  }

  /** The ONNX Runtime session. */
  readonly session: InferenceSession;
  /** The provider the session runs on. */
  readonly provider: ExecutionProvider;
  /** Intra-op threads. */
  readonly threads: number;
  /** Providers skipped on the way, with reasons. */
  readonly skipped: { provider: ExecutionProvider; reason: string }[];

  /** Number of classes C. */
  get classes(): number {
    return this.card.classes.length;
  }

  /**
   * Class probabilities of `n` tiles [n, 1, h, w] (h and w multiples of the card's `multiple`):
   * Float32 [n, C, h, w]. `input` must hold exactly n * h * w values.
   */
  async predict(input: Float32Array, shape: readonly [number, number, number]): Promise<Float32Array> {
    const [n, h, w] = shape;
    if (input.length !== n * h * w || h % this.card.input.multiple || w % this.card.input.multiple) {
      throw new ModelFormatError(this.folder, `predict needs [n, h, w] with h, w multiples of ${this.card.input.multiple} and n*h*w values; got [${shape.join(', ')}] and ${input.length}`);
    }
    const ort = onnxRuntime();
    const feeds = { [this.card.input.name]: new ort.Tensor('float32', ortFloat32(input), [n, 1, h, w]) };
    // Fetching only the probabilities skips copying the features out.
    const result = await this.session.run(feeds, [this.card.outputs.probs]);
    const probs = result[this.card.outputs.probs] as Tensor;
    const data = probs.data as Float32Array;
    if (data.length !== n * this.classes * h * w) {
      throw new ModelCardError(join(this.folder, 'model.json'), 'classes', `lists ${this.classes} classes but the model returns ${data.length / (n * h * w)} channels`);
    }
    return data;
  }

  /** Releases the session (later `load` calls create a new one). */
  async dispose(): Promise<void> {
    for (const [key, value] of Private.cache) {
      if ((await value) === this) Private.cache.delete(key);
    }
    await this.session.release();
  }

  /** Throws ModelCardError unless one tile of the model's multiple gives as many channels as the card has classes. */
  private async _checkClasses(cardPath: string): Promise<void> {
    const m = this.card.input.multiple;
    const ort = onnxRuntime();
    let channels: number;
    try {
      const result = await this.session.run({ [this.card.input.name]: new ort.Tensor('float32', ortFloat32(new Float32Array(m * m)), [1, 1, m, m]) }, [this.card.outputs.probs]);
      channels = (result[this.card.outputs.probs] as Tensor).dims[1];
    } catch (error) {
      throw new ModelCardError(cardPath, 'input.multiple', `(${m}) does not fit the model: a ${m}x${m} tile fails (${(error as Error).message})`);
    }
    if (channels !== this.classes) {
      throw new ModelCardError(cardPath, 'classes', `lists ${this.classes} classes but the model returns ${channels} channels`);
    }
  }

  /** Throws ModelFormatError unless the session's input and outputs are the card's. */
  private _checkSignature(path: string): void {
    const { inputNames, outputNames } = this.session;
    if (!inputNames.includes(this.card.input.name)) {
      throw new ModelFormatError(path, `has inputs [${inputNames.join(', ')}] but its card expects "${this.card.input.name}"`);
    }
    for (const name of [this.card.outputs.probs, this.card.outputs.features]) {
      if (name && !outputNames.includes(name)) {
        throw new ModelFormatError(path, `has outputs [${outputNames.join(', ')}] but its card expects "${name}"`);
      }
    }
  }
}

export namespace SegmentationModel {
  /** Options of `SegmentationModel.load`. */
  export interface ILoadOptions {
    /** Folder holding the models (default: $MDLMA_MODELS, else the repository's models/). */
    root?: string;
    /** Execution provider (default 'cpu'; 'auto' = CUDA, then WebGPU, then CPU). */
    device?: Device;
    /** Intra-op threads (default: number of cores). */
    threads?: number;
    /** Check the sha256 against the card (default true). */
    verify?: boolean;
  }
}

namespace Private {
  export const cache = new Map<string, Promise<SegmentationModel>>();
}
