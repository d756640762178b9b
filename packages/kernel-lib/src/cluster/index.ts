/**
 * cluster/: the Slurm client (the commands through execFile with argument arrays, never a shell),
 * job templates, and the `mdlma slurm` command.
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
export type { AppConnection, AppConnectionOptions } from './apps';
export { SlurmClient } from './client';
export { DENIED_JOB_ENV, INHERITED_JOB_ENV, jobEnvironment, jobEnvNameProblem } from './environment';
export { runSlurm, slurmProgramPath, isUnavailableMessage } from './exec';
export type { RunOptions, SlurmCommands, SlurmProgram } from './exec';
export { followFile, tailFile } from './logs';
export type { FollowOptions } from './logs';
export { expandOutputPattern, jobIdOf, parseJobcompLog, parseSacctJson, parseSqueueJson } from './parse';
export { jobNameProblem, optionProblem, pathProblem, shellQuote, textProblem } from './safety';
export { MAX_SCRIPT_BYTES, sbatchArguments } from './sbatch-args';
export { checkParameter, validateParameters } from './schema';
export type { ParameterSchema, ParametersSchema, ParameterValue } from './schema';
export { SHIPPED_TEMPLATES, findTemplate, loadTemplates, renderTemplate, templateBuiltins, userTemplateFolder } from './templates';
export type { JobTemplate, RenderedTemplate, TemplateFolders, TemplateJobKey, TemplateJobValue } from './templates';
export { TERMINAL_STATES } from './types';
export type { JobState, JobSubmission, SlurmJob, SlurmNode, SubmitOptions, SubmitResult } from './types';
export { SLURM_USAGE, slurmCommand } from './cli';
export { mergeSegmentArray, resubmitSegmentTasks, runSegmentTask, segmentOnCluster, submitSegmentArray } from './segment-array';
export type { SegmentArrayOptions, SegmentArrayRun, SegmentTaskSettings } from './segment-array';
