/**
 * The kernel process: the Jupyter server loop on tslab, the wire protocol and the kernelspec.
 *
 * @example
 * import { installKernelspec } from '@mdlma/kernel/kernel';
 */
export { installKernelspec, kernelspec, KERNEL_DISPLAY_NAME, KERNEL_NAME } from './kernelspec';
export { startKernel } from './server';
export type { RunningKernel } from './server';
