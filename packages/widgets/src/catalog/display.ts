/**
 * How catalog values reach the page: sizes in binary units, and thumbnails only as base64 image data. Every
 * string from SciCat is untrusted (names and metadata are free text that anyone with write access sets); the views
 * render them as React text children, never as HTML.
 *
 * @example
 * <img src={safeImageUri(attachment.thumbnail)} />   // undefined for anything but a data URI of an image
 * formatBytes(3 * 1024 ** 3);                         // "3.0 GiB"
 */

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
