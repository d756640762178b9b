/**
 * Loading ESM-only packages (zarrita, h5wasm, nifti-reader-js ...) from CommonJS.
 *
 * tslab compiles cells to CommonJS, where `import()` becomes `require()`, which cannot load
 * an ES module on Node 20. kernel-lib is compiled with `module: node16`, which keeps a real
 * `import()` here; a cell calls `importEsm` instead of `import()`.
 *
 * @example
 * const zarr = await importEsm<typeof import('zarrita')>('zarrita');
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { pathToFileURL } from 'url';

import { ModuleLoadError } from '../errors';
import { writeFileAtomicallySync } from '../files';

/** Import an ES module by specifier, from kernel-lib's dependencies or the notebook's folder. */
export async function importEsm<T = any>(specifier: string, options: importEsm.IOptions = {}): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    if (!Private.isNotFound(error)) {
      throw new ModuleLoadError(specifier, error);
    }
  }
  try {
    const helper = await import(pathToFileURL(Private.resolverIn(options.from ?? process.cwd())).href);
    return (await helper.importFrom(specifier)) as T;
  } catch (error) {
    throw new ModuleLoadError(specifier, error);
  }
}

/** Types of `importEsm`. */
export namespace importEsm {
  /** Options of `importEsm`. */
  export interface IOptions {
    /** Folder whose node_modules are searched when kernel-lib's own do not have the package (default: cwd, the notebook's folder). */
    from?: string;
  }
}

namespace Private {
  /** Resolution of a bare specifier starts at the importing file; this module lives in the target folder. */
  const RESOLVER = 'export const importFrom = specifier => import(specifier);\n';

  export function isNotFound(error: unknown): boolean {
    const code = (error as { code?: string })?.code;
    return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  }

  export function resolverIn(folder: string): string {
    const dir = join(folder, '.mdlma');
    const file = join(dir, 'import-from-here.mjs');
    if (!existsSync(file)) {
      writeFileAtomicallySync(file, RESOLVER, { createFolder: true });
    }
    return file;
  }
}
