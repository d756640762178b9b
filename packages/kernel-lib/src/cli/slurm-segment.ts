/**
 * The array segmentation commands of `mdlma slurm`: `segment` submits the array and merge jobs (cluster/'s
 * `submitSegmentArray`), `segment-task` and `segment-merge` are what those jobs run, `segment-resubmit` submits
 * failed tasks again. Loaded on demand: a task brings ONNX Runtime.
 *
 * @example
 * mdlma slurm segment scan.nii.gz --out labels.zarr --tasks 8 --merge labels.nii.gz --wait --json
 * mdlma slurm segment-resubmit labels.zarr --tasks 1,3
 */
import { promises as fs } from 'fs';

import { mergeSegmentArray, resubmitSegmentTasks, runSegmentTask, submitSegmentArray, type SlurmClient } from '../cluster';
import { UsageError } from '../errors';
import { PRECISION_CHOICES } from '../models';
import { writeAtomically } from '../io';
import { integerOption, oneOf } from './option-values';
import type { SlurmCommandLine } from './slurm-args';
import { submitInput } from './slurm-input';

/** Runs `segment`, `segment-task`, `segment-merge` or `segment-resubmit`; returns what to print. */
export async function arraySegmentation(client: SlurmClient, parsed: SlurmCommandLine): Promise<unknown> {
  const { values } = parsed;
  const count = (option: string, text: string | undefined, range: { min: number; max?: number }) =>
    text === undefined ? undefined : integerOption(option, text, range);
  const axes = count('--axes', values.axes, { min: 1, max: 9 });
  const settings = {
    model: values.model,
    axes: axes === undefined ? undefined : oneOf('--axes', axes, [1, 3, 9] as const),
    voting: values.voting as 'soft' | 'hard' | undefined,
    precision: values.precision === undefined ? undefined : oneOf('--precision', values.precision, PRECISION_CHOICES),
    // The tasks run on compute nodes whose cores this machine does not know: each task uses at most its own.
    threads: count('--threads', values.threads, { min: 1 }),
    slabDepth: count('--slab-depth', values['slab-depth'], { min: 1 }),
    halo: count('--halo', values.halo, { min: 0 })
  };
  const input = parsed.positional[0];
  if (!input) {
    throw new UsageError(`mdlma slurm ${parsed.command} needs ${parsed.command === 'segment' || parsed.command === 'segment-task' ? 'an input volume' : 'the Zarr store'}`);
  }
  const out = values.out;
  if (parsed.command === 'segment-task') {
    const task = integerOption('--task', values.task ?? process.env.SLURM_ARRAY_TASK_ID ?? '', { min: 0 });
    if (!out) {
      throw new UsageError('segment-task needs --out <x.zarr>');
    }
    return { task, ...(await runSegmentTask(input, out, task, settings)) };
  }
  if (parsed.command === 'segment-merge') {
    return mergeSegmentArray(input, values.merge);
  }
  if (parsed.command === 'segment-resubmit') {
    const run = JSON.parse(await fs.readFile(`${input.replace(/\/+$/, '')}.run.json`, 'utf8'));
    const tasks = (values.tasks ?? '').split(',').filter(Boolean).map(task => integerOption('--tasks', task, { min: 0 }));
    const again = await resubmitSegmentTasks(run, tasks, client);
    await Private.writeRunRecord(again);
    return values.wait ? { ...again, merge: await Private.waitForRun(client, again) } : again;
  }
  if (!out) {
    throw new UsageError('mdlma slurm segment needs --out <x.zarr>');
  }
  const run = await submitSegmentArray({
    ...settings,
    input,
    out,
    tasks: count('--tasks', values.tasks, { min: 1, max: Private.MAX_ARRAY_TASKS }),
    merge: values.merge,
    job: (await submitInput(parsed)).job,
    client
  });
  await Private.writeRunRecord(run);
  return values.wait ? { ...run, merge: await Private.waitForRun(client, run) } : run;
}

namespace Private {
  /** Slurm's default MaxArraySize (1001): array indices 0..1000. */
  export const MAX_ARRAY_TASKS = 1001;

  /** `<store>.run.json`, what `segment-resubmit` reads back: written whole or not at all. */
  export async function writeRunRecord(run: { out: string }): Promise<void> {
    await writeAtomically(`${run.out}.run.json`, temporary => fs.writeFile(temporary, JSON.stringify(run, null, 2)));
  }

  /** Waits for the tasks (a failed one throws SlurmJobError: the merge would never run), then the merge. */
  export async function waitForRun(client: SlurmClient, run: { arrayJobId: string; mergeJobId: string }) {
    await client.wait(run.arrayJobId);
    return client.wait(run.mergeJobId);
  }
}
