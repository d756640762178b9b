/**
 * Plots as Vega-Lite (`application/vnd.vegalite.v5+json`, which JupyterLab renders
 * natively) with an SVG rendered by Vega in the kernel, so that nbconvert HTML, GitHub and
 * email still show the figure.
 *
 * @example
 * await plot({
 *   data: { values: rows },
 *   mark: 'line',
 *   encoding: { x: { field: 'round', type: 'quantitative' }, y: { field: 'dice', type: 'quantitative' } }
 * });
 */
import { MimeBundle, publishDisplay } from './output';

/** A Vega-Lite v5 specification (JSON). */
export type VegaLiteSpec = Record<string, unknown>;

/** The MIME type of Vega-Lite 5 outputs. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** Render a Vega-Lite spec to an SVG string in Node (no browser, no canvas). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vegaLite = require('vega-lite') as typeof import('vega-lite');
  const vega = require('vega') as typeof import('vega');
  const compiled = vegaLite.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The MIME bundle of a plot: Vega-Lite, its SVG fallback and a text line. */
export async function plotBundle(spec: VegaLiteSpec): Promise<MimeBundle> {
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec };
  const title = typeof spec.title === 'string' ? spec.title : 'plot';
  return {
    [VEGALITE_MIME]: full,
    'image/svg+xml': await renderSvg(full),
    'text/plain': `<Vega-Lite ${title}>`
  };
}

/** Show a Vega-Lite plot in the calling cell. */
export async function plot(spec: VegaLiteSpec): Promise<void> {
  publishDisplay(await plotBundle(spec));
}
