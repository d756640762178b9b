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

import { ModelCardError, ModelChecksumError, ModelDisposedError, ModelFormatError, ModelNotFoundError, ModelPrecisionError, SegmentOptionError } from '../errors';
import { parseModelCard, PRECISION_CHOICES, type ModelCard, type ModelVariant, type Precision } from './card';
import { modelFolder } from './locate';
import { createSession, onnxRuntime, ortFloat32, sessionOptions, type CreatedSession, type Device, type ExecutionProvider } from './providers';
import { SessionThread } from './session-thread';

/** A loaded segmentation model. */
export class SegmentationModel {
  private constructor(readonly folder: string, readonly card: ModelCard, created: CreatedSession, chosen: { precision: Precision; file: string; bytes: Uint8Array }, sessionThreads: number) {
    this.precision = chosen.precision;
    this._bytes = chosen.bytes;
    this.sessionThreads = sessionThreads;
    this.file = chosen.file;
    this.session = created.session;
    this.provider = created.provider;
    this.threads = created.threads;
    this.skipped = created.skipped;
  }

  /**
   * Loads `models/<name>` (or a folder path): reads the card, picks the file of the precision asked for (by
   * default 'auto': the variant the card names as default on the provider, else model.onnx), checks its sha256
   * against the card, creates a session and checks the model's input and outputs against the card.
   * Sessions are cached per folder, checksums, device, threads and precision.
   * Throws ModelPrecisionError for a precision the card lists no file for, or one whose file does not run on
   * the device asked for (int8 off the CPU, fp16 on it).
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
    const precision = options.precision ?? 'auto';
    const files = new Private.Files({ model: nameOrPath, folder, card, precision, verify: options.verify !== false });
    const device = options.device ?? 'cpu';
    // On a named device the file is read and checked now, and the session cache is keyed on its actual digest (a
    // file changed on disk gets a new session); with 'auto' the provider decides the file, read when tried.
    const digest = device === 'auto' ? files.cardDigests() : files.digest(device);
    const key = JSON.stringify([folder, digest, device, options.threads ?? 0, precision, options.sessionThreads ?? -1]);
    let pending = Private.cache.get(key);
    if (!pending) {
      pending = (async () => {
        const created = await createSession(provider => files.forProvider(provider), { device, threads: options.threads }, onnxPath);
        const chosen = files.chosen(created.provider);
        const sessionThreads = Private.sessionThreads(options.sessionThreads, created.threads, created.provider);
        const model = new SegmentationModel(folder, card, created, { ...chosen, bytes: files.forProvider(created.provider).bytes! }, sessionThreads);
        model._checkSignature(join(folder, model.file));
        await model._checkClasses(cardPath);
        return model;
      })();
      Private.cache.set(key, pending);
      pending.catch(() => Private.cache.delete(key));
    }
    return pending;
  }

  /** Precision of the file the session runs (model.onnx is 'fp32'). */
  readonly precision: Precision;
  /** That file's name in the model's folder. */
  readonly file: string;
  /** The ONNX Runtime session. */
  readonly session: InferenceSession;
  /** The provider the session runs on. */
  readonly provider: ExecutionProvider;
  /** Intra-op threads. */
  readonly threads: number;
  /** Providers skipped on the way, with reasons. */
  readonly skipped: { provider: ExecutionProvider; reason: string }[];
  /**
   * Worker threads `predict` runs its calls in, each with a session of its own sharing the `threads` (0: on
   * `session`, on the calling thread). See ILoadOptions.sessionThreads.
   */
  readonly sessionThreads: number;

  /** Number of classes C. */
  get classes(): number {
    return this.card.classes.length;
  }

  /**
   * Class probabilities of `n` tiles [n, 1, h, w] (h and w multiples of the card's `multiple`):
   * Float32 [n, C, h, w]. `input` must hold exactly n * h * w values.
   */
  async predict(input: Float32Array, shape: readonly [number, number, number]): Promise<Float32Array> {
    return (await this.predictTimed(input, shape)).probs;
  }

