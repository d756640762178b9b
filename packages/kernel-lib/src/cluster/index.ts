/**
 * cluster/: the Slurm client (the commands through execFile with argument arrays, never a shell),
 * job templates, and array segmentation (`segmentOnCluster`, which orchestrates segment/; the `mdlma slurm`
 * command lives in cli/). The records it speaks (jobs, submissions, parameter schemas,
 * app connections) are the protocol's: `@mdlma/kernel/protocol`.
 *
 * @example
 * import { SlurmClient, findTemplate, renderTemplate } from '@mdlma/kernel';
 * const slurm = new SlurmClient();
 * const { script, job } = renderTemplate(await findTemplate('segment-volume'), { input: 'scan.nii.gz', output: 'labels.nii.gz' });
 * const { jobId } = await slurm.submit({ ...job, script });
 * for await (const chunk of slurm.follow(jobId)) process.stdout.write(chunk);
 * await slurm.wait(jobId);
 */
export { appConnection, readAppConnection } from './apps';
export { SlurmClient } from './client';
export { DENIED_JOB_ENV, INHERITED_JOB_ENV, jobEnvironment, jobEnvNameProblem } from './environment';
export { runSlurm, slurmProgramPath, isUnavailableMessage } from './exec';
export type { SlurmCommands, SlurmProgram } from './exec';
export { followFile, tailFile } from './logs';
export { expandOutputPattern, jobIdOf, parseJobcompLog, parseSacctJson, parseSqueueJson } from './parse';
export { shellQuote } from './safety';
export { MAX_SCRIPT_BYTES, sbatchArguments } from './sbatch-args';
export { validateParameters } from './schema';
export { SHIPPED_TEMPLATES, findTemplate, loadTemplates, renderTemplate, templateBuiltins, userTemplateFolder } from './templates';
export type { JobTemplate, RenderedTemplate, TemplateFolders, TemplateJobKey, TemplateJobValue } from './templates';
export { mergeSegmentArray, resubmitSegmentTasks, runSegmentTask, segmentOnCluster, submitSegmentArray } from './segment-array';
export type { SegmentArrayRun, SegmentClusterResult, SegmentTaskSettings } from './segment-array';
