/**
 * catalog/: the SciCat browser of the left sidebar (login, search with filters, results with thumbnails and
 * paging, a dataset view, "Open in notebook"), React views over `@mdlma/kernel/catalog`'s browser-safe client,
 * offered to other extensions as the `ICatalogService` token. Catalog strings are rendered as text only.
 *
 * @example
 * import { CatalogSidebar } from '@mdlma/widgets';
 * const sidebar = new CatalogSidebar({ url, insertCell: code => insert(code), copy: text => Clipboard.copyToSystem(text) });
 */
export { CatalogSidebar } from './catalog-sidebar';
export type { CatalogSidebarState } from './catalog-sidebar';
export { CatalogDatasetView, MetadataTree, loadDatasetDetails } from './dataset-view';
export type { DatasetDetails } from './dataset-view';
export { CatalogLoginForm } from './login-form';
export type { CatalogCredentials } from './login-form';
export { openDatasetCode } from './notebook-cell';
export type { OpenDatasetCell } from './notebook-cell';
export { describeProblem } from './problem';
export type { CatalogProblem, ProblemKind } from './problem';
export { CatalogResultList } from './result-list';
export { CatalogSearchForm, EMPTY_SEARCH, queryFromValues, scientificCondition } from './search-form';
export type { SearchValues } from './search-form';
export { LIST_FIELDS, SORT_ORDERS, fetchSearchPage } from './search-page';
export type { PageRequest, SearchPage, SortOrder } from './search-page';
export { CatalogStateNotice } from './state-notice';
export type { NoticeAction } from './state-notice';
export { ICatalogService } from './tokens';
export { CatalogUserBar } from './user-bar';
export type { CatalogUser } from './user-bar';
