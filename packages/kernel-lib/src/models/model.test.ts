import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { availableParallelism, tmpdir } from 'os';
import { join } from 'path';

import { createHash } from 'crypto';

import { ModelCardError, ModelChecksumError, ModelDisposedError, ModelFormatError, ModelNotFoundError, ModelPrecisionError, SegmentOptionError } from '../errors';
import { cudaProviderInstalled, modelFolder, modelsRoot, parseModelCard, SegmentationModel } from './index';

const REAL = join(__dirname, '..', '..', '..', '..', 'models', 'sun-implant');

/** A copy of the real model in a temporary models folder, with the card changed by `edit`. */
function copyModel(root: string, name: string, edit: (card: Record<string, any>) => void = () => undefined, onnx?: Buffer): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (onnx) writeFileSync(join(dir, 'model.onnx'), onnx);
  else copyFileSync(join(REAL, 'model.onnx'), join(dir, 'model.onnx'));
  const card = JSON.parse(readFileSync(join(REAL, 'model.json'), 'utf8'));
  delete card.variants; // the copy has model.onnx only; tests of variants add their own
  edit(card);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(card));
  return dir;
}

describe('model registry', () => {
  let root: string;
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'mdlma-models-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds the repository models folder, or MDLMA_MODELS', () => {
    expect(modelFolder('sun-implant')).toBe(REAL);
    const saved = process.env.MDLMA_MODELS;
    process.env.MDLMA_MODELS = root;
    try {
      expect(modelsRoot()).toBe(root);
    } finally {
      if (saved === undefined) delete process.env.MDLMA_MODELS;
      else process.env.MDLMA_MODELS = saved;
    }
  });

  it('loads sun-implant on the CPU with explicit threads and predicts softmax probabilities', async () => {
    const model = await SegmentationModel.load('sun-implant', { threads: 2 });
    expect(model.provider).toBe('cpu');
    expect(model.threads).toBe(2);
    expect(model.card.classes).toEqual(['background', 'bone', 'degradation layer', 'residual material']);
    expect(model.card.input.tile[0] % model.card.input.multiple).toBe(0);
    const [n, h, w] = [2, 32, 48];
    const probs = await model.predict(Float32Array.from({ length: n * h * w }, (_, i) => (i % 97) / 97), [n, h, w]);
    expect(probs.length).toBe(n * 4 * h * w);
    for (const p of [0, 777, h * w - 1]) {
      const sum = [0, 1, 2, 3].reduce((s, c) => s + probs[c * h * w + p], 0);
      expect(sum).toBeCloseTo(1, 4);
    }
    await expect(model.predict(new Float32Array(10), [1, 2, 5])).rejects.toThrow(ModelFormatError);
  });

  describe('session threads', () => {
    const [n, h, w] = [2, 64, 48];
    const tiles = (seed: number) => Float32Array.from({ length: n * h * w }, (_, i) => ((i * 7 + seed * 131) % 101) / 101);

    it('predicts in worker threads what the main-thread session predicts, bit for bit, calls in flight in order', async () => {
      const inThreads = await SegmentationModel.load('sun-implant', { threads: 2 });
      const onMain = await SegmentationModel.load('sun-implant', { threads: 2, sessionThreads: 0 });
      expect([inThreads.sessionThreads, onMain.sessionThreads]).toEqual([2, 0]);
      // Three calls in flight; the caller refills its buffer at once (each call copies its input when made).
      const buffer = tiles(0);
      const pending = [0, 1, 2].map(seed => {
        buffer.set(tiles(seed));
        return inThreads.predictTimed(buffer, [n, h, w]);
      });
      const results = await Promise.all(pending);
      for (const [seed, r] of results.entries()) {
        const expected = await onMain.predict(tiles(seed), [n, h, w]);
        expect(r.probs.length).toBe(expected.length);
        expect(Buffer.compare(Buffer.from(r.probs.buffer, r.probs.byteOffset, r.probs.byteLength), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(0);
        expect(r.ms).toBeGreaterThan(0);
      }
    });

    it('refuses a session-thread count that does not fit the intra-op threads, by name', async () => {
      await expect(SegmentationModel.load('sun-implant', { threads: 1, sessionThreads: 2 })).rejects.toThrow(/sessionThreads must be an integer from 0 to the intra-op threads \(1\); got 2/);
      await expect(SegmentationModel.load('sun-implant', { threads: 2, sessionThreads: 1.5 })).rejects.toThrow(SegmentOptionError);
    });

    it('refuses a call after dispose, naming the model', async () => {
      const dir = copyModel(root, 'closed');
      const model = await SegmentationModel.load(dir, { threads: 2 });
      await model.predict(tiles(0), [n, h, w]);
      await model.dispose();
      await expect(model.predict(tiles(0), [n, h, w])).rejects.toThrow(ModelDisposedError);
      await expect(model.predict(tiles(0), [n, h, w])).rejects.toThrow(dir);
    });
  });

  it('uses at most one intra-op thread per core available, however many are asked for', async () => {
    // A million OS threads exhausted memory (2.4 GB) before anything ran.
    const model = await SegmentationModel.load('sun-implant', { threads: 1_000_000 });
    expect(model.threads).toBe(availableParallelism());
  });

  it("falls back from CUDA and WebGPU to the CPU with device 'auto', saying why", async () => {
    const model = await SegmentationModel.load('sun-implant', { device: 'auto', threads: 1 });
    if (cudaProviderInstalled()) return; // a machine with the CUDA provider may run elsewhere
    expect(['webgpu', 'cpu']).toContain(model.provider);
    expect(model.skipped[0]).toEqual({ provider: 'cuda', reason: expect.stringContaining('install-onnxruntime-cuda.sh') });
  });

  it('rejects a missing model, a corrupt file, a sha mismatch and cards that do not fit', async () => {
    await expect(SegmentationModel.load('no-such-model')).rejects.toThrow(ModelNotFoundError);
    copyModel(root, 'no-onnx');
    rmSync(join(root, 'no-onnx', 'model.onnx'));
    await expect(SegmentationModel.load('no-onnx', { root })).rejects.toThrow(ModelNotFoundError);

    copyModel(root, 'changed', card => (card.sha256 = '0'.repeat(64)));
    const mismatch = SegmentationModel.load('changed', { root });
    await expect(mismatch).rejects.toThrow(ModelChecksumError);
    await expect(mismatch).rejects.toThrow(/write the new sha256 into model.json/);

    const junk = Buffer.from('this is not an ONNX file');
    const sha = createHash('sha256').update(junk).digest('hex');
    copyModel(root, 'corrupt', card => (card.sha256 = sha), junk);
    await expect(SegmentationModel.load('corrupt', { root })).rejects.toThrow(ModelFormatError);

    copyModel(root, 'three-classes', card => card.classes.pop());
    await expect(SegmentationModel.load('three-classes', { root })).rejects.toThrow(/lists 3 classes but the model returns 4 channels/);

    copyModel(root, 'odd-tile', card => (card.input.tile = 100));
    await expect(SegmentationModel.load('odd-tile', { root })).rejects.toThrow(ModelCardError);

    writeFileSync(join(copyModel(root, 'bad-json'), 'model.json'), '{ not json');
    await expect(SegmentationModel.load('bad-json', { root })).rejects.toThrow(ModelCardError);
  });

  describe('precision variants', () => {
    /** A copy with model.onnx and one variant file (bytes of `source`) listed under `precision`. */
    function withVariant(name: string, precision: 'int8' | 'fp16', source: string, entry: Record<string, unknown>): string {
      const bytes = readFileSync(source);
      const dir = copyModel(root, name, card => {
        card.variants = { [precision]: { file: `model.${precision}.onnx`, sha256: createHash('sha256').update(bytes).digest('hex'), ...entry } };
      });
      writeFileSync(join(dir, `model.${precision}.onnx`), bytes);
      return dir;
    }

    it("runs the variant the card names as default on the provider with precision 'auto', float32 otherwise", async () => {
      withVariant('int8-default', 'int8', join(REAL, 'model.onnx'), { providers: ['cpu'], default_on: ['cpu'] });
      const auto = await SegmentationModel.load('int8-default', { root, threads: 1 });
      expect([auto.precision, auto.file]).toEqual(['int8', 'model.int8.onnx']);
      const fp32 = await SegmentationModel.load('int8-default', { root, threads: 1, precision: 'fp32' });
      expect([fp32.precision, fp32.file]).toEqual(['fp32', 'model.onnx']);
      withVariant('int8-not-default', 'int8', join(REAL, 'model.onnx'), { providers: ['cpu'], default_on: [] });
      expect((await SegmentationModel.load('int8-not-default', { root, threads: 1 })).precision).toBe('fp32');
      expect((await SegmentationModel.load('int8-not-default', { root, threads: 1, precision: 'int8' })).precision).toBe('int8');
    });

    it('refuses a precision the card has no file for, or whose file does not run on the device, by name', async () => {
      withVariant('fp16-only', 'fp16', join(REAL, 'model.onnx'), { providers: ['cuda', 'webgpu'], default_on: [] });
      const onCpu = SegmentationModel.load('fp16-only', { root, precision: 'fp16' });
      await expect(onCpu).rejects.toThrow(ModelPrecisionError);
      await expect(onCpu).rejects.toThrow(/model.fp16.onnx runs on cuda, webgpu, not on cpu: ask for 'fp32' or 'int8' there/);
      await expect(SegmentationModel.load('fp16-only', { root, precision: 'int8' })).rejects.toThrow(/lists no int8 variant .*variants.sh/);
      await expect(SegmentationModel.load('fp16-only', { root, precision: 'fp8' as 'fp16' })).rejects.toThrow(/is not one of auto, fp32, int8, fp16/);
      // 'auto' device: no provider of the chain runs the fp16 file here but CUDA or WebGPU; the reasons are kept.
      if (!cudaProviderInstalled()) {
        const reasons = SegmentationModel.load('fp16-only', { root, device: 'auto', precision: 'fp16' });
        await expect(reasons).rejects.toThrow(/cpu: its file model.fp16.onnx runs on cuda, webgpu, not on cpu/);
      }
    });

    it('checks a variant file against its sha256 in the card', async () => {
      const dir = withVariant('int8-damaged', 'int8', join(REAL, 'model.onnx'), { providers: ['cpu'], default_on: ['cpu'] });
      writeFileSync(join(dir, 'model.int8.onnx'), Buffer.from('damaged'));
      await expect(SegmentationModel.load('int8-damaged', { root })).rejects.toThrow(ModelChecksumError);
      rmSync(join(dir, 'model.int8.onnx'));
      await expect(SegmentationModel.load('int8-damaged', { root })).rejects.toThrow(ModelNotFoundError);
      expect(() => parseModelCard({ sha256: 'a'.repeat(64), classes: ['a', 'b'], input: { tile: 64 }, variants: { int8: { file: 'x.onnx', sha256: 'b'.repeat(64), providers: ['tpu'] } } }, 'm.json')).toThrow(
        /variants.int8.providers/
      );
    });
  });

  it('parses both card styles for classes, fill and outputs', () => {
    const card = parseModelCard(
      {
        sha256: 'a'.repeat(64),
        classes: ['background', 'bone'],
        input: { tile: [64, 128], multiple: 16, fill: { value: -1 }, normalisation: { kind: 'percentile', low: 0.5, high: 99.5 } },
        outputs: { probs: '[N,C,H,W]', features: { name: 'feat' } }
      },
      'model.json'
    );
    expect(card.input.tile).toEqual([64, 128]);
    expect(card.input.fill).toBe(-1);
    expect(card.outputs).toEqual({ probs: 'probs', features: 'feat' });
    expect(() => parseModelCard({ sha256: 'a'.repeat(64), classes: ['x'] }, 'm.json')).toThrow(/classes/);
    expect(() => parseModelCard({ sha256: 'a'.repeat(64), classes: ['a', 'b'], input: { tile: 64, normalisation: { kind: 'magic' } } }, 'm.json')).toThrow(
      /normalisation/
    );
  });
});
