/**
 * A search as a person asks it (beamline, material, weeks, sample, dates, free text, scientific conditions) turned
 * into SciCat's two query languages, isomorphic so that the kernel and the JupyterLab sidebar search alike: free
 * text and scientific conditions need v3 fullquery, everything else is a v4 `where`.
 *
 * @example
 * for await (const d of searchDatasets(client, { beamline: 'P05', material: 'Mg-10Gd', healingWeeks: 8 })) ...
 */
import { CatalogRequestError } from '../errors';
import type { SciCatClient } from './client';
import type { DatasetCommon, DatasetV3, FullQueryFields, ScientificCondition, Where } from './types';

/** A search: free text and scientific conditions go to v3 fullquery, everything else to v4 with a filter. */
export interface CatalogQuery {
  text?: string;
  type?: 'raw' | 'derived';
  ownerGroup?: string | string[];
  /** Beamline or instrument, matched against creationLocation (e.g. "P05"). */
  beamline?: string;
  /** Sample id (scientificMetadata.sample, or the v4 sampleIds). */
  sample?: string;
  /** Implant material (scientificMetadata.material), e.g. "Mg-10Gd". */
  material?: string;
  /** Weeks after implantation (scientificMetadata.healingTime). */
  healingWeeks?: number;
  /** creationTime range, ISO dates. */
  from?: string;
  to?: string;
  /** More scientific-metadata conditions (fullquery's form). */
  scientific?: ScientificCondition[];
  /** A raw v4 `where`, merged with the rest. */
  where?: Where;
  /** How many results at most (default 25). */
  limit?: number;
  /** Sort field and direction (default creationTime, newest first). */
  sort?: Record<string, 'asc' | 'desc'>;
}

/** Whether a query needs v3 fullquery (v4 cannot search free text or compare scientific metadata with units). */
export function needsFullquery(query: CatalogQuery): boolean {
  return Boolean(query.text || query.scientific?.length);
}

/** The matching datasets, newest first, at most `query.limit` (default 25), fetched a page at a time. */
export async function* searchDatasets(client: SciCatClient, query: CatalogQuery, options: SciCatClient.ICallOptions = {}): AsyncGenerator<DatasetCommon> {
  const limit = query.limit ?? 25;
  const sort = query.sort ?? { creationTime: 'desc' };
  const pageSize = Math.min(limit, 50);
  if (!needsFullquery(query)) {
    yield* client.search({ where: datasetWhere(query), limits: { limit, sort } }, { ...options, pageSize });
    return;
  }
  checkFullqueryWhere(client.url, query.where);
  const order = Object.entries(sort).map(([k, v]) => `${k}:${v}`)[0];
  let n = 0;
  for await (const d of client.fullquerySearch(fullqueryFields(query), { ...options, order, pageSize })) {
    // fullquery has no regex or raw where: those conditions are checked on its answers.
    if (!matchesFullqueryExtras(d, query)) continue;
    yield d;
    if (++n >= limit) return;
  }
}

/** The `fields` of a fullquery: the explicit scientific conditions plus material and healing time. */
export function fullqueryFields(query: CatalogQuery): FullQueryFields {
  const fields: FullQueryFields = {};
  const scientific = [...(query.scientific ?? [])];
  if (query.healingWeeks !== undefined) scientific.push({ lhs: 'healingTime', relation: 'EQUAL_TO_NUMERIC', rhs: query.healingWeeks });
  if (query.material !== undefined) scientific.push({ lhs: 'material', relation: 'EQUAL_TO_STRING', rhs: query.material });
  if (query.text) fields.text = query.text;
  if (query.type) fields.type = [query.type];
  if (query.ownerGroup) fields.ownerGroup = ([] as string[]).concat(query.ownerGroup);
  if (query.from || query.to) fields.creationTime = { begin: query.from ?? '1970-01-01', end: query.to ?? '9999-12-31' };
  if (scientific.length) fields.scientific = scientific;
  return fields;
}

export function datasetWhere(query: Omit<CatalogQuery, 'text' | 'scientific'>): Where {
  const and: Where[] = [];
  if (query.type) and.push({ type: query.type });
  if (query.ownerGroup) and.push({ ownerGroup: { $in: ([] as string[]).concat(query.ownerGroup) } });
  if (query.beamline) and.push({ creationLocation: { $regex: `${escapeRegex(query.beamline)}$`, $options: 'i' } });
  if (query.sample) and.push({ $or: [{ sampleIds: query.sample }, { 'scientificMetadata.sample': query.sample }] });
  if (query.material) and.push({ 'scientificMetadata.material': query.material });
  if (query.healingWeeks !== undefined) and.push({ 'scientificMetadata.healingTime.value': query.healingWeeks });
  if (query.from || query.to) {
    and.push({ creationTime: { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) } });
  }
  if (query.where) and.push(query.where);
  return and.length === 0 ? {} : and.length === 1 ? and[0] : { $and: and };
}

/** fullquery takes no `where`: only plain field = value conditions can be checked on its answers. */
export function checkFullqueryWhere(url: string, where: Where | undefined): void {
  const operators = Object.entries(where ?? {}).filter(([k, v]) => k.startsWith('$') || k.includes('.') || (v !== null && typeof v === 'object'));
  if (operators.length) {
    throw new CatalogRequestError(
      url,
      'the search',
      `"where" conditions with operators or dotted paths (${operators.map(([k]) => k).join(', ')}) cannot be combined with ` +
        'free text or scientific conditions (fullquery takes no where); search without text, or filter the results'
    );
  }
}

/** The conditions fullquery cannot express, checked on a v3 answer. */
export function matchesFullqueryExtras(d: DatasetV3, query: CatalogQuery): boolean {
  if (query.beamline && !new RegExp(`${escapeRegex(query.beamline)}$`, 'i').test(d.creationLocation ?? '')) return false;
  if (query.sample && d.sampleId !== query.sample && (d.scientificMetadata as { sample?: string })?.sample !== query.sample) return false;
  for (const [k, v] of Object.entries(query.where ?? {})) {
    if ((d as unknown as Record<string, unknown>)[k] !== v) return false;
  }
  return true;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
