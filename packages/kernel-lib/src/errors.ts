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

/**
 * An output path that would destroy data or leave where it may write: it resolves (after `./`, `..`, symlinks and
 * hard links) to an input or to another output of the same call, or lies outside the folder it must stay in.
 */
export class OutputPathError extends MdlmaError {
  constructor(readonly parameter: string, readonly path: string, readonly reason: string) {
    super(`${parameter} ${path} ${reason}; nothing was written.`);
  }
}

/**
 * A command line of `mdlma` that does not parse: an unknown option, a missing or bad value, a missing argument.
 * `option` and `value` name what was wrong where one option was; every command exits 2 with it.
 */
export class UsageError extends MdlmaError {
  constructor(readonly reason: string, readonly option?: string, readonly value?: string) {
    super(`${option === undefined ? '' : `${option} `}${reason}${value === undefined ? '' : `; got ${JSON.stringify(value)}`}.`);
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

/** A precision the model has no file for, or whose file does not run on the chosen execution provider. */
export class ModelPrecisionError extends MdlmaError {
  constructor(readonly model: string, readonly precision: string, readonly reason: string) {
    super(`Model "${model}", precision ${precision}: ${reason}.`);
  }
}

/** A model used after `dispose()`: its sessions are released. */
export class ModelDisposedError extends MdlmaError {
  constructor(readonly folder: string) {
    super(`Model ${folder} was disposed: its sessions are released. Load it again with SegmentationModel.load.`);
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

/** An active-learning input or option that cannot be used: unknown strategy, axis, slice, label or shape. */
export class ActiveLearningError extends MdlmaError {
  constructor(readonly option: string, readonly reason: string) {
    super(`active learning: ${option} ${reason}.`);
  }
}

/**
 * An acquisition function (MC-dropout entropy, BALD) needs stochastic inference that the model's ONNX file does
 * not have; the card's `stochastic_inference` field says how to get it (PyTorch, models/train).
 */
export class StochasticInferenceError extends MdlmaError {
  constructor(readonly strategy: string, readonly model: string, readonly cardPath: string, readonly cardNote = '') {
    super(
      `The "${strategy}" strategy needs stochastic inference (several passes with dropout on), but model "${model}" ` +
        `was exported without it${cardNote ? ` (${cardNote})` : ''}. See "stochastic_inference" in ${cardPath}; ` +
        'in the kernel use "entropy", "margin", "least-confidence", "coreset" or "hybrid" instead.'
    );
  }
}

/**
 * Base class of the SciCat catalog client's errors (catalog/). Messages name the backend and the request's path,
 * never the token; `status` is the HTTP status where there was one.
 */
export class CatalogError extends MdlmaError {
  constructor(message: string, readonly url: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** 401: no token, a wrong one, or one that expired. */
export class CatalogAuthError extends CatalogError {
  constructor(url: string, readonly detail = 'the token is missing, wrong or expired') {
    super(
      `SciCat at ${url} did not accept the credentials (401: ${detail}). Log in again: catalog.connect({ url, ` +
        'username, password }), or set a fresh token in SCICAT_TOKEN or the catalog config file.',
      url,
      401
    );
  }
}

/** 403: the user is logged in but may not read or change this dataset (owner and access groups). */
export class CatalogForbiddenError extends CatalogError {
  constructor(url: string, readonly what: string, readonly detail = '') {
    super(
      `SciCat at ${url} refused access to ${what} (403${detail ? `: ${detail}` : ''}). Your groups do not include the ` +
        "dataset's owner or access groups; ask its owner to share it, or use another account.",
      url,
      403
    );
  }
}

/** 404: no such dataset (or route); PIDs are case-sensitive and contain a prefix such as "20.500.12269/". */
export class CatalogNotFoundError extends CatalogError {
  constructor(url: string, readonly what: string) {
    super(`SciCat at ${url} has no ${what} (404). Check the PID, including its prefix before the "/".`, url, 404);
  }
}

/** 400 or 409, or a request the client refused to send: the backend's own reason is in `detail`. */
export class CatalogRequestError extends CatalogError {
  constructor(url: string, readonly what: string, readonly detail: string, status?: number) {
    super(`SciCat${url ? ` at ${url}` : ''} rejected ${what}${status ? ` (${status})` : ''}: ${detail}.`, url, status);
  }
}

/** 5xx after the retries: the backend (or its database) has a problem. */
export class CatalogServerError extends CatalogError {
  constructor(url: string, status: number, readonly attempts: number, readonly detail = '') {
    super(
      `SciCat at ${url} failed with ${status}${detail ? ` (${detail})` : ''} after ${attempts} attempt(s). ` +
        'The backend has a problem; try again later or tell its administrators.',
      url,
      status
    );
  }
}

/** The backend did not answer: offline, wrong URL, or slower than the timeout. */
export class CatalogUnavailableError extends CatalogError {
  constructor(url: string, readonly reason: string, cause?: unknown) {
    super(`SciCat at ${url} is not reachable: ${reason}. Check the URL and your network, then try again.`, url, undefined, {
      cause
    });
  }
}

/** The catalog settings cannot be used: no token source, a config file others can read, no path mapping for a folder. */
export class CatalogConfigError extends MdlmaError {
  constructor(readonly setting: string, readonly reason: string) {
    super(`catalog: ${setting} ${reason}.`);
  }
}
