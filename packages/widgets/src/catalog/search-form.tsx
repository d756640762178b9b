/**
 * The search box and its filters (type, owner group, creation dates, beamline, sample, free text, one
 * scientific-metadata condition) and the sort order. `queryFromValues` turns the inputs into the shared
 * `CatalogQuery`, so the sidebar searches exactly as `catalog.search` in a notebook does.
 *
 * @example
 * const form = new CatalogSearchForm({ onSearch: (query, order) => sidebar.search(query, order) });
 */
import { Button } from '@jupyterlab/ui-components';
import type { CatalogQuery, ScientificCondition } from '@mdlma/kernel/catalog';
import * as React from 'react';

import { CatalogView } from './catalog-view';
import { SORT_ORDERS, type SortOrder } from './search-page';

/** The raw values of the form's inputs. */
export interface SearchValues {
  text: string;
  type: '' | 'raw' | 'derived';
  ownerGroup: string;
  /** yyyy-mm-dd, as a date input gives it; both ends are inclusive. */
  from: string;
  to: string;
  beamline: string;
  sample: string;
  /** A scientific-metadata key such as "healingTime" or "material". */
  metadataKey: string;
  /** Its value: "Mg-10Gd", "8", or a comparison "> 8", "<= 2.4". */
  metadataValue: string;
}

/** Empty values: everything matches. */
export const EMPTY_SEARCH: SearchValues = { text: '', type: '', ownerGroup: '', from: '', to: '', beamline: '', sample: '', metadataKey: '', metadataValue: '' };

/** The CatalogQuery for the form's values; blank inputs add no condition. */
export function queryFromValues(values: SearchValues): CatalogQuery {
  const query: CatalogQuery = {};
  const text = values.text.trim();
  if (text) query.text = text;
  if (values.type) query.type = values.type;
  const groups = values.ownerGroup.split(/[\s,]+/).filter(Boolean);
  if (groups.length) query.ownerGroup = groups.length === 1 ? groups[0] : groups;
  if (values.from) query.from = `${values.from}T00:00:00.000Z`;
  if (values.to) query.to = `${values.to}T23:59:59.999Z`;
  if (values.beamline.trim()) query.beamline = values.beamline.trim();
  if (values.sample.trim()) query.sample = values.sample.trim();
  const condition = scientificCondition(values.metadataKey, values.metadataValue);
  if (condition) query.scientific = [condition];
  return query;
}

/** One scientific-metadata condition: a number compares numerically ("8", "> 8"), anything else as a string. */
export function scientificCondition(key: string, value: string): ScientificCondition | undefined {
  const lhs = key.trim();
  const rhs = value.trim();
  if (!lhs || !rhs) return undefined;
  const comparison = /^(>=|<=|>|<|=)?\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/i.exec(rhs);
  if (!comparison) return { lhs, relation: 'EQUAL_TO_STRING', rhs };
  const relations = { '>=': 'GREATER_THAN_OR_EQUAL', '<=': 'LESS_THAN_OR_EQUAL', '>': 'GREATER_THAN', '<': 'LESS_THAN', '=': 'EQUAL_TO_NUMERIC' } as const;
  return { lhs, relation: relations[(comparison[1] ?? '=') as keyof typeof relations], rhs: Number(comparison[2]) };
}

/** The search form. Its inputs keep what the user typed (uncontrolled); `values` reads and fills them. */
export class CatalogSearchForm extends CatalogView {
  constructor(options: CatalogSearchForm.IOptions) {
    super();
    this.addClass('mdlma-CatalogSearch');
    this._onSearch = options.onSearch;
  }

  /** The inputs' current values. */
  get values(): SearchValues {
    const values = { ...EMPTY_SEARCH };
    for (const key of Object.keys(values) as Array<keyof SearchValues>) {
      (values as Record<string, string>)[key] = this._fields[key].current?.value ?? '';
    }
    return values;
  }

  /** Fills the inputs (what is not given is cleared). */
  set values(values: Partial<SearchValues>) {
    for (const key of Object.keys(EMPTY_SEARCH) as Array<keyof SearchValues>) {
      const field = this._fields[key].current;
      if (field) field.value = values[key] ?? '';
    }
  }

  /** The chosen sort order. */
  get order(): SortOrder {
    return (this._sort.current?.value ?? 'newest') as SortOrder;
  }

  /** Runs the search with the current values. */
  submit(): void {
    this._onSearch(queryFromValues(this.values), this.order);
  }

  protected renderView(): React.ReactElement {
    const input = (name: keyof SearchValues, type: string, placeholder: string, className?: string) => (
      <input ref={this._fields[name] as React.RefObject<HTMLInputElement>} name={name} type={type} placeholder={placeholder} aria-label={name} className={className} />
    );
    const row = (label: string, control: React.ReactElement) => (
      <label className="mdlma-CatalogSearch-field">
        <span>{label}</span>
        {control}
      </label>
    );
    return (
      <form
        className="mdlma-CatalogSearch-form"
        onSubmit={event => {
          event.preventDefault();
          this.submit();
        }}
      >
        <div className="mdlma-CatalogSearch-bar">
          {input('text', 'search', 'Search text (e.g. Mg-10Gd rat)', 'mdlma-CatalogSearch-text')}
          <Button type="submit" className="mdlma-CatalogButton mdlma-CatalogSearch-submit">
            Search
          </Button>
        </div>
        <div className="mdlma-CatalogSearch-bar">
          <label>
            Sort{' '}
            <select ref={this._sort} className="mdlma-CatalogSearch-sort" title="Sort order" onChange={() => this.submit()}>
              {Object.entries(SORT_ORDERS).map(([key, { label }]) => (
                <option key={key} value={key}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <details className="mdlma-CatalogSearch-filters">
          <summary>Filters</summary>
          {row(
            'Type',
            <select ref={this._fields.type as React.RefObject<HTMLSelectElement>} name="type">
              <option value="">raw and derived</option>
              <option value="raw">raw</option>
              <option value="derived">derived</option>
            </select>
          )}
          {row('Owner group', input('ownerGroup', 'text', 'p05-11012345'))}
          {row('Created from', input('from', 'date', ''))}
          {row('Created to', input('to', 'date', ''))}
          {row('Beamline', input('beamline', 'text', 'P05'))}
          {row('Sample', input('sample', 'text', 'R911'))}
          {row('Metadata key', input('metadataKey', 'text', 'healingTime'))}
          {row('Metadata value', input('metadataValue', 'text', '8, > 4, Mg-10Gd'))}
          <Button type="button" className="mdlma-CatalogButton" onClick={() => (this.values = { text: this.values.text })}>
            Clear filters
          </Button>
        </details>
      </form>
    );
  }

  private _fields = Private.fieldRefs();
  private _sort = React.createRef<HTMLSelectElement>();
  private _onSearch: CatalogSearchForm.IOptions['onSearch'];
}

/** The options of CatalogSearchForm. */
export namespace CatalogSearchForm {
  export interface IOptions {
    /** Called with the query and order when the user searches or changes the order. */
    onSearch: (query: CatalogQuery, order: SortOrder) => void;
  }
}

namespace Private {
  /** One ref per input, by the name of its value. */
  export function fieldRefs(): Record<keyof SearchValues, React.RefObject<HTMLInputElement | HTMLSelectElement>> {
    const refs = {} as Record<keyof SearchValues, React.RefObject<HTMLInputElement | HTMLSelectElement>>;
    for (const key of Object.keys(EMPTY_SEARCH) as Array<keyof SearchValues>) refs[key] = React.createRef();
    return refs;
  }
}
