/**
 * Where models live: `<repo>/models/<name>/` found from this package's location, unless the
 * `MDLMA_MODELS` environment variable or an explicit folder says otherwise.
 *
 * @example
 * modelsRoot();                          // '/work/main/models'
 * modelFolder('sun-implant');            // '/work/main/models/sun-implant'
 * modelFolder('./my-models/finetuned');  // a path (contains a slash): used as is
 */
import { existsSync, readFileSync, statSync } from 'fs';
import { dirname, isAbsolute, join, resolve } from 'path';

import { ModelNotFoundError } from '../errors';

/** The folder holding one sub-folder per model: $MDLMA_MODELS, else the repository's `models/`. */
export function modelsRoot(): string {
  const fromEnv = process.env.MDLMA_MODELS;
  if (fromEnv) return resolve(fromEnv);
  const found = Private.repoModels(__dirname);
  if (!found) {
    throw new ModelNotFoundError('(any)', 'models/', 'was not found above the @mdlma/kernel package; set MDLMA_MODELS to the models folder');
  }
  return found;
}

/** The folder of model `nameOrPath`: a name under `root` (default `modelsRoot()`), or a path when it contains a slash. */
export function modelFolder(nameOrPath: string, root?: string): string {
  const isPath = isAbsolute(nameOrPath) || nameOrPath.includes('/') || nameOrPath.startsWith('.');
  const folder = isPath ? resolve(nameOrPath) : join(root ?? modelsRoot(), nameOrPath);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ModelNotFoundError(nameOrPath, folder, 'is not a folder');
  }
  return folder;
}

namespace Private {
  /** The nearest ancestor that is an npm workspace root with a models/ folder. */
  export function repoModels(start: string): string | undefined {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'models');
      if (existsSync(candidate) && isWorkspaceRoot(dir)) return candidate;
      if (dirname(dir) === dir) return undefined;
    }
  }

  function isWorkspaceRoot(dir: string): boolean {
    try {
      return Array.isArray(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).workspaces);
    } catch {
      return false;
    }
  }
}
