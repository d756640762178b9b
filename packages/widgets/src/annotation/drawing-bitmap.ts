/**
 * Between the annotation document's slices and niivue's one-slice volumes (the niivue slice editor): a slice
 * [rows, cols] becomes a NIfTI volume of [cols, rows, 1] voxels with an identity affine, rows flipped so that row 0
 * is at the top of niivue's axial view (niivue puts +y, anterior, at the top); the document's labels become niivue's
 * drawing bitmap, where 0 is "no drawing": unlabelled (255) <-> 0, label l <-> l + 1. Pure functions, no WebGL.
 *
 * @example
 * const bytes = niftiSlice(image, rows, cols);                  // NVImage.loadFromUrl({ url: 'image.nii', buffer: bytes })
 * nv.drawBitmap.set(drawingFromLabels(doc.sliceLabels('z', 20), rows, cols));
 * editsFromDrawing(nv.drawBitmap, labels, rows, cols);          // [{ label: 2, runs: [130, 5] }] after a stroke
 */
import { runsByValue, UNLABELLED } from '@mdlma/kernel/protocol';

/** niivue's voxel index of slice pixel `p` (and the reverse: the flip is its own inverse). */
export function niivueIndex(p: number, rows: number, cols: number): number {
  const r = Math.floor(p / cols);
  return (rows - 1 - r) * cols + (p - r * cols);
}

/** niivue's pen value of a document label (255, unlabelled, is 0: no drawing). */
export function penValueOf(label: number): number {
  return label === UNLABELLED ? 0 : label + 1;
}

/** The document label of a niivue drawing value. */
export function labelOfPen(value: number): number {
  return value === 0 ? UNLABELLED : value - 1;
}

/** niivue's drawing bitmap (cols x rows x 1, rows flipped) of a slice's labels (rows x cols, 255 unlabelled). */
export function drawingFromLabels(labels: ArrayLike<number>, rows: number, cols: number, out = new Uint8Array(rows * cols)): Uint8Array {
  for (let r = 0; r < rows; r++) {
    const from = r * cols;
    const to = (rows - 1 - r) * cols;
    for (let c = 0; c < cols; c++) out[to + c] = penValueOf(labels[from + c]);
  }
  return out;
}

/** One label's pixels (runs in the slice, [start, length, ...]). */
export interface LabelEdit {
  label: number;
  runs: number[];
}

/**
 * What a drawing changed against the labels it was made from: per new label (255 = erased), the runs of pixels that
 * now differ. A pen stroke gives one label; an eraser stroke gives 255.
 */
export function editsFromDrawing(drawing: ArrayLike<number>, labels: ArrayLike<number>, rows: number, cols: number): LabelEdit[] {
  const byLabel = runsByValue(rows * cols, p => {
    const label = labelOfPen(drawing[niivueIndex(p, rows, cols)]);
    return label === labels[p] ? undefined : label;
  });
  return [...byLabel].map(([label, runs]) => ({ label, runs }));
}

/** A NIfTI-1 file (uncompressed, .nii) of one slice as a [cols, rows, 1] volume, rows flipped, identity affine. */
export function niftiSlice(data: Uint8Array | Float32Array, rows: number, cols: number): ArrayBuffer {
  if (data.length !== rows * cols) throw new RangeError(`slice has ${data.length} pixels, not ${rows} x ${cols}`);
  const float = data instanceof Float32Array;
  const bytesPer = float ? 4 : 1;
  const buffer = new ArrayBuffer(352 + rows * cols * bytesPer);
  const view = new DataView(buffer);
  view.setInt32(0, 348, true); // sizeof_hdr
  [3, cols, rows, 1, 1, 1, 1, 1].forEach((n, k) => view.setInt16(40 + 2 * k, n, true)); // dim
  view.setInt16(70, float ? 16 : 2, true); // datatype: FLOAT32 or UINT8
  view.setInt16(72, bytesPer * 8, true); // bitpix
  [1, 1, 1, 1, 1, 1, 1, 1].forEach((v, k) => view.setFloat32(76 + 4 * k, v, true)); // pixdim (qfac 1)
  view.setFloat32(108, 352, true); // vox_offset
  view.setFloat32(112, 1, true); // scl_slope
  view.setInt16(252, 0, true); // qform_code
  view.setInt16(254, 1, true); // sform_code: scanner
  [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]].forEach((row, i) => row.forEach((v, k) => view.setFloat32(280 + 16 * i + 4 * k, v, true)));
  new Uint8Array(buffer, 344, 4).set([0x6e, 0x2b, 0x31, 0]); // magic "n+1\0"
  const out = float ? new Float32Array(buffer, 352) : new Uint8Array(buffer, 352);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols, (r + 1) * cols), (rows - 1 - r) * cols);
  return buffer;
}
