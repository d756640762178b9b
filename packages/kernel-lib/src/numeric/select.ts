/**
 * Selection of the k-th smallest value in place (Hoare's quickselect with median-of-three
 * pivots), shared by the median filter and `percentilesInPlace`.
 *
 * @example
 * const median = selectKth(window, window.length >> 1);
 */

/** Reorders `a[lo..hi]` so that `a[k]` is its k-th smallest value, and returns that value. */
export function selectKth(a: Float32Array | Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    let x = a[lo];
    let y = a[mid];
    let z = a[hi];
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
