/**
 * DOM building for the catalog views. Every string from SciCat is untrusted (names and metadata are free text that
 * anyone with write access sets), so it only ever becomes a text node: this module has no way to set HTML.
 *
 * @example
 * const row = element('li', { className: 'mdlma-CatalogRow', title: dataset.pid }, dataset.datasetName ?? dataset.pid);
 */

/** Plain properties of a new element; `dataset` entries become data-* attributes. */
export interface ElementProps {
  className?: string;
  title?: string;
  attrs?: Record<string, string>;
  dataset?: Record<string, string>;
}

/** A child: a node, or a string that becomes a text node; null and undefined are skipped. */
export type Child = Node | string | null | undefined | false;

/** A new element whose string children are text nodes (never parsed as HTML). */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.title !== undefined) node.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const [name, value] of Object.entries(props.dataset ?? {})) node.dataset[name] = value;
  append(node, ...children);
  return node;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** A button with a text label that calls `onClick`. */
export function button(label: string, onClick: () => void, props: ElementProps = {}): HTMLButtonElement {
  const node = element('button', { ...props, className: `jp-Button mdlma-CatalogButton ${props.className ?? ''}`.trim() }, label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/**
 * The URI of a thumbnail if it is a base64 data URI of an image, else undefined: an `<img>` never runs script, but
 * a catalog must not make the browser fetch arbitrary URLs (tracking, internal hosts) either.
 */
export function safeImageUri(uri: unknown): string | undefined {
  return typeof uri === 'string' && /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]+$/.test(uri) ? uri : undefined;
}

/** Bytes as a short human size (binary units, as file managers show them). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
