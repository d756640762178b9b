/**
 * The catalog from a notebook (Node): connect without writing the token into a cell, search, open a dataset's
 * volume through the path mapping, and register a derived dataset with its provenance (model name and sha256,
 * package version, parameters, metrics) and a thumbnail.
 *
 * @example
 * import { catalog } from '@mdlma/kernel';
 * const scicat = await catalog.connect({ url: process.env.SCICAT_URL });      // token: SCICAT_TOKEN or the config file
 * const hits = await scicat.search({ text: 'Mg-10Gd', healingWeeks: 8, limit: 5 });
 * const image = await scicat.read(hits[0].pid);
 * const derived = await scicat.registerDerived({ inputs: [hits[0].pid], outputs: ['labels.nii.gz'], model: sun,
 *                                               parameters: { axes: 3 }, metrics: { dice: 0.93 }, thumbnail: image });
 */
import { promises as fs } from 'fs';
import { basename, dirname, join, relative, resolve } from 'path';
import { orthoSlicesPng } from '../../display';
import { CatalogConfigError, CatalogRequestError } from '../../errors';
import { open as openVolume, read as readVolume, type VolumeSource } from '../../io';
import { resolveSignal } from '../../runtime';
import type { Volume } from '../../volume';
import {
  SciCatClient,
  TOKEN_ACCESS,
  datasetWhere,
  searchDatasets,
  type Attachment,
  type CatalogQuery,
  type Dataset,
  type DatasetCommon,
  type DatasetV3,
  type OrigDatablock
} from '..';
import { checkPathMap, readCatalogSettings, saveCatalogSettings, toLocalPath, toRemotePath, type PathMap } from './config';

/** What `registerDerived` records. */
export interface DerivedRegistration {
  /** PIDs of the datasets this one was computed from. */
  inputs: string[];
  /** The files written (local paths); their common folder becomes the sourceFolder. */
  outputs: string[];
  /** The model: a loaded SegmentationModel, or its card's name, version and sha256. */
  model?: { card: { name: string; version: string; sha256: string } } | { name: string; version: string; sha256: string };
  /** The parameters of the run (recorded as jobParameters). */
  parameters?: Record<string, unknown>;
  /** Measured figures (recorded under scientificMetadata.metrics). */
  metrics?: Record<string, unknown>;
  /** A preview: a volume (three orthogonal slices, with `labels` drawn over it), PNG bytes or a data URI. */
  thumbnail?: Volume | { image: Volume; labels?: Volume } | Uint8Array | string;
  datasetName?: string;
  description?: string;
  /** Defaults: the first input's owner, owner group, contact email; the investigator is the logged-in user. */
  owner?: string;
  ownerGroup?: string;
  contactEmail?: string;
  investigator?: string;
  keywords?: string[];
  /** Software beyond @mdlma/kernel (URLs or name@version). */
  usedSoftware?: string[];
}

/** One file of a dataset, with the path on this machine. */
export interface CatalogFile {
  /** Path relative to the dataset's sourceFolder. */
  path: string;
  /** Where this machine finds it (path mapping applied). */
  localPath: string;
  size: number;
}

/** The package version that registerDerived records. */
export const KERNEL_PACKAGE_VERSION: string = require('../../../package.json').version;

/** A connection to a SciCat catalog from the kernel. */
export class CatalogConnection {
  constructor(readonly client: SciCatClient, readonly pathMap: PathMap = {}) {}

  /** The backend's URL. */
  get url(): string {
    return this.client.url;
  }

  /** Datasets that match, newest first (at most `limit`, default 25); pages are fetched lazily. */
  async search(query: CatalogQuery = {}, options: SciCatClient.ICallOptions = {}): Promise<DatasetCommon[]> {
    const out: DatasetCommon[] = [];
    for await (const d of this.iterate(query, options)) out.push(d);
    return out;
  }

  /** The same as `search`, as an async iterator (stop when you have enough). */
  iterate(query: CatalogQuery = {}, options: SciCatClient.ICallOptions = {}): AsyncGenerator<DatasetCommon> {
    return searchDatasets(this.client, query, { signal: resolveSignal(options.signal) });
  }

  /** How many datasets match (v4 count; text and scientific conditions are not counted this way). */
  count(query: Omit<CatalogQuery, 'text' | 'scientific'> = {}, options: SciCatClient.ICallOptions = {}): Promise<number> {
    return this.client.count(datasetWhere(query), { signal: resolveSignal(options.signal) });
  }

  /** One dataset with its file lists and attachments embedded. */
  dataset(pid: string, options: SciCatClient.ICallOptions = {}): Promise<Dataset> {
    return this.client.dataset(pid, { include: ['origdatablocks', 'attachments'], signal: resolveSignal(options.signal) });
  }

