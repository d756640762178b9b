/**
 * gzip and zlib codecs for zarrita backed by Node's zlib. zarrita 0.7 decodes them but cannot
 * encode them ("Unsupported: gzip encode"); registering these lets us write compressed Zarr.
 *
 * @example
 * const zarr = await loadZarrita();   // registers once
 */
import { gzipSync, gunzipSync, deflateSync, inflateSync } from 'zlib';

import { importEsm } from '../../runtime/esm';

/** The zarrita module (ESM-only), typed loosely: its types do not resolve from CommonJS. */
export type Zarrita = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** zarrita, loaded once, with the Node gzip/zlib codecs registered. */
export function loadZarrita(): Promise<Zarrita> {
  return (zarritaLoading ??= (async () => {
    const zarr = await importEsm<Zarrita>('zarrita');
    const gzip = makeCodec(level => bytes => gzipSync(bytes, { level }), () => bytes => gunzipSync(bytes));
    const zlib = makeCodec(level => bytes => deflateSync(bytes, { level }), () => bytes => inflateSync(bytes));
    for (const name of ['gzip', 'numcodecs.gzip']) zarr.registry.set(name, () => gzip);
    for (const name of ['zlib', 'numcodecs.zlib']) zarr.registry.set(name, () => zlib);
    return zarr;
  })());
}

let zarritaLoading: Promise<Zarrita> | undefined;

type Transform = (bytes: Uint8Array) => Buffer;

/** A zarrita bytes-to-bytes codec class from an encoder and a decoder. */
function makeCodec(encoder: (level: number) => Transform, decoder: () => Transform) {
  return class NodeZlibCodec {
    readonly kind = 'bytes_to_bytes';
    constructor(private _level: number) {}
    static fromConfig(config: { level?: number } | undefined) {
      // numcodecs' default gzip/zlib level.
      return new NodeZlibCodec(config?.level ?? 1);
    }
    encode(bytes: Uint8Array): Uint8Array {
      const out = encoder(this._level)(bytes);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    decode(bytes: Uint8Array): Uint8Array {
      const out = decoder()(bytes);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
  };
}
