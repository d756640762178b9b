/**
 * The annotations as a NIfTI label volume: uint8, C-order [z, y, x] like the image, 255 where nobody annotated,
 * 0..C-1 the classes, with the image's spacing and origin; written atomically with the io `write` (the same writer
 * `exportTrainingSet` uses). `al.exportLabels()` and the panel's "Export NIfTI" button (`export-labels` on the
 * `mdlma.annotation` comm) come here. The output guard refuses a path that is the annotated volume's own file.
 *
 * @example
 * const out = await exportAnnotationLabels(al.store, 'scan-42.labels.nii.gz', { spacing: al.volume.spacing });
 * out.labelledVoxels;     // voxels with a label
 * out.counts;             // voxels per class [0..C-1]
 */
import { mkdirSync } from 'fs';
import { dirname, resolve } from 'path';

import { ActiveLearningError } from '../errors';
import { guardOutputs, write } from '../io';
import { type LabelExport, UNLABELLED } from '../protocol';
import { Volume, type Vec3 } from '../volume';
import type { AnnotationStore } from './annotations';

/** The default file name of a session's exported labels: `<name>.labels.nii.gz`. */
export function defaultLabelsPath(name: string): string {
  if (!/^[\w.-]+$/.test(name)) throw new ActiveLearningError('name', `"${name}" must be letters, digits, '.', '_' or '-' (it names files)`);
  return `${name}.labels.nii.gz`;
}

/**
 * Writes the store's labels to `path` (.nii or .nii.gz) as uint8 (255 = unlabelled); returns what it wrote.
 * `source`, the file the annotated volume was read from, is never overwritten (OutputPathError).
 */
export async function exportAnnotationLabels(
  store: AnnotationStore,
  path: string,
  geometry: { spacing?: Vec3; origin?: Vec3; source?: string } = {}
): Promise<LabelExport> {
  if (typeof path !== 'string' || !/\.nii(\.gz)?$/.test(path)) {
    throw new ActiveLearningError('path', `must be a NIfTI file name ending in .nii or .nii.gz, got ${JSON.stringify(path)}`);
  }
  await guardOutputs({ path }, { 'the source volume': geometry.source });
  const data = store.labels().slice();
  const counts = new Array<number>(store.classes).fill(0);
  let labelledVoxels = 0;
  for (let v = 0; v < data.length; v++) {
    if (data[v] === UNLABELLED) continue;
    counts[data[v]]++;
    labelledVoxels++;
  }
  const absolutePath = resolve(path);
  mkdirSync(dirname(absolutePath), { recursive: true });
  await write(absolutePath, new Volume({ data, shape: store.shape, spacing: geometry.spacing, origin: geometry.origin }));
  return { path, absolutePath, labelledVoxels, counts };
}
