import { fillRuns, forEachRunPixel, runPixelCount, runsByValue, runsFromPixels, runsOfMask, runsWhere } from './run-length';

describe('pixel runs', () => {
  it('encode the pixels that pass a test, or the non-zero pixels of a mask', () => {
    expect(runsWhere([0, 1, 1, 0, 1], v => v === 1)).toEqual([1, 2, 4, 1]);
    expect(runsOfMask(new Uint8Array([1, 1, 0, 0, 3, 0]))).toEqual([0, 2, 4, 1]);
    expect(runsOfMask([0, 0])).toEqual([]);
  });

  it('turn pixel lists into runs (any order, duplicates allowed)', () => {
    expect(runsFromPixels([5, 3, 4, 9, 4])).toEqual([3, 3, 9, 1]);
    expect(runsFromPixels([])).toEqual([]);
  });

  it('split a label image into runs per label, skipping what the value function leaves out', () => {
    const labels = [255, 2, 2, 0, 255, 2];
    const byLabel = runsByValue(labels.length, p => (labels[p] === 255 ? undefined : labels[p]));
    expect([...byLabel]).toEqual([[2, [1, 2, 5, 1]], [0, [3, 1]]]);
  });

  it('decode into a slice, pixel by pixel, or as a count', () => {
    const runs = [1, 2, 4, 1];
    expect(Array.from(fillRuns(new Uint8Array(6), runs, 5))).toEqual([0, 5, 5, 0, 5, 0]);
    const seen: number[] = [];
    forEachRunPixel(runs, p => seen.push(p));
    expect(seen).toEqual([1, 2, 4]);
    expect(runPixelCount(runs)).toBe(3);
    // Encoding what was decoded gives the runs back.
    expect(runsOfMask(fillRuns(new Array(6).fill(0), runs, 1))).toEqual(runs);
  });
});
