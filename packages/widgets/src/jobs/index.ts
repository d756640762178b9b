/**
 * jobs/: the Slurm job panel: composer (form from a template's schema, script preview), job table,
 * job view (log tail, parameters, cancel/hold/release, Open), over the `IJobService` the
 * labextension implements against `/mdlma/api/slurm/` and provides as a JupyterLab token. The records
 * (jobs, templates, submissions) are `@mdlma/kernel/protocol`'s.
 *
 * @example
 * import { JobPanel } from '@mdlma/widgets';
 * const panel = new JobPanel({ service });
 * await panel.start();
 */
export { JobComposer } from './composer';
export type { ComposedJob } from './composer';
export { JobPanel } from './job-panel';
export { JobTable, StateBadge } from './job-table';
export type { JobTableProblem } from './job-table';
export { JobView } from './job-view';
export { JobWatch, compareJobs, elapsedSeconds, filterJobs, formatElapsed, isTerminal, sortJobs, stateGroup } from './job-list';
export type { EndedJob, JobSortKey, StateGroup } from './job-list';
export { checkParameters, formSchema, initialValues, parameterValidator, uiSchemaOf } from './parameter-form';
export type { CheckedParameters, FormValues } from './parameter-form';
export { JobServiceError } from './errors';
export { IJobService } from './tokens';
