/**
 * The code cell "Open in notebook" inserts: connect to the catalog, open the dataset lazily, read it and show it
 * with @mdlma/kernel. The token is never part of it: the kernel finds it in SCICAT_TOKEN or in the private config
 * file. Every catalog string enters the code as a JSON string literal, so a dataset name cannot inject code.
 *
 * @example
 * cell.sharedModel.setSource(openDatasetCode({ url: 'https://scicat.example.org', pid, name: dataset.datasetName }));
 */

/** What the cell needs. */
export interface OpenDatasetCell {
  /** The SciCat backend's URL. */
  url: string;
  pid: string;
  /** The dataset's name, used as the viewer's title. */
  name?: string;
  /** Remote sourceFolder prefix -> local folder (the sidebar's setting); omitted when empty. */
  pathMap?: Record<string, string>;
}

/** The TypeScript source of a cell that opens and shows the dataset in the MDLMA kernel. */
export function openDatasetCode(cell: OpenDatasetCell): string {
  const literal = (value: unknown) => JSON.stringify(value);
  const pathMap = cell.pathMap && Object.keys(cell.pathMap).length ? `, pathMap: ${literal(cell.pathMap)}` : '';
  return [
    '// Opened from the SciCat sidebar. The token comes from SCICAT_TOKEN or ~/.config/mdlma/catalog.json (mode 0600), never from this cell.',
    'import { catalog, show } from "@mdlma/kernel";',
    `const scicat = await catalog.connect({ url: ${literal(cell.url)}${pathMap} });`,
    `const source = await scicat.open(${literal(cell.pid)});  // lazy: only the header is read so far`,
    '// The whole volume; for a large scan read part of it, e.g. source.readSlab(500, 564).',
    'const volume = await source.readSlab(0, source.shape[0]);',
    'await source.close();',
    `const viewer = await show(volume, { title: ${literal(cell.name || cell.pid)} });`
  ].join('\n');
}
