/**
 * Publishing rich output: a MIME bundle to the cell that runs, or to a text sink outside
 * the kernel (CLI, batch jobs), so that the same code runs everywhere.
 *
 * @example
 * publishDisplay({ 'text/html': '<b>hi</b>', 'text/plain': 'hi' });
 */
import { randomBytes } from 'crypto';

import { kernelRuntime } from '../runtime';

/** A Jupyter MIME bundle: MIME type to data (string or JSON). */
export type MimeBundle = Record<string, unknown>;

/** Where output goes when no kernel runs: by default, text/plain to stdout. */
export type DisplaySink = (bundle: MimeBundle, options: publishDisplay.IOptions) => void;

let sink: DisplaySink = (bundle, options) => {
  if (!options.update && typeof bundle['text/plain'] === 'string') {
    process.stdout.write(`${bundle['text/plain']}\n`);
  }
};

/** Replace the sink used outside the kernel (the CLI's --json mode collects instead of printing). */
export function setDisplaySink(next: DisplaySink): DisplaySink {
  const previous = sink;
  sink = next;
  return previous;
}

/** A fresh display id. */
export function newDisplayId(): string {
  return randomBytes(8).toString('hex');
}

/** Show a MIME bundle in the calling cell's output (or the sink). */
export function publishDisplay(bundle: MimeBundle, options: publishDisplay.IOptions = {}): void {
  const runtime = kernelRuntime();
  if (!runtime) {
    sink(bundle, options);
    return;
  }
  runtime.publish(options.update ? 'update_display_data' : 'display_data', {
    data: bundle,
    metadata: options.metadata ?? {},
    transient: options.displayId ? { display_id: options.displayId } : {}
  });
}

/** Types of `publishDisplay`. */
export namespace publishDisplay {
  /** Options of `publishDisplay`. */
  export interface IOptions {
    /** Display id; outputs with the same id can be updated in place. */
    displayId?: string;
    /** Replace the output of `displayId` instead of adding a new one. */
    update?: boolean;
    /** Per-MIME metadata (e.g. image sizes). */
    metadata?: Record<string, unknown>;
  }
}

/** Escape text for HTML output. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}