  /** The dataset's files with their local paths (sourceFolder through the path mapping). */
  async files(pid: string, options: SciCatClient.ICallOptions = {}): Promise<CatalogFile[]> {
    const signal = resolveSignal(options.signal);
    const [dataset, blocks] = await Promise.all([this.client.dataset(pid, { signal }), this.client.origDatablocks(pid, { signal })]);
    return Private.filesOf(dataset, blocks, this.pathMap);
  }

  /** Attachments (thumbnails as data URIs). */
  attachments(pid: string, options: SciCatClient.ICallOptions = {}): Promise<Attachment[]> {
    return this.client.attachments(pid, { signal: resolveSignal(options.signal) });
  }

  /**
   * Opens the dataset's volume lazily (io's `open`): `file` picks one by its path relative to sourceFolder; by
   * default the first image file that is not a label volume.
   */
  async open(pid: string, options: openVolume.IOptions & { file?: string; signal?: AbortSignal } = {}): Promise<VolumeSource> {
    return openVolume(await this.volumePath(pid, options), options);
  }

  /** Reads the dataset's whole volume (io's `read`); same choice of file as `open`. */
  async read(pid: string, options: openVolume.IOptions & { file?: string; signal?: AbortSignal } = {}): Promise<Volume> {
    return readVolume(await this.volumePath(pid, options), options);
  }

  /** The local path of the file `open` and `read` use. */
  async volumePath(pid: string, options: { file?: string; signal?: AbortSignal } = {}): Promise<string> {
    const files = await this.files(pid, options);
    const chosen = options.file
      ? files.find(f => f.path === options.file)
      : files.find(f => Private.VOLUME_FILE.test(f.path) && !/label/i.test(basename(f.path))) ?? files.find(f => Private.VOLUME_FILE.test(f.path));
    if (!chosen) {
      const listed = files.map(f => f.path).join(', ') || 'none';
      throw new CatalogRequestError(this.url, `the volume of dataset "${pid}"`, options.file ? `it has no file "${options.file}" (files: ${listed})` : `none of its files is a volume (files: ${listed})`);
    }
    try {
      await fs.access(chosen.localPath);
    } catch {
      throw new CatalogConfigError(
        `the file ${chosen.localPath}`,
        `(${chosen.path} of dataset "${pid}") is not on this machine; set a path mapping for its sourceFolder: ` +
          `catalog.connect({ url, pathMap: { "<remote prefix>": "<local folder>" } })`
      );
    }
    return chosen.localPath;
  }

  /**
   * Registers a derived dataset: inputs, the model (name, version, sha256), the package version, the parameters and
   * metrics, then attaches the thumbnail. Returns the new dataset (with its PID).
   */
  async registerDerived(registration: DerivedRegistration, options: SciCatClient.ICallOptions = {}): Promise<DatasetV3 & { thumbnailAttached: boolean }> {
    const signal = resolveSignal(options.signal);
    if (!registration.inputs?.length) throw new CatalogRequestError(this.url, 'the derived dataset', 'it needs at least one input PID');
    if (!registration.outputs?.length) throw new CatalogRequestError(this.url, 'the derived dataset', 'it needs at least one output file');
    const first = await this.client.dataset(registration.inputs[0], { signal });
    const user = await this.client.whoami({ signal }).catch(() => undefined);
    const outputs = await Promise.all(registration.outputs.map(async p => ({ path: resolve(p), size: (await fs.stat(p)).size })));
    const folder = Private.commonFolder(outputs.map(o => o.path));
    const card = registration.model ? ('card' in registration.model ? registration.model.card : registration.model) : undefined;
    const model = card ? { name: card.name, version: card.version, sha256: card.sha256 } : undefined;
    const created = await this.client.createDerived(
      {
        owner: registration.owner ?? first.owner,
        ownerGroup: registration.ownerGroup ?? first.ownerGroup,
        accessGroups: first.accessGroups,
        contactEmail: registration.contactEmail ?? first.contactEmail,
        investigator: registration.investigator ?? user?.email ?? user?.username ?? first.owner,
        sourceFolder: toRemotePath(folder, this.pathMap),
        creationTime: new Date().toISOString(),
        datasetName: registration.datasetName ?? `Segmentation of ${first.datasetName ?? first.pid}`,
        description: registration.description,
        keywords: registration.keywords ?? first.keywords,
        inputDatasets: registration.inputs,
        usedSoftware: [`@mdlma/kernel@${KERNEL_PACKAGE_VERSION}`, ...(model ? [`model:${model.name}@${model.version} sha256:${model.sha256}`] : []), ...(registration.usedSoftware ?? [])],
        jobParameters: registration.parameters ?? {},
        size: outputs.reduce((s, o) => s + o.size, 0),
        numberOfFiles: outputs.length,
        scientificMetadata: {
          ...(model ? { model } : {}),
          software: { name: '@mdlma/kernel', version: KERNEL_PACKAGE_VERSION },
          parameters: registration.parameters ?? {},
          metrics: registration.metrics ?? {},
          outputs: outputs.map(o => ({ path: relative(folder, o.path), size: o.size }))
        }
      },
      { signal }
    );
    let thumbnailAttached = false;
    if (registration.thumbnail !== undefined) {
      await this.client.attachThumbnail(created.pid, Private.thumbnailUri(registration.thumbnail), {
        caption: `Preview of ${created.datasetName ?? created.pid}`,
        ownerGroup: created.ownerGroup,
        signal
      });
      thumbnailAttached = true;
    }
    return { ...created, thumbnailAttached };
  }

