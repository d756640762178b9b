/**
 * Atomic writes for active-learning state (annotation logs, saved loops): a temporary name in the same folder, then a
 * rename, so that no partial file is left behind (DESIGN.md, "Errors").
 *
 * @example
 * writeFileAtomic('run.al.json', JSON.stringify(state));
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname } from 'path';

/** Writes `data` to `path` through a temporary file and a rename; creates the folder. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
