/**
 * Lets a notebook in any folder (a JupyterHub home, another drive) import what the kernel's own package
 * can import: `@mdlma/kernel`, its dependencies and their types. Nothing is written into the user's folder.
 *
 * Node: the kernel package's node_modules folders join NODE_PATH, which Node searches after the
 * notebook's own node_modules. TypeScript knows no NODE_PATH, so tslab's compiler sees the same folders,
 * read-only, as `node_modules` at the root of the drive: the last place Node-style resolution looks.
 * Packages next to the notebook therefore still win, for Node and for the type check alike.
 *
 * @example
 * installModuleFallback({ compilerSystem: tslab.compilerSystem }); // before tslab creates its compiler
 */
import { existsSync, statSync } from 'fs';
import Module from 'module';
import { delimiter, resolve } from 'path';

import type { CompilerSystem } from './tslab-internals';

/** Install the fallback; returns the node_modules folders it falls back to, nearest first. */
export function installModuleFallback(options: installModuleFallback.IOptions): string[] {
  const folders = Private.nodeModulesOf(options.packageRoot ?? resolve(__dirname, '..', '..'));
  Private.extendNodePath(folders);
  Private.showAtDriveRoot(options.compilerSystem, folders);
  return folders;
}

/** Types of `installModuleFallback`. */
export namespace installModuleFallback {
  /** Options of `installModuleFallback`. */
  export interface IOptions {
    /** TypeScript's file system as tslab's compiler host reads it (patched in place). */
    compilerSystem: CompilerSystem;
    /** The package whose node_modules folders become the fallback (default: @mdlma/kernel's root). */
    packageRoot?: string;
  }
}

namespace Private {
  /** `/node_modules` or `C:/node_modules` and what lies below, as TypeScript spells paths. */
  const DRIVE_ROOT_MODULES = /^((?:[A-Za-z]:)?\/node_modules)(\/.*)?$/;

  /** The existing node_modules folders Node searches from `packageRoot`, except drive roots (they are the view). */
  export function nodeModulesOf(packageRoot: string): string[] {
    const lookup: string[] = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(packageRoot);
    return lookup.filter(folder => !DRIVE_ROOT_MODULES.test(slashes(folder)) && isDirectory(folder));
  }

  /** Append to NODE_PATH and have Node re-read it (it reads NODE_PATH once, at start-up). */
  export function extendNodePath(folders: string[]): void {
    const current = (process.env.NODE_PATH ?? '').split(delimiter).filter(Boolean);
    process.env.NODE_PATH = [...current, ...folders.filter(folder => !current.includes(folder))].join(delimiter);
    (Module as unknown as { _initPaths(): void })._initPaths();
  }

  /** Make `<drive>/node_modules/<rest>` read `<folder>/<rest>` where the real path does not exist. */
  export function showAtDriveRoot(sys: CompilerSystem, folders: string[]): void {
    const real = {
      fileExists: sys.fileExists.bind(sys),
      directoryExists: sys.directoryExists.bind(sys),
      readFile: sys.readFile.bind(sys),
      readDirectory: sys.readDirectory.bind(sys),
      getDirectories: sys.getDirectories.bind(sys),
      realpath: sys.realpath?.bind(sys)
    };
    /** The fallback path for `path` if it lies in the view and the real file system lacks it. */
    const target = (path: string, exists: (p: string) => boolean): string | undefined => {
      const match = DRIVE_ROOT_MODULES.exec(slashes(path));
      if (!match || exists(path)) {
        return undefined;
      }
      const rest = match[2] ?? '';
      return folders.map(folder => slashes(folder) + rest).find(exists);
    };
    sys.fileExists = path => real.fileExists(path) || target(path, real.fileExists) !== undefined;
    sys.directoryExists = path => real.directoryExists(path) || target(path, real.directoryExists) !== undefined;
    sys.readFile = (path, encoding) => real.readFile(target(path, real.fileExists) ?? path, encoding);
    sys.readDirectory = (path, ...rest) => real.readDirectory(target(path, real.directoryExists) ?? path, ...rest);
    sys.getDirectories = path => real.getDirectories(target(path, real.directoryExists) ?? path);
    // The real path makes TypeScript resolve a package's own imports from where it really lies.
    sys.realpath = path => {
      const resolved = target(path, real.fileExists) ?? target(path, real.directoryExists) ?? path;
      return real.realpath ? real.realpath(resolved) : resolved;
    };
  }

  function slashes(path: string): string {
    return path.replace(/\\/g, '/').replace(/\/+$/, '');
  }

  function isDirectory(path: string): boolean {
    return existsSync(path) && statSync(path).isDirectory();
  }
}
