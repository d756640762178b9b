/**
 * How a call of the job service fails, so that the panel tells "Slurm is down" from a refused submission.
 *
 * @example
 * try { await service.submit(request); } catch (e) { if (e instanceof JobServiceError && e.unavailable) ... }
 */

/**
 * A failed call, with the typed error the CLI reported (`SlurmUnavailableError`,
 * `SlurmTemplateError`, `SlurmSubmitError`, ...) and its message.
 */
export class JobServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message);
    this.name = 'JobServiceError';
  }

  /** True when Slurm itself cannot be reached (not installed, controller down). */
  get unavailable(): boolean {
    return this.type === 'SlurmUnavailableError' || this.status === 503;
  }
}