  toJSON(): { url: string; pathMap: PathMap } {
    return { url: this.url, pathMap: this.pathMap };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CatalogConnection { url: '${this.url}', pathMap: ${JSON.stringify(this.pathMap)} }`;
  }
}

/**
 * Connects to a catalog. The token comes from (in order) a login with `username`/`password`, $SCICAT_TOKEN, or the
 * config file (~/.config/mdlma/catalog.json, mode 0600); it is checked with one request before this returns.
 */
export async function connect(options: connect.IOptions = {}): Promise<CatalogConnection> {
  const signal = resolveSignal(options.signal);
  const url = options.url ?? process.env.SCICAT_URL ?? readCatalogSettings().url;
  if (!url) throw new CatalogConfigError('url', 'is not set: pass { url }, or set SCICAT_URL or "url" in the config file');
  const settings = readCatalogSettings(url);
  const envMap = process.env.SCICAT_PATH_MAP ? Private.parsePathMap(process.env.SCICAT_PATH_MAP) : undefined;
  const pathMap = checkPathMap({ ...(options.pathMap ?? settings.pathMap ?? envMap ?? {}) });
  const transport = { url, timeoutMs: options.timeoutMs, retries: options.retries };
  let client: SciCatClient;
  if (options.username !== undefined) {
    if (!options.password) throw new CatalogConfigError('password', `is missing for user "${options.username}"`);
    client = await SciCatClient.login({ ...transport, username: options.username, password: options.password, signal });
    if (options.saveToken) {
      // The token leaves the client only here, into the private file.
      await saveCatalogSettings(client.url, { token: client[TOKEN_ACCESS](), pathMap: options.pathMap });
    }
  } else {
    const token = process.env.SCICAT_TOKEN || settings.token;
    if (!token) {
      throw new CatalogConfigError(
        'token',
        'is not set: set SCICAT_TOKEN, or log in once with catalog.connect({ url, username, password, saveToken: true }) ' +
          '(it keeps the token in ~/.config/mdlma/catalog.json, mode 0600)'
      );
    }
    client = new SciCatClient({ ...transport, token });
  }
  await client.whoami({ signal });
  return new CatalogConnection(client, pathMap);
}

/** Types of `connect`. */
export namespace connect {
  /** Options of `catalog.connect`. */
  export interface IOptions {
    /** The backend (default: $SCICAT_URL, else the config file's url). */
    url?: string;
    /** Log in with these instead of a token (the password should come from somewhere other than the cell). */
    username?: string;
    password?: string;
    /** Keep the token from this login in the config file (mode 0600) for the next notebooks. */
    saveToken?: boolean;
    /** Remote folder prefix -> local folder (default: the config file's, else $SCICAT_PATH_MAP as JSON). */
    pathMap?: PathMap;
    timeoutMs?: number;
    retries?: number;
    signal?: AbortSignal;
  }
}

namespace Private {
  export const VOLUME_FILE = /\.(nii|nii\.gz|tif|tiff|h5|hdf5|nxs|zarr|raw)$/i;

  export function parsePathMap(text: string): PathMap {
    try {
      return JSON.parse(text) as PathMap;
    } catch (e) {
      throw new CatalogConfigError('SCICAT_PATH_MAP', `is not JSON ({"/remote/prefix": "/local/folder"}): ${(e as Error).message}`);
    }
  }

  export function filesOf(dataset: Dataset, blocks: OrigDatablock[], pathMap: PathMap): CatalogFile[] {
    const root = toLocalPath(dataset.sourceFolder, pathMap);
    return blocks.flatMap(b => b.dataFileList.map(f => ({ path: f.path, size: f.size, localPath: join(root, ...f.path.split('/')) })));
  }

  export function commonFolder(paths: string[]): string {
    let folder = dirname(paths[0]);
    while (!paths.every(p => p === folder || p.startsWith(`${folder}/`) || p.startsWith(`${folder}\\`))) folder = dirname(folder);
    return folder;
  }

  export function thumbnailUri(thumbnail: NonNullable<DerivedRegistration['thumbnail']>): string {
    if (typeof thumbnail === 'string') return thumbnail;
    if (thumbnail instanceof Uint8Array) return `data:image/png;base64,${Buffer.from(thumbnail).toString('base64')}`;
    const { image, labels } = 'image' in thumbnail ? thumbnail : { image: thumbnail, labels: undefined };
    // Small panels: attachments are for previews and the sidebar shows them at list size.
    const png = orthoSlicesPng(image, { labels, maxPanel: 96 });
    return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  }
}
