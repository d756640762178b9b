/**
 * The search box and its filters (type, owner group, creation dates, beamline, sample, free text, one
 * scientific-metadata condition) and the sort order. `queryFromValues` turns the inputs into the shared
 * `CatalogQuery`, so the sidebar searches exactly as `catalog.search` in a notebook does.
 *
 * @example
 * const form = new CatalogSearchForm({ onSearch: (query, order) => sidebar.search(query, order) });
 */
import type { CatalogQuery } from '@mdlma/kernel/lib/catalog/query';
import type { ScientificCondition } from '@mdlma/kernel/lib/catalog/types';
import { Widget } from '@lumino/widgets';

import { button, element } from './element';
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

/** The search form. */
export class CatalogSearchForm extends Widget {
  constructor(options: CatalogSearchForm.IOptions) {
    super();
    this.addClass('mdlma-CatalogSearch');
    this.#onSearch = options.onSearch;
    const form = element('form', { className: 'mdlma-CatalogSearch-form' });
    form.addEventListener('submit', event => {
      event.preventDefault();
      this.submit();
    });
    const text = this.#input('text', 'search', 'Search text (e.g. Mg-10Gd rat)');
    text.classList.add('mdlma-CatalogSearch-text');
    this.#sort = element('select', { className: 'mdlma-CatalogSearch-sort', title: 'Sort order' });
    for (const [key, { label }] of Object.entries(SORT_ORDERS)) this.#sort.appendChild(element('option', { attrs: { value: key } }, label));
    this.#sort.addEventListener('change', () => this.submit());
    const submit = element('button', { className: 'jp-Button mdlma-CatalogButton mdlma-CatalogSearch-submit' }, 'Search');
    submit.type = 'submit';

    const type = element('select', { attrs: { name: 'type' } }, element('option', { attrs: { value: '' } }, 'raw and derived'), element('option', { attrs: { value: 'raw' } }, 'raw'), element('option', { attrs: { value: 'derived' } }, 'derived'));
    this.#fields.type = type;
    const filters = element(
      'details',
      { className: 'mdlma-CatalogSearch-filters' },
      element('summary', {}, 'Filters'),
      this.#row('Type', type),
      this.#row('Owner group', this.#input('ownerGroup', 'text', 'p05-11012345')),
      this.#row('Created from', this.#input('from', 'date', '')),
      this.#row('Created to', this.#input('to', 'date', '')),
      this.#row('Beamline', this.#input('beamline', 'text', 'P05')),
      this.#row('Sample', this.#input('sample', 'text', 'R911')),
      this.#row('Metadata key', this.#input('metadataKey', 'text', 'healingTime')),
      this.#row('Metadata value', this.#input('metadataValue', 'text', '8, > 4, Mg-10Gd')),
      button('Clear filters', () => (this.values = { text: this.values.text }))
    );
    form.append(element('div', { className: 'mdlma-CatalogSearch-bar' }, text, submit), element('div', { className: 'mdlma-CatalogSearch-bar' }, element('label', {}, 'Sort ', this.#sort)), filters);
    this.node.appendChild(form);
  }

  /** The inputs' current values. */
  get values(): SearchValues {
    const values = { ...EMPTY_SEARCH };
    for (const key of Object.keys(values) as Array<keyof SearchValues>) {
      (values as Record<string, string>)[key] = this.#fields[key]?.value ?? '';
    }
    return values;
  }

  /** Fills the inputs (what is not given is cleared). */
  set values(values: Partial<SearchValues>) {
    for (const key of Object.keys(EMPTY_SEARCH) as Array<keyof SearchValues>) {
      const field = this.#fields[key];
      if (field) field.value = values[key] ?? '';
    }
  }

  /** The chosen sort order. */
  get order(): SortOrder {
    return this.#sort.value as SortOrder;
  }

  /** Runs the search with the current values. */
  submit(): void {
    this.#onSearch(queryFromValues(this.values), this.order);
  }

  #input(name: keyof SearchValues, type: string, placeholder: string): HTMLInputElement {
    const input = element('input', { attrs: { name, type, placeholder, 'aria-label': name } });
    this.#fields[name] = input;
    return input;
  }

  #row(label: string, control: HTMLElement): HTMLLabelElement {
    return element('label', { className: 'mdlma-CatalogSearch-field' }, element('span', {}, label), control);
  }

  #fields: Partial<Record<keyof SearchValues, HTMLInputElement | HTMLSelectElement>> = {};
  #sort: HTMLSelectElement;
  #onSearch: CatalogSearchForm.IOptions['onSearch'];
}

/** The options of CatalogSearchForm. */
export namespace CatalogSearchForm {
  export interface IOptions {
    /** Called with the query and order when the user searches or changes the order. */
    onSearch: (query: CatalogQuery, order: SortOrder) => void;
  }
}

