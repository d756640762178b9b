/**
 * Tables in notebook outputs: HTML for JupyterLab and exported notebooks, aligned text for
 * terminals and logs.
 *
 * @example
 * table([{ class: 'DL', dice: 0.87 }, { class: 'RM', dice: 0.97 }], { caption: 'Dice per class' });
 */
import { escapeHtml, MimeBundle, publishDisplay } from './output';

/** A table row: column name to value. */
export type Row = Record<string, unknown>;

/** The MIME bundle of a table (also used by the CLI's text output). */
export function tableBundle(rows: Row[], options: table.IOptions = {}): MimeBundle {
  const columns = options.columns ?? Private.columnsOf(rows);
  const cells = rows.map(row => columns.map(c => Private.formatValue(row[c], options.digits ?? 4)));
  const head = columns.map(c => `<th>${escapeHtml(c)}</th>`).join('');
  const body = cells.map(r => `<tr>${r.map(v => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`).join('');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map(r => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const text = [
    ...(options.caption ? [options.caption] : []),
    line(columns),
    line(widths.map(w => '-'.repeat(w))),
    ...cells.map(line)
  ].join('\n');
  return {
    'text/html': `<table class="mdlma-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`,
    'text/plain': text
  };
}

/** Show a table in the calling cell. */
export function table(rows: Row[], options: table.IOptions = {}): void {
  publishDisplay(tableBundle(rows, options));
}

/** Types of `table`. */
export namespace table {
  /** Options of `table`. */
  export interface IOptions {
    /** Columns in order (default: keys of the rows, in first-seen order). */
    columns?: string[];
    /** A caption above the table. */
    caption?: string;
    /** Significant digits for numbers (default 4). */
    digits?: number;
  }
}

namespace Private {
  export function columnsOf(rows: Row[]): string[] {
    const seen = new Set<string>();
    for (const row of rows) {
      Object.keys(row).forEach(k => seen.add(k));
    }
    return [...seen];
  }

  export function formatValue(value: unknown, digits: number): string {
    if (value === undefined || value === null) {
      return '';
    }
    if (typeof value === 'number') {
      return Number.isInteger(value) ? String(value) : Number(value.toPrecision(digits)).toString();
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
