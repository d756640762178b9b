import { runPixelCount, runsOfMask, UNLABELLED } from '@mdlma/kernel/protocol';

import { AnnotationDoc } from './annotation-doc';
import { stampPath } from './brush';

/** Two replicas wired like the panel and the kernel: what one sends, the other applies. */
function pair(delayMs = 0) {
  const kernelUpdates: Uint8Array[] = [];
  const kernel = new AnnotationDoc({ shape: [4, 8, 10], user: 'kernel', send: () => undefined });
  const panel = new AnnotationDoc({
    shape: [4, 8, 10],
    user: 'ana',
    state: kernel.encodeState(),
    delayMs,
    send: u => {
      kernelUpdates.push(u);
      kernel.applyRemote(u);
    }
  });
  return { kernel, panel, kernelUpdates };
}

const count = (labels: Uint8Array, label: number) => labels.filter(v => v === label).length;

describe('brush', () => {
  it('stamps a round disc: diameter 5 around a pixel centre covers 21 pixels, not a 25-pixel square', () => {
    const mask = new Uint8Array(20 * 20);
    expect(stampPath(mask, 20, 20, [[10.5, 10.5]], 5)).toBe(21);
    expect(mask[8 * 20 + 8]).toBe(0); // the square's corner stays unpainted
    expect(mask[10 * 20 + 10]).toBe(1);
  });

  it('leaves no gap along a fast stroke and clips at the slice border', () => {
    const mask = new Uint8Array(10 * 30);
    stampPath(mask, 10, 30, [[5.5, -3], [5.5, 40]], 1);
    expect(Array.from(mask.subarray(5 * 30, 6 * 30)).every(v => v === 1)).toBe(true);
    expect(runsOfMask(mask)).toEqual([150, 30]);
    expect(runPixelCount(runsOfMask(mask))).toBe(30);
  });
});

describe('AnnotationDoc', () => {
  it('sends a stroke to the other replica within its batching delay, as one merged update', async () => {
    const { kernel, panel, kernelUpdates } = pair(50);
    panel.paint('z', 2, 1, [0, 5]);
    panel.paint('z', 2, 2, [3, 4]);
    expect(kernelUpdates).toHaveLength(0); // batched
    await new Promise(r => setTimeout(r, 120));
    expect(kernelUpdates).toHaveLength(1);
    const labels = kernel.sliceLabels('z', 2);
    expect(Array.from(labels.subarray(0, 8))).toEqual([1, 1, 1, 2, 2, 2, 2, UNLABELLED]);
  });

  it('undoes and redoes this user\'s strokes, one stroke per step, on both replicas', () => {
    const { kernel, panel } = pair();
    panel.paint('y', 1, 3, [10, 6]);
    panel.paint('y', 1, 255, [12, 2]); // eraser
    panel.flush();
    expect(count(kernel.sliceLabels('y', 1), 3)).toBe(4);
    expect(panel.undo()).toBe(true); // the erase
    panel.flush();
    expect(count(kernel.sliceLabels('y', 1), 3)).toBe(6);
    expect(panel.undo()).toBe(true);
    expect(panel.undo()).toBe(false);
    panel.flush();
    expect(count(kernel.sliceLabels('y', 1), 3)).toBe(0);
    expect(panel.redo()).toBe(true);
    panel.flush();
    expect(count(kernel.sliceLabels('y', 1), 3)).toBe(6);
    expect(panel.canRedo).toBe(true);
  });

  it('does not undo edits that came from elsewhere, nor send them back', () => {
    const sent: Uint8Array[] = [];
    const panel = new AnnotationDoc({ shape: [4, 8, 10], user: 'ana', delayMs: 0, send: u => sent.push(u) });
    const other = new AnnotationDoc({ shape: [4, 8, 10], user: 'ben', send: u => panel.applyRemote(u) });
    other.paint('x', 0, 1, [0, 3]);
    other.flush();
    panel.flush();
    expect(sent).toHaveLength(0);
    expect(panel.undo()).toBe(false);
    expect(count(panel.sliceLabels('x', 0), 1)).toBe(3);
  });

  it('rebuilds the same labels, done marks and counts from the encoded state (a reload)', () => {
    const { panel } = pair();
    panel.paint('z', 3, 0, [0, 80]);
    panel.setDone('z', 3, true);
    const reloaded = new AnnotationDoc({ shape: [4, 8, 10], user: 'ana', state: panel.encodeState(), send: () => undefined });
    expect(reloaded.sliceLabels('z', 3)).toEqual(panel.sliceLabels('z', 3));
    expect(reloaded.isDone('z', 3)).toBe(true);
    expect(reloaded.annotatedCounts()).toEqual(new Map([['z:3', 80]]));
    expect(reloaded.undo()).toBe(false); // another session's edits are not this one's to undo
  });
});

describe('AnnotationDoc.paintSlice', () => {
  it('takes a whole label image (accept the prediction) as one undo step', () => {
    const { kernel, panel } = pair();
    const labels = new Uint8Array(8 * 10).fill(0);
    labels.fill(2, 20, 30);
    labels[79] = UNLABELLED;
    expect(panel.paintSlice('z', 1, labels)).toBe(2);
    panel.flush();
    expect(count(kernel.sliceLabels('z', 1), 2)).toBe(10);
    expect(count(kernel.sliceLabels('z', 1), 0)).toBe(69);
    panel.undo();
    panel.flush();
    expect(kernel.annotatedCounts().size).toBe(0);
  });
});
