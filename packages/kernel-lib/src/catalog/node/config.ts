/**
 * Where the kernel finds the catalog's settings (Node only): the URL and token from the environment
 * (SCICAT_URL, SCICAT_TOKEN) or from the per-user config file, which must be private (mode 0600) since it holds a
 * token; and the path mapping from the folders SciCat records (sourceFolder on the beamline's file system) to the
 * folders where this machine sees them.
 *
 * The config file: $MDLMA_CATALOG_CONFIG, else ~/.config/mdlma/catalog.json:
 *   { "url": "https://scicat.example.org", "token": "...", "pathMap": { "/asap3/petra3/gpfs": "/beegfs/desy" },
 *     "servers": { "http://localhost:3000": { "token": "...", "pathMap": {} } } }
 */
import { promises as fs, readFileSync, statSync } from 'fs';
import { homedir } from 'os';
import { dirname, isAbsolute, join, posix, resolve } from 'path';
import { CatalogConfigError } from '../../errors';
import { writeFileAtomically } from '../../files';

/** Remote folder prefix -> local folder. */
export type PathMap = Record<string, string>;

/** The settings of one catalog as the config file keeps them. */
export interface CatalogSettings {
  url?: string;
  token?: string;
  pathMap?: PathMap;
}

/** The config file's path. */
export function catalogConfigPath(): string {
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return process.env.MDLMA_CATALOG_CONFIG || join(config, 'mdlma', 'catalog.json');
}

/**
 * The settings for a URL (or the file's default URL) from the config file; {} when there is no file. A file that
 * other users can read is refused: it holds a token.
 */
export function readCatalogSettings(url?: string, path = catalogConfigPath()): CatalogSettings & { url?: string } {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return {};
  }
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new CatalogConfigError(
      path,
      `can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); it holds a token: run chmod 600 ${path}`
    );
  }
  let file: CatalogSettings & { servers?: Record<string, CatalogSettings> };
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CatalogConfigError(path, `is not valid JSON (${(e as Error).message})`);
  }
  const target = url ?? file.url;
  const server = target ? file.servers?.[target] ?? file.servers?.[target.replace(/\/+$/, '')] : undefined;
  if (server) return { url: target, ...server };
  return !url || !file.url || sameUrl(file.url, url) ? { ...file, url: target, servers: undefined } as CatalogSettings : { url };
}

/** Saves a token (and path mapping) for a URL in the config file, created with mode 0600, written atomically. */
export async function saveCatalogSettings(url: string, settings: CatalogSettings, path = catalogConfigPath()): Promise<void> {
  let file: CatalogSettings & { servers?: Record<string, CatalogSettings> } = {};
  try {
    file = JSON.parse(await fs.readFile(path, 'utf8'));
  } catch {
    // no file yet, or an unreadable one that we replace
  }
  file.servers = { ...file.servers, [url]: { ...file.servers?.[url], ...settings } };
  file.url ??= url;
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomically(path, JSON.stringify(file, null, 2), { mode: 0o600 });
}

/** The local path of a remote one: the longest matching prefix of the map wins; unmapped paths stay as they are. */
export function toLocalPath(remote: string, pathMap: PathMap = {}): string {
  const prefix = longestPrefix(remote, Object.keys(pathMap));
  if (prefix === undefined) return remote;
  const rest = remote.slice(prefix.replace(/\/+$/, '').length).replace(/^\/+/, '');
  return rest ? join(resolve(pathMap[prefix]), ...rest.split('/')) : resolve(pathMap[prefix]);
}

/** The remote path of a local one (the map read backwards), for the sourceFolder of a new dataset. */
export function toRemotePath(local: string, pathMap: PathMap = {}): string {
  const absolute = resolve(local);
  const reverse = Object.fromEntries(Object.entries(pathMap).map(([remote, loc]) => [resolve(loc), remote]));
  const prefix = longestPrefix(absolute, Object.keys(reverse));
  if (prefix === undefined) return absolute;
  const rest = absolute.slice(prefix.length).split(/[\\/]+/).filter(Boolean);
  return posix.join(reverse[prefix], ...rest);
}

/** Checks a path map: absolute remote prefixes, local folders (relative ones are taken from the working folder). */
export function checkPathMap(pathMap: PathMap): PathMap {
  for (const [remote, local] of Object.entries(pathMap)) {
    if (!remote.startsWith('/')) throw new CatalogConfigError(`pathMap "${remote}"`, 'must be an absolute remote folder');
    if (typeof local !== 'string' || !local) throw new CatalogConfigError(`pathMap "${remote}"`, 'must map to a local folder');
    if (!isAbsolute(local)) pathMap[remote] = resolve(local);
  }
  return pathMap;
}

function longestPrefix(path: string, prefixes: string[]): string | undefined {
  let best: string | undefined;
  for (const p of prefixes) {
    const bare = p.replace(/[\\/]+$/, '');
    const ok = path === bare || path.startsWith(`${bare}/`) || path.startsWith(`${bare}\\`);
    if (ok && (best === undefined || bare.length > best.replace(/[\\/]+$/, '').length)) best = p;
  }
  return best;
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
