/**
 * One page of a sidebar search. Structured filters go to v4 (`find` with skip and limit, plus `count` for the
 * total); free text and scientific-metadata conditions need v3 fullquery, which has no count: there one extra row
 * is asked for to know whether a next page exists.
 *
 * @example
 * const page = await fetchSearchPage(client, { beamline: 'P05', type: 'raw' }, { page: 2, pageSize: 10 });
 * page.datasets; page.total; page.hasMore;
 */
import {
  checkFullqueryWhere,
  datasetWhere,
  fullqueryFields,
  matchesFullqueryExtras,
  needsFullquery,
  type CatalogQuery,
  type DatasetCommon,
  type SciCatClient
} from '@mdlma/kernel/catalog';

/** The orders the result list offers. */
export const SORT_ORDERS = {
  'newest': { label: 'Newest first', sort: { creationTime: 'desc' } },
  'oldest': { label: 'Oldest first', sort: { creationTime: 'asc' } },
  'name': { label: 'Name (A-Z)', sort: { datasetName: 'asc' } },
  'largest': { label: 'Largest first', sort: { size: 'desc' } }
} as const satisfies Record<string, { label: string; sort: Record<string, 'asc' | 'desc'> }>;

/** A key of SORT_ORDERS. */
export type SortOrder = keyof typeof SORT_ORDERS;

/** Which page, how big, in which order. */
export interface PageRequest extends SciCatClient.ICallOptions {
  /** 1-based page number. */
  page: number;
  pageSize: number;
  order?: SortOrder;
}

/** One page of results. */
export interface SearchPage {
  datasets: DatasetCommon[];
  page: number;
  pageSize: number;
  /** How many datasets match in all (v4 only; fullquery cannot count). */
  total?: number;
  hasMore: boolean;
}

/** The fields a result row shows; asking for only these keeps pages small (scientific metadata can be large). */
export const LIST_FIELDS = ['pid', 'type', 'datasetName', 'creationTime', 'owner', 'ownerGroup', 'creationLocation', 'size', 'numberOfFiles', 'sampleIds'];

/** Fetches one page of the datasets that match `query`. */
export async function fetchSearchPage(client: SciCatClient, query: CatalogQuery, request: PageRequest): Promise<SearchPage> {
  const { page, pageSize, signal } = request;
  const sort = SORT_ORDERS[request.order ?? 'newest'].sort;
  const skip = (page - 1) * pageSize;
  if (!needsFullquery(query)) {
    const where = datasetWhere(query);
    const [datasets, total] = await Promise.all([
      client.find({ where, fields: LIST_FIELDS, limits: { skip, limit: pageSize, sort } }, { signal }),
      client.count(where, { signal })
    ]);
    return { datasets, page, pageSize, total, hasMore: skip + datasets.length < total };
  }
  checkFullqueryWhere(client.url, query.where);
  const order = Object.entries(sort).map(([k, v]) => `${k}:${v}`)[0];
  const rows = await client.fullquery(fullqueryFields(query), { skip, limit: pageSize + 1, order }, { signal });
  // fullquery cannot express beamline and sample: those are checked on the page, which may come out shorter.
  const datasets = rows.slice(0, pageSize).filter(d => matchesFullqueryExtras(d, query));
  return { datasets, page, pageSize, hasMore: rows.length > pageSize };
}
