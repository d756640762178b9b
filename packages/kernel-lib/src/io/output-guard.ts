/**
 * The output-path guard every writer calls before it writes anything: an output must not be an input of the same
 * call, nor another output of it. Paths are compared where they really lead: `./scan.nii`, `a/../scan.nii`, a
 * symlink to the scan (or to its folder) and a hard link are all the scan; `scan.nii` and `scan.nii.gz` are two
 * files. A path that a browser message names must also stay inside the kernel's working folder.
 *
 * @example
 * await guardOutputs({ '--out': 'labels.nii', '--confidence': 'conf.nii' }, { 'the input': 'scan.nii' });
 * const target = await confineToFolder(process.cwd(), 'sub/labels.nii.gz', 'export-labels path');
 */
import { promises as fs } from 'fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'path';

import { OutputPathError } from '../errors';

/** Paths by the parameter that names them in the call (undefined entries are skipped). */
export type NamedPaths = Record<string, string | undefined>;

/** Throws OutputPathError when an output resolves to an input or to another output of the same call. */
export async function guardOutputs(outputs: NamedPaths, inputs: NamedPaths = {}): Promise<void> {
  const ins = await Private.locateAll(inputs);
  const outs = await Private.locateAll(outputs);
  outs.forEach((out, i) => {
    const input = ins.find(x => Private.same(x, out));
    if (input) throw new OutputPathError(out.parameter, out.path, `resolves to ${input.parameter} ${input.path}: refusing to overwrite an input`);
    const other = outs.slice(0, i).find(x => Private.same(x, out));
    if (other) throw new OutputPathError(out.parameter, out.path, `resolves to ${other.parameter} ${other.path} as well: two outputs cannot share a file`);
  });
}

/**
 * `path` resolved against `folder`; throws OutputPathError unless it is relative and stays inside `folder`, both as
 * written (no `..` out of it) and where its parent folder really is (no symlinked folder leading out).
 */
export async function confineToFolder(folder: string, path: string, parameter: string): Promise<string> {
  if (isAbsolute(path)) throw new OutputPathError(parameter, path, `is absolute; give a path relative to the working folder ${folder}`);
  const root = resolve(folder);
  const target = resolve(root, path);
  if (!Private.inside(root, target)) throw new OutputPathError(parameter, path, `leaves the working folder ${folder}`);
  const realRoot = await fs.realpath(root);
  const realParent = await Private.realLocation(dirname(target));
  if (realParent !== realRoot && !Private.inside(realRoot, realParent)) {
    throw new OutputPathError(parameter, path, `lies in ${realParent} (through a symlink), outside the working folder ${folder}`);
  }
  return target;
}

namespace Private {
  /** Where a named path really leads: its real path, and its device and inode when it exists (hard links). */
  export interface Location {
    parameter: string;
    path: string;
    real: string;
    inode?: string;
  }

  export async function locateAll(paths: NamedPaths): Promise<Location[]> {
    const out: Location[] = [];
    for (const [parameter, path] of Object.entries(paths)) if (path !== undefined) out.push({ parameter, path, ...(await locate(path)) });
    return out;
  }

  export function same(a: Location, b: Location): boolean {
    return a.real === b.real || (a.inode !== undefined && a.inode === b.inode);
  }

  /** `child` is strictly below `parent` (both absolute and normalised). */
  export function inside(parent: string, child: string): boolean {
    const r = relative(parent, child);
    return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r);
  }

  /** The real path of an existing file, or of the deepest existing folder above one that does not exist yet. */
  export async function realLocation(absolute: string): Promise<string> {
    const missing: string[] = [];
    for (let at = absolute; ; at = dirname(at)) {
      try {
        return join(await fs.realpath(at), ...missing.reverse());
      } catch {
        if (dirname(at) === at) return absolute;
        missing.push(basename(at));
      }
    }
  }

  async function locate(path: string): Promise<{ real: string; inode?: string }> {
    const absolute = resolve(path);
    const stat = await fs.stat(absolute).catch(() => undefined);
    return { real: await realLocation(absolute), inode: stat && `${stat.dev}:${stat.ino}` };
  }
}