  /**
   * `predict`, with the milliseconds ONNX Runtime spent on it. In session threads, the input is copied when the call
   * is made (the caller may refill its buffer at once) and calls go to the threads in turn, so a caller that keeps
   * calls in flight keeps every session busy and its own thread free; on
   * `session` (sessionThreads 0), `input` must stay unchanged until the promise settles.
   */
  async predictTimed(input: Float32Array, shape: readonly [number, number, number]): Promise<{ probs: Float32Array; ms: number }> {
    const [n, h, w] = shape;
    if (input.length !== n * h * w || h % this.card.input.multiple || w % this.card.input.multiple) {
      throw new ModelFormatError(this.folder, `predict needs [n, h, w] with h, w multiples of ${this.card.input.multiple} and n*h*w values; got [${shape.join(', ')}] and ${input.length}`);
    }
    if (this._disposed) throw new ModelDisposedError(this.folder);
    let result: { probs: Float32Array; ms: number };
    if (this.sessionThreads > 0) {
      const copy = input.slice(); // now: the caller may refill its buffer before the threads have started
      const threads = await (this._threads ??= this._startThreads());
      // In turn: a caller with one call more in flight than sessions then finds each session with one call queued.
      const thread = threads[this._turn++ % threads.length];
      const { data, ms } = await thread.run(copy, [n, 1, h, w]);
      result = { probs: data, ms };
    } else {
      const ort = onnxRuntime();
      const feeds = { [this.card.input.name]: new ort.Tensor('float32', ortFloat32(input), [n, 1, h, w]) };
      const t0 = performance.now();
      // Fetching only the probabilities skips copying the features out.
      const out = await this.session.run(feeds, [this.card.outputs.probs]);
      result = { probs: (out[this.card.outputs.probs] as Tensor).data as Float32Array, ms: performance.now() - t0 };
    }
    if (result.probs.length !== n * this.classes * h * w) {
      throw new ModelCardError(join(this.folder, 'model.json'), 'classes', `lists ${this.classes} classes but the model returns ${result.probs.length / (n * h * w)} channels`);
    }
    return result;
  }

  /** Releases the session and its thread (later `load` calls create new ones). */
  async dispose(): Promise<void> {
    for (const [key, value] of Private.cache) {
      if ((await value) === this) Private.cache.delete(key);
    }
    this._disposed = true;
    const threads = this._threads;
    this._threads = undefined;
    if (threads) await Promise.all((await threads).map(t => t.close()));
    await this.session.release();
  }

  /** The session threads: `threads` shared among them, the remainder to the first. */
  private _startThreads(): Promise<SessionThread[]> {
    const count = this.sessionThreads;
    return Promise.all(
      Array.from({ length: count }, (_, i) =>
        SessionThread.start({
          bytes: this._bytes,
          path: join(this.folder, this.file),
          options: sessionOptions(this.provider, Math.floor(this.threads / count) + (i === 0 ? this.threads % count : 0)),
          input: this.card.input.name,
          output: this.card.outputs.probs
        })
      )
    );
  }

  private readonly _bytes: Uint8Array;
  private _threads?: Promise<SessionThread[]>;
  private _disposed = false;
  private _turn = 0;

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
    /**
     * Which file to run (default 'auto': the variant the card names as default on the provider the session starts
     * on, else model.onnx; the sun-implant card makes int8 the CPU default only where it loses at most 0.005 Dice
     * per class). 'fp32', 'int8' and 'fp16' ask for that file.
     */
    precision?: Precision | 'auto';
    /**
     * Worker threads that run `predict`, each with its own session; the intra-op `threads` are shared among them.
     * Default: on the CPU 2 where threads >= 2, else 1; 1 on CUDA and WebGPU. ONNX Runtime's intra-op threads scale
     * poorly on this model (2 threads ran it 1.28x faster than 1), so two single-threaded sessions on two batches at
     * once beat one session with two threads, and the calling thread cuts and back-projects slices meanwhile (segment
     * keeps one batch more in flight than sessions). 0: `predict` runs on `session`, on the calling thread. `session`
     * exists either way (one thread pool more).
     */
    sessionThreads?: number;
  }
}

namespace Private {
  export const cache = new Map<string, Promise<SegmentationModel>>();

