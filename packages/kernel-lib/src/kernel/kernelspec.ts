/**
 * The "TypeScript (MDLMA)" kernelspec: installs kernel.json into a Jupyter data folder
 * (normally the project's virtualenv, `<venv>/share/jupyter/kernels/mdlma`).
 *
 * @example
 * installKernelspec({ prefix: '.venv' });
 */
import { join, resolve } from 'path';

import { writeFileAtomicallySync } from '../files';

/** The kernelspec's folder name, which notebooks name in their metadata. */
export const KERNEL_NAME = 'mdlma';

/** The name users see in the launcher and the kernel picker. */
export const KERNEL_DISPLAY_NAME = 'TypeScript (MDLMA)';

/** The kernel.json content for this installation. */
export function kernelspec(node = process.execPath): Record<string, unknown> {
  return {
    argv: [node, join(__dirname, 'main.js'), '--connection-file', '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { debugger: false }
  };
}

/** Write the kernelspec atomically; returns the folder it went to. */
export function installKernelspec(options: installKernelspec.IOptions): string {
  const dir = resolve(options.prefix, 'share', 'jupyter', 'kernels', KERNEL_NAME);
  writeFileAtomicallySync(join(dir, 'kernel.json'), JSON.stringify(kernelspec(options.node), null, 2) + '\n', { createFolder: true });
  return dir;
}

/** Types of `installKernelspec`. */
export namespace installKernelspec {
  /** Options of `installKernelspec`. */
  export interface IOptions {
    /** The prefix whose share/jupyter/kernels receives the spec (a virtualenv, sys.prefix). */
    prefix: string;
    /** Node.js binary to run the kernel with (default: the one running now). */
    node?: string;
  }
}
