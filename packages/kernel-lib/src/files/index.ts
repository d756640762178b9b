/**
 * Files: atomic writes under every module (a temporary name in the target's folder, then a
 * rename), so that an interrupted job or a full disk never leaves half a file where a reader
 * looks. The library's only writer of temporary names.
 *
 * @example
 * import { writeAtomically, writeFileAtomically } from '@mdlma/kernel/files';
 * await writeFileAtomically('run.json', JSON.stringify(run));
 * await writeAtomically('labels.zarr', async tmp => { ... write under tmp ... });
 */
export { AtomicFile, replace, temporaryName, writeAtomically, writeFileAtomically, writeFileAtomicallySync } from './atomic';
export type { WriteFileAtomically } from './atomic';