  /**
   * The session threads to use: `asked` (checked); else on the CPU 2 where there are 2 intra-op threads or more, and
   * 1 on a GPU (the device, not the cores, does the work; a second session would only hold a second copy there).
   */
  export function sessionThreads(asked: number | undefined, threads: number, provider: ExecutionProvider): number {
    if (asked === undefined) return provider === 'cpu' ? Math.min(2, threads) : 1;
    if (!Number.isInteger(asked) || asked < 0 || asked > threads) {
      throw new SegmentOptionError('sessionThreads', `must be an integer from 0 to the intra-op threads (${threads}); got ${asked}`);
    }
    return asked;
  }

  /** The model's files by precision: which one a provider runs, read and checked on first use. */
  export class Files {
    constructor(options: Files.IOptions) {
      this._model = options.model;
      this._folder = options.folder;
      this._card = options.card;
      this._precision = options.precision;
      this._verify = options.verify;
      const precision = options.precision;
      if (!PRECISION_CHOICES.includes(precision)) {
        throw new ModelPrecisionError(this._model, String(precision), `is not one of ${PRECISION_CHOICES.join(', ')}`);
      }
      if (precision !== 'auto' && precision !== 'fp32' && !this._card.variants[precision]) {
        throw new ModelPrecisionError(this._model, precision, `the card lists no ${precision} variant (make one with bash models/train/variants.sh)`);
      }
    }

    /** The actual sha256 of the file `provider` runs (read and checked); ModelPrecisionError if none runs there. */
    digest(provider: ExecutionProvider): string {
      const reason = this._refusal(provider);
      if (reason) throw new ModelPrecisionError(this._model, this._precision, reason);
      return this._read(this.chosen(provider).file).sha256;
    }

    /** The precision and file `provider` runs. */
    chosen(provider: ExecutionProvider): { precision: Precision; file: string } {
      const variant = this._variant(provider);
      return variant ? { precision: variant.precision, file: variant.file } : { precision: 'fp32', file: 'model.onnx' };
    }

    /** What createSession runs on `provider`: the chosen file's bytes, or why there is none. */
    forProvider(provider: ExecutionProvider): { bytes?: Uint8Array; path: string; reason?: string } {
      const { file } = this.chosen(provider);
      const path = join(this._folder, file);
      const reason = this._refusal(provider);
      return reason ? { path, reason } : { bytes: this._read(file).bytes, path };
    }

    /** The sha256 the card gives for each file. */
    cardDigests(): string[] {
      return [this._card.sha256, ...Object.values(this._card.variants).map(v => v.sha256)];
    }

    private _variant(provider: ExecutionProvider): ModelVariant | undefined {
      if (this._precision === 'fp32') return undefined;
      if (this._precision === 'auto') return Object.values(this._card.variants).find(v => v.defaultOn.includes(provider));
      return this._card.variants[this._precision];
    }

    private _refusal(provider: ExecutionProvider): string | undefined {
      const variant = this._variant(provider);
      if (!variant || variant.providers.includes(provider)) return undefined;
      const other = variant.precision === 'fp16' ? "'fp32' or 'int8'" : "'fp32'";
      return `its file ${variant.file} runs on ${variant.providers.join(', ')}, not on ${provider}: ask for ${other} there, or for precision 'auto'`;
    }

    /** The bytes of `file` and their sha256, read once; ModelChecksumError if they differ from the card's. */
    private _read(file: string): { bytes: Uint8Array; sha256: string } {
      let read = this._files.get(file);
      if (!read) {
        const path = join(this._folder, file);
        if (!existsSync(path)) throw new ModelNotFoundError(this._model, path, 'is missing');
        const bytes = readFileSync(path);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const expected = file === 'model.onnx' ? this._card.sha256 : Object.values(this._card.variants).find(v => v.file === file)!.sha256;
        if (this._verify && sha256 !== expected) throw new ModelChecksumError(path, expected, sha256);
        read = { bytes, sha256 };
        this._files.set(file, read);
      }
      return read;
    }

    private readonly _model: string;
    private readonly _folder: string;
    private readonly _card: ModelCard;
    private readonly _precision: Precision | 'auto';
    private readonly _verify: boolean;
    private readonly _files = new Map<string, { bytes: Uint8Array; sha256: string }>();
  }

  export namespace Files {
    /** Options of the Files constructor. */
    export interface IOptions {
      /** The model's name or path, as the user gave it (for messages). */
      model: string;
      folder: string;
      card: ModelCard;
      precision: Precision | 'auto';
      /** Check each file against its sha256 in the card. */
      verify: boolean;
    }
  }
}
