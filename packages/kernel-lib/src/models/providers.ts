/**
 * ONNX Runtime sessions with execution-provider fallback CUDA -> WebGPU -> CPU.
 *
 * onnxruntime-node's npm package ships the CPU and WebGPU providers only; the CUDA provider
 * (libonnxruntime_providers_cuda.so + libonnxruntime_providers_shared.so) is copied next to
 * the binding by scripts/install-onnxruntime-cuda.sh from the matching onnxruntime-gpu wheel.
 * A provider that is absent or fails to start is skipped and the reason recorded, so the CPU
 * path always works. Threads are explicit: ONNX Runtime's default intra-op pool measured 5x
 * slower here than one thread per core with a single inter-op thread.
 *
 * @example
 * const { session, provider, skipped } = await createSession(bytes, { device: 'auto' });
 * console.log(provider, skipped);   // 'cpu' [{provider: 'cuda', reason: 'not installed ...'}, ...]
 */
import { existsSync } from 'fs';
import { availableParallelism } from 'os';
import { dirname, join } from 'path';

import type { InferenceSession } from 'onnxruntime-node';

import { ModelFormatError } from '../errors';

/** An execution provider MDLMA can use. */
export type ExecutionProvider = 'cuda' | 'webgpu' | 'cpu';

/** Which provider to run on: one of them, or 'auto' (the first that starts, in the order cuda, webgpu, cpu). */
export type Device = ExecutionProvider | 'auto';

/** A created session and how it came to run where it runs. */
export interface CreatedSession {
  session: InferenceSession;
  provider: ExecutionProvider;
  threads: number;
  /** Providers tried before, with why each was skipped. */
  skipped: { provider: ExecutionProvider; reason: string }[];
}

/**
 * The onnxruntime-node module, loaded on first use (importing @mdlma/kernel does not load the
 * native binding). It is loaded with Node's own require, in the main realm: its native outputs
 * are main-realm typed arrays, and onnxruntime-common checks them with `instanceof`, which fails
 * if the module was loaded inside a VM context (jest's sandbox, a notebook's vm).
 */
export function onnxRuntime(): typeof import('onnxruntime-node') {
  return Private.nodeRequire()('onnxruntime-node');
}

/** The path of onnxruntime-node's entry module (what a worker thread requires to load the same binding). */
export function onnxRuntimePath(): string {
  return Private.nodeRequire().resolve('onnxruntime-node');
}

/** `data` as a Float32Array of onnxruntime-node's realm (a view on the same memory when it comes from another realm). */
export function ortFloat32(data: Float32Array): Float32Array {
  const F = Private.mainRealmFloat32Array();
  return (data as unknown) instanceof F ? data : new F(data.buffer, data.byteOffset, data.length);
}

/** The folder holding onnxruntime-node's native binding and libonnxruntime (where the CUDA provider libraries go). */
export function onnxRuntimeBinFolder(): string {
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether the CUDA provider libraries sit next to the binding (installed by scripts/install-onnxruntime-cuda.sh). */
export function cudaProviderInstalled(): boolean {
  const bin = onnxRuntimeBinFolder();
  const ext = process.platform === 'win32' ? 'dll' : 'so';
  const prefix = process.platform === 'win32' ? '' : 'lib';
  return ['onnxruntime_providers_cuda', 'onnxruntime_providers_shared'].every(n => existsSync(join(bin, `${prefix}${n}.${ext}`)));
}

/**
 * Creates a session for `model` (ONNX bytes) on the first provider of the fallback chain that starts. `model` may
 * also be a function giving each provider its file (path and bytes: a model in another precision for a GPU), or a
 * path without bytes and the `reason` it has none to run there (the provider is then skipped with that reason).
 */
export async function createSession(
  model: Uint8Array | ((provider: ExecutionProvider) => { bytes?: Uint8Array; path: string; reason?: string }),
  options: createSession.IOptions = {},
  path = 'model.onnx'
): Promise<CreatedSession> {
  const ort = onnxRuntime();
  const device = options.device ?? 'cpu';
  // Each intra-op thread is an OS thread with its own stack: more than the cores only costs memory (a million
  // of them exhausted it before anything ran), so the count is clamped to the cores available.
  const threads = Math.min(availableParallelism(), Math.max(1, Math.floor(options.threads ?? availableParallelism())));
  const chain: ExecutionProvider[] = device === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [device];
  const skipped: CreatedSession['skipped'] = [];
  for (const provider of chain) {
    if (provider === 'cuda' && !cudaProviderInstalled()) {
      skipped.push({ provider, reason: 'CUDA provider libraries not installed (run scripts/install-onnxruntime-cuda.sh)' });
      continue;
    }
    const file = typeof model === 'function' ? model(provider) : { bytes: model, path };
    if (!file.bytes) {
      skipped.push({ provider, reason: file.reason ?? 'no model file for it' });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(file.bytes, sessionOptions(provider, threads));
      return { session, provider, threads, skipped };
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      if (provider === 'cpu') throw new ModelFormatError(file.path, `ONNX Runtime cannot load it (${reason})`);
      skipped.push({ provider, reason });
    }
  }
  throw new ModelFormatError(path, `no execution provider started (${skipped.map(s => `${s.provider}: ${s.reason}`).join('; ')}); use device 'cpu'`);
}

/** The options every MDLMA session is created with, on `provider` with `threads` intra-op threads (plain data). */
export function sessionOptions(provider: ExecutionProvider, threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // The memory pattern plans and keeps buffers per input shape, and windows give many shapes (34 at 256^3, 9 axes).
    // Timed in the pipeline itself (bench/segment at eaf3c2d, 256^3, 9 axes): 218.7 s on, 220.1 s off, within the
    // noise, so off, holding less memory. MDLMA_ORT_MEM_PATTERN=1 turns it on (the bench's A/B row).
    enableMemPattern: process.env.MDLMA_ORT_MEM_PATTERN === '1',
    // Idle intra-op threads would spin between runs, stealing the cores the pipeline's own
    // slicing and voting need (measured here); they sleep instead.
    extra: { session: { intra_op: { allow_spinning: process.env.MDLMA_ORT_SPIN ?? '0' } } }
  };
}

/** Types of `createSession`. */
export namespace createSession {
  /** Options of `createSession`. */
  export interface IOptions {
    /** Default 'cpu' (always works); 'auto' tries CUDA, then WebGPU, then CPU. */
    device?: Device;
    /** Intra-op threads (default and at most: the number of cores available). */
    threads?: number;
  }
}

namespace Private {
  let required: NodeRequire | undefined;
  let float32: Float32ArrayConstructor | undefined;

  /** Node's require, from the main realm's `module` builtin (a VM sandbox may hand out a patched one). */
  export function nodeRequire(): NodeRequire {
    if (!required) {
      const mainProcess = (require('vm') as typeof import('vm')).runInThisContext('process') as NodeJS.Process & {
        getBuiltinModule?: (id: string) => unknown;
      };
      const Module = (mainProcess.getBuiltinModule?.('module') ?? mainProcess.mainModule?.constructor ?? require('module')) as typeof import('module');
      required = Module.createRequire(__filename);
    }
    return required;
  }

  export function mainRealmFloat32Array(): Float32ArrayConstructor {
    return (float32 ??= (require('vm') as typeof import('vm')).runInThisContext('Float32Array'));
  }
}
