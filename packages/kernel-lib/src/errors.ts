/**
 * Typed errors shared by every kernel-lib module. Each carries the facts a user needs
 * and a message that says what to do.
 *
 * @example
 * try { comm.send({type: 'ping'}); } catch (e) { if (e instanceof CommClosedError) reopen(); }
 */

/** Base class: every failure a user can cause is an MdlmaError. */
export class MdlmaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A kernel-only feature (comms, display ids) was used outside the MDLMA kernel. */
export class KernelNotRunningError extends MdlmaError {
  constructor(feature: string) {
    super(`${feature} needs the "TypeScript (MDLMA)" kernel; it is not available in a plain Node.js process.`);
  }
}

/** A message was sent on a comm that is closed (by the frontend or the kernel). */
export class CommClosedError extends MdlmaError {
  constructor(readonly commId: string, readonly targetName: string) {
    super(`Comm ${commId} (target "${targetName}") is closed; open a new one.`);
  }
}

/** The user interrupted the kernel while a long operation was running. */
export class InterruptedError extends MdlmaError {
  constructor(what = 'The operation') {
    super(`${what} was interrupted by the user (Kernel > Interrupt).`);
  }
}

/** An ESM-only package could not be loaded from the kernel. */
export class ModuleLoadError extends MdlmaError {
  constructor(readonly specifier: string, cause: unknown) {
    super(
      `Could not import "${specifier}": ${(cause as Error)?.message ?? cause}. ` +
        'Install it next to the notebook (npm install) or in @mdlma/kernel.',
      { cause }
    );
  }
}

/** A file is not what it claims to be: wrong magic, truncated, inconsistent header. */
export class VolumeFormatError extends MdlmaError {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
  }
}

/** A voxel type that MDLMA does not handle (it reads uint8, uint16, int16, float32, float64). */
export class UnsupportedDTypeError extends MdlmaError {
  constructor(readonly dtype: string, readonly where = '') {
    super(`${where ? `${where}: ` : ''}unsupported voxel type "${dtype}"; use uint8, uint16, int16 or float32.`);
  }
}

/** A shape that cannot hold a volume, or shapes that do not match. */
export class VolumeShapeError extends MdlmaError {}

/** A request outside the volume (a slab, region or slice index). */
export class VolumeRangeError extends MdlmaError {}

/** A volume path (file or folder) that does not exist or cannot be opened. */
export class VolumeNotFoundError extends MdlmaError {
  constructor(readonly path: string, readonly reason = 'no such file or folder') {
    super(`${path}: ${reason}; check the path (relative paths start at the notebook's folder).`);
  }
}

/** A phantom option out of range (size, seed, stage, flux, ...). */
export class PhantomOptionError extends MdlmaError {
  constructor(readonly option: string, readonly reason: string) {
    super(`Phantom option "${option}" ${reason}.`);
  }
}

/** A model folder, model.onnx or model.json is missing or unreadable. */
export class ModelNotFoundError extends MdlmaError {
  constructor(readonly model: string, readonly path: string, readonly reason = 'not found') {
    super(
      `Model "${model}": ${path} ${reason}. Models live in <repo>/models/<name>/ (model.onnx + model.json); ` +
        'set MDLMA_MODELS or pass an explicit folder to point elsewhere.'
    );
  }
}

/** model.onnx does not load (truncated, not ONNX) or does not have the inputs and outputs its card promises. */
export class ModelFormatError extends MdlmaError {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}. Re-download or re-export the model (models/train) and update its card.`);
  }
}

/** The sha256 of model.onnx differs from the one its card records. */
export class ModelChecksumError extends MdlmaError {
  constructor(readonly path: string, readonly expected: string, readonly actual: string) {
    super(
      `${path}: sha256 ${actual} does not match the card's ${expected}. The file was changed or damaged: ` +
        'restore it (git checkout models/), or if you re-exported it on purpose, write the new sha256 into model.json.'
    );
  }
}

/** A model card (model.json) is malformed or does not fit the pipeline (classes, tile size, normalisation). */
export class ModelCardError extends MdlmaError {
  constructor(readonly path: string, readonly field: string, readonly reason: string) {
    super(`${path}: card field "${field}" ${reason}. Fix model.json (see DESIGN.md, "Model card").`);
  }
}

/** A segmentation option or input that the SUN pipeline cannot use (axes, voting, NaN voxels, batch size). */
export class SegmentOptionError extends MdlmaError {
  constructor(readonly option: string, readonly reason: string) {
    super(`segment: ${option} ${reason}.`);
  }
}

/** Two volumes (prediction and truth, labels and image) that metrics compare do not have the same shape. */
export class MetricsInputError extends MdlmaError {}

/** A registration input that cannot be used: mismatched grids, constant images, no overlap, bad transform or options. */
export class RegistrationInputError extends MdlmaError {
  constructor(readonly input: string, readonly reason: string) {
    super(`register: ${input} ${reason}.`);
  }
}

/** Base class of the errors of the Slurm client (cluster/); each carries the scheduler's own message. */
export class SlurmError extends MdlmaError {}

/** The Slurm commands are missing, or the controller does not answer. */
export class SlurmUnavailableError extends SlurmError {
  constructor(readonly command: string, readonly schedulerMessage: string) {
    super(
      `Slurm is not available (${command}): ${schedulerMessage}. Check that the Slurm client is installed and ` +
        'SLURM_CONF points to the cluster (for tests: scripts/slurm-cluster.sh start).'
    );
  }
}

/**
 * A submission was refused: by sbatch (bad partition, resources the cluster cannot give, bad dependency;
 * `fromScheduler` true, `reason` is Slurm's message) or before it, by the client's checks of the options.
 */
export class SlurmSubmitError extends SlurmError {
  constructor(readonly reason: string, readonly fromScheduler = true) {
    super(
      fromScheduler
        ? `Slurm refused the job: ${reason}. Change the job's options (partition, cpus, mem, gres) and submit again.`
        : `The job was not submitted: ${reason}.`
    );
  }
}

/** A job ended in a state other than COMPLETED: its exit code and the tail of its stderr say why. */
export class SlurmJobError extends SlurmError {
  constructor(
    readonly jobId: string,
    readonly state: string,
    readonly exitCode: number | null,
    readonly stderrTail: string
  ) {
    super(
      `Slurm job ${jobId} ended ${state}${exitCode === null ? '' : ` with exit code ${exitCode}`}` +
        (stderrTail ? `; the end of its stderr:\n${stderrTail}` : '; it wrote nothing to stderr.')
    );
  }
}

/** A Slurm command (scancel, scontrol hold/release) failed or named a job the scheduler does not know. */
export class SlurmCommandError extends SlurmError {
  constructor(readonly command: string, readonly schedulerMessage: string) {
    super(`${command}: ${schedulerMessage}`);
  }
}

/** A job template or one of its parameters is invalid or unsafe (shell syntax, newlines, "../" in paths). */
export class SlurmTemplateError extends SlurmError {
  constructor(readonly template: string, readonly parameter: string, readonly reason: string) {
    super(`Template "${template}"${parameter ? `, parameter "${parameter}"` : ''}: ${reason}.`);
  }
}
